// The frame source on a worker thread. ffmpeg writes through 64 KiB pipes, so whenever the
// engine thread is busy (a detection runs synchronously for milliseconds, crops are converted)
// a pipe read on that thread would wait, and ffmpeg would stop with it. Read on a thread of
// their own, the pipes keep flowing and frames queue up to `maxAhead` ahead; their buffers move
// between the threads without copies (transferred, and handed back by recycle()).
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../worker-script';
import { ffmpegDecodeArgs, type DecodedFrame, type DecodeSummary, type FrameSource, type FrameSourceOptions } from './frame-source';

export type DecodeWorkerData = Omit<FrameSourceOptions, 'signal'> & { maxAhead: number };

export type ToDecodeWorker =
  | { type: 'took' }
  | { type: 'recycle'; buffer: ArrayBuffer }
  | { type: 'close' };

export type FromDecodeWorker =
  | { type: 'frame'; index: number; sampled: boolean; small: Uint8Array; full?: Uint8Array }
  | { type: 'done'; summary: DecodeSummary }
  | { type: 'error'; message: string };

const asBuffer = (a: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.length);

/** openFrameSource's contract, run on a worker thread; `maxAhead` frames may wait for the caller (default 16). */
export function openFrameSourceInWorker(opts: FrameSourceOptions & { maxAhead?: number }): FrameSource {
  const { signal, maxAhead = 16, ...rest } = opts;
  ffmpegDecodeArgs(opts); // bad options throw here, as openFrameSource's do
  const worker: Worker = startWorker(__dirname, 'decode-worker', { ...rest, maxAhead } satisfies DecodeWorkerData);
  const ready: DecodedFrame[] = [];
  let waiter: { resolve: (r: IteratorResult<DecodedFrame>) => void; reject: (e: Error) => void } | undefined;
  let failure: Error | undefined;
  let finished = false;
  let closed = false;
  let resolveDone!: (s: DecodeSummary) => void;
  let rejectDone!: (e: Error) => void;
  const donePromise = new Promise<DecodeSummary>((res, rej) => ((resolveDone = res), (rejectDone = rej)));
  donePromise.catch(() => undefined); // the iterator reports the same error
  const send = (msg: ToDecodeWorker, transfer: ArrayBuffer[] = []) => !finished && worker.postMessage(msg, transfer);

  worker.on('message', (msg: FromDecodeWorker) => {
    if (msg.type === 'frame') {
      if (!closed) ready.push({ index: msg.index, sampled: msg.sampled, small: asBuffer(msg.small), full: msg.full && asBuffer(msg.full) });
    } else if (msg.type === 'done') {
      end();
      resolveDone(msg.summary);
    } else {
      fail(new Error(msg.message));
    }
    wake();
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
    failure = err;
    end();
    rejectDone(err);
    wake();
  }

  function wake(): void {
    if (!waiter) return;
    const w = waiter;
    if (failure) {
      waiter = undefined;
      w.reject(failure);
    } else if (ready.length > 0) {
      waiter = undefined;
      w.resolve({ done: false, value: take() });
    } else if (closed || finished) {
      waiter = undefined;
      w.resolve({ done: true, value: undefined });
    }
  }

  function take(): DecodedFrame {
    send({ type: 'took' });
    return ready.shift()!;
  }

  function close(): void {
    if (closed) return;
    closed = true;
    ready.length = 0;
    send({ type: 'close' });
    wake();
  }

  if (signal) {
    if (signal.aborted) close();
    else signal.addEventListener('abort', close, { once: true });
    const forget = () => signal.removeEventListener('abort', close);
    donePromise.then(forget, forget);
  }

  let iterated = false;
  return {
    done: () => donePromise,
    close,
    recycle(buf) {
      // Only whole buffers travel back; the worker reuses them for later frames.
      if (buf.byteOffset === 0 && buf.length === buf.buffer.byteLength) send({ type: 'recycle', buffer: buf.buffer as ArrayBuffer }, [buf.buffer as ArrayBuffer]);
    },
    [Symbol.asyncIterator](): AsyncIterator<DecodedFrame> {
      if (iterated) throw new Error('a frame source can be iterated only once');
      iterated = true;
      return {
        next(): Promise<IteratorResult<DecodedFrame>> {
          if (failure) return Promise.reject(failure);
          if (ready.length > 0) return Promise.resolve({ done: false, value: take() });
          if (closed || finished) return Promise.resolve({ done: true, value: undefined });
          return new Promise((resolve, reject) => (waiter = { resolve, reject }));
        },
        return(): Promise<IteratorResult<DecodedFrame>> {
          close();
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}
