// Body of the decode worker thread (see decode-worker.ts): runs the frame source here and hands
// each frame's buffers to the engine thread, at most `maxAhead` frames or `maxAheadBytes` (but
// always one frame) ahead of what it took.
import { parentPort, workerData } from 'node:worker_threads';
import { frameBytes } from './frame-queue';
import { openFrameSource } from './frame-source';
import type { DecodeWorkerData, ToDecodeWorker, FromDecodeWorker } from './decode-worker';

const port = parentPort;
if (!port) throw new Error('decode-worker-main runs only as a worker thread');
const post = (msg: FromDecodeWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

const { maxAhead, maxAheadBytes, ...opts } = workerData as DecodeWorkerData;
/** Sizes of the frames posted and not yet taken, oldest first ('took' acknowledges in order). */
const ahead: number[] = [];
let aheadBytes = 0;
let closing = false;
let wake: (() => void) | undefined;

async function pump(): Promise<void> {
  const source = openFrameSource(opts);
  port!.on('message', (msg: ToDecodeWorker) => {
    if (msg.type === 'recycle') source.recycle(Buffer.from(msg.buffer));
    else if (msg.type === 'took') aheadBytes -= ahead.shift() ?? 0;
    else {
      closing = true;
      source.close(); // the loop below then ends, and done is posted
    }
    wake?.();
  });
  for await (const f of source) {
    const bytes = frameBytes(f);
    const full = () => ahead.length >= maxAhead || (ahead.length > 0 && aheadBytes + bytes > maxAheadBytes);
    while (full() && !closing) await new Promise<void>((r) => (wake = r));
    ahead.push(bytes);
    aheadBytes += bytes;
    const transfer = [f.small.buffer as ArrayBuffer];
    if (f.full) transfer.push(f.full.buffer as ArrayBuffer);
    post({ type: 'frame', index: f.index, ts: f.ts, sampled: f.sampled, small: f.small, full: f.full }, transfer);
  }
  post({ type: 'done', summary: await source.done() });
}

pump().catch((err: Error) => post({ type: 'error', message: err.message }));
