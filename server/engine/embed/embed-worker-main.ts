// Body of the embedding worker thread (see embed-worker.ts): owns one FaceEmbedder and answers
// one message per face, so onnxruntime's synchronous run() blocks this thread, not the engine's.
import { parentPort, workerData } from 'node:worker_threads';
import { FaceEmbedder, type EmbedderModels } from './face-embedder';
import type { WorkerReply, WorkerRequest } from './embed-worker';
import { faceQuality } from './quality';

const port = parentPort;
if (!port) throw new Error('embed-worker-main runs only as a worker thread');

FaceEmbedder.load(workerData as EmbedderModels).then(
  (embedder) => {
    port.on('message', (req: WorkerRequest) => {
      const quality = faceQuality(req.region, req.bbox);
      embedder.embed(req.region, req.bbox).then(
        (embedding) => port.postMessage({ id: req.id, embedding, quality } satisfies WorkerReply, [embedding.buffer as ArrayBuffer]),
        (err: Error) => port.postMessage({ id: req.id, error: err.message } satisfies WorkerReply),
      );
    });
    port.postMessage({ ready: embedder.modelId } satisfies WorkerReply);
  },
  (err: Error) => port.postMessage({ fatal: err.message } satisfies WorkerReply),
);
