// The frame source on a worker thread. ffmpeg writes through 64 KiB pipes, so whenever the
// engine thread is busy (a detection runs synchronously for milliseconds, crops are converted)
// a pipe read on that thread would wait, and ffmpeg would stop with it. Read on a thread of
// their own, the pipes keep flowing and frames queue up to `maxAhead` frames or `maxAheadBytes`
// ahead; their buffers move between the threads without copies (transferred, and handed back by
// recycle()).
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../worker-script';
import { FrameQueue } from './frame-queue';
import { ffmpegDecodeArgs, QUEUE_BYTES, type DecodeSummary, type FrameSource, type FrameSourceOptions } from './frame-source';

export type DecodeWorkerData = Omit<FrameSourceOptions, 'signal'> & { maxAhead: number; maxAheadBytes: number };

export type ToDecodeWorker =
  | { type: 'took' }
  | { type: 'recycle'; buffer: ArrayBuffer }
  | { type: 'close' };

export type FromDecodeWorker =
  | { type: 'frame'; index: number; ts: number; sampled: boolean; small: Uint8Array; full?: Uint8Array }
  | { type: 'done'; summary: DecodeSummary }
  | { type: 'error'; message: string };

const asBuffer = (a: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.length);

/**
 * openFrameSource's contract, run on a worker thread; `maxAhead` frames (default 16) or
 * `maxAheadBytes` of them (default QUEUE_BYTES, at least one frame) may wait for the caller.
 */
export function openFrameSourceInWorker(opts: FrameSourceOptions & { maxAhead?: number; maxAheadBytes?: number }): FrameSource {
  const { signal, maxAhead = 16, maxAheadBytes = QUEUE_BYTES, ...rest } = opts;
  ffmpegDecodeArgs({ ...opts, nonce: '' }); // bad options throw here, as openFrameSource's do
  const worker: Worker = startWorker(__dirname, 'decode-worker', { ...rest, maxAhead, maxAheadBytes } satisfies DecodeWorkerData);
  const queue = new FrameQueue(() => send({ type: 'took' }), () => close());
  let finished = false;
  let closed = false;
  let resolveDone!: (s: DecodeSummary) => void;
  let rejectDone!: (e: Error) => void;
  const donePromise = new Promise<DecodeSummary>((res, rej) => ((resolveDone = res), (rejectDone = rej)));
  donePromise.catch(() => undefined); // the iterator reports the same error
  const send = (msg: ToDecodeWorker, transfer: ArrayBuffer[] = []) => !finished && worker.postMessage(msg, transfer);

  worker.on('message', (msg: FromDecodeWorker) => {
    if (msg.type === 'frame') {
      queue.push({ index: msg.index, ts: msg.ts, sampled: msg.sampled, small: asBuffer(msg.small), full: msg.full && asBuffer(msg.full) });
    } else if (msg.type === 'done') {
      end();
      resolveDone(msg.summary);
      queue.finish();
    } else {
      fail(new Error(msg.message));
    }
  });
  worker.on('error', (err) => fail(err));
  worker.on('exit', (code) => fail(new Error(`decode worker exited with code ${code}`)));

  function end(): void {
    finished = true;
    worker.removeAllListeners('exit');
    void worker.terminate();
  }

  function fail(err: Error): void {
    if (finished) return;
    end();
    rejectDone(err);
    queue.fail(err);
  }

  function close(): void {
    if (closed) return;
    closed = true;
    queue.stop();
    send({ type: 'close' });
  }

  if (signal) {
    if (signal.aborted) close();
    else signal.addEventListener('abort', close, { once: true });
    const forget = () => signal.removeEventListener('abort', close);
    donePromise.then(forget, forget);
  }

  return {
    done: () => donePromise,
    close,
    recycle(buf) {
      // Only whole buffers travel back; the worker reuses them for later frames.
      if (buf.byteOffset === 0 && buf.length === buf.buffer.byteLength) send({ type: 'recycle', buffer: buf.buffer as ArrayBuffer }, [buf.buffer as ArrayBuffer]);
    },
    [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator](),
  };
}
