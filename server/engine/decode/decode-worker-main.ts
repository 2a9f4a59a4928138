// Body of the decode worker thread (see decode-worker.ts): runs the frame source here and hands
// each frame's buffers to the engine thread, at most `maxAhead` frames ahead of what it took.
import { parentPort, workerData } from 'node:worker_threads';
import { openFrameSource } from './frame-source';
import type { DecodeWorkerData, ToDecodeWorker, FromDecodeWorker } from './decode-worker';

const port = parentPort;
if (!port) throw new Error('decode-worker-main runs only as a worker thread');
const post = (msg: FromDecodeWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

const { maxAhead, ...opts } = workerData as DecodeWorkerData;
let credits = maxAhead;
let closing = false;
let wake: (() => void) | undefined;

async function pump(): Promise<void> {
  const source = openFrameSource(opts);
  port!.on('message', (msg: ToDecodeWorker) => {
    if (msg.type === 'recycle') source.recycle(Buffer.from(msg.buffer));
    else if (msg.type === 'took') credits++;
    else {
      closing = true;
      source.close(); // the loop below then ends, and done is posted
    }
    wake?.();
  });
  for await (const f of source) {
    while (credits <= 0 && !closing) await new Promise<void>((r) => (wake = r));
    credits--;
    const transfer = [f.small.buffer as ArrayBuffer];
    if (f.full) transfer.push(f.full.buffer as ArrayBuffer);
    post({ type: 'frame', index: f.index, sampled: f.sampled, small: f.small, full: f.full }, transfer);
  }
  post({ type: 'done', summary: await source.done() });
}

pump().catch((err: Error) => post({ type: 'error', message: err.message }));
