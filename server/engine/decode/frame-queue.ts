// The consumer's end of a frame source: decoded frames wait here for one for-await loop.
import type { DecodedFrame } from './frame-source';

type Waiter = { resolve: (r: IteratorResult<DecodedFrame>) => void; reject: (e: Error) => void };

export class FrameQueue implements AsyncIterable<DecodedFrame> {
  private readonly frames: DecodedFrame[] = [];
  private waiter: Waiter | undefined;
  private failure: Error | undefined;
  /** No frames will be added: the queued ones are still delivered. */
  private finished = false;
  /** Stopped by the consumer: queued frames are dropped. */
  private stopped = false;
  private iterated = false;
  private queuedBytes = 0;

  /**
   * @param onTake after a frame is handed out (for backpressure)
   * @param onReturn the consumer left its loop early (break, throw)
   */
  constructor(
    private readonly onTake: () => void,
    private readonly onReturn: () => void,
  ) {}

  get length(): number {
    return this.frames.length;
  }

  /** Bytes of the queued frames' buffers. */
  get bytes(): number {
    return this.queuedBytes;
  }

  /** Queues a frame for the consumer; after stop() frames are dropped. */
  push(frame: DecodedFrame): void {
    if (this.stopped) return;
    this.frames.push(frame);
    this.queuedBytes += frameBytes(frame);
    this.wake();
  }

  finish(): void {
    this.finished = true;
    this.wake();
  }

  stop(): void {
    this.stopped = true;
    this.frames.length = 0;
    this.queuedBytes = 0;
    this.wake();
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  private next(): Promise<IteratorResult<DecodedFrame>> {
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    if (this.failure) w.reject(this.failure);
    else if (this.frames.length > 0) w.resolve({ done: false, value: this.take() });
    else if (this.stopped || this.finished) w.resolve({ done: true, value: undefined });
    else return;
    this.waiter = undefined;
  }

  private take(): DecodedFrame {
    const frame = this.frames.shift()!;
    this.queuedBytes -= frameBytes(frame);
    this.onTake();
    return frame;
  }

  [Symbol.asyncIterator](): AsyncIterator<DecodedFrame> {
    if (this.iterated) throw new Error('a frame source can be iterated only once');
    this.iterated = true;
    return {
      next: () => this.next(),
      return: () => {
        this.onReturn();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}

export function frameBytes(frame: DecodedFrame): number {
  return frame.small.length + (frame.full?.length ?? 0);
}
