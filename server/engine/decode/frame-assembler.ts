// Cuts a pipe's byte stream, which arrives in chunks of any size, into fixed-size frames.

/**
 * Copies each wanted byte once into a frame buffer (no chunk concatenation, so O(n)): a spare
 * one handed back with `recycle`, else a fresh one. Frames that `wanted(n)` rejects are counted
 * but never copied, which keeps dropping frames in JS cheap.
 */
const MAX_SPARES = 4;
/** …and at most this many bytes of them: none of an 8K rgb24 frame (100 MB), where a fresh one costs little beside decoding it. */
const MAX_SPARE_BYTES = 32 << 20;

export class FrameAssembler {
  private frame: Buffer | undefined;
  private filled = 0;
  private count = 0;
  private readonly spares: Buffer[] = [];
  private readonly maxSpares: number;

  constructor(
    readonly frameSize: number,
    private readonly onFrame: (frame: Buffer, n: number) => void,
    private readonly wanted: (n: number) => boolean = () => true,
  ) {
    this.maxSpares = Math.min(MAX_SPARES, Math.floor(MAX_SPARE_BYTES / frameSize));
  }

  /** Frames completed so far, wanted or not. */
  get frames(): number {
    return this.count;
  }

  /** Bytes of an unfinished frame; non-zero after the stream ends means the last frame was cut short. */
  get partialBytes(): number {
    return this.filled;
  }

  /**
   * Hands back a frame the consumer is done with, to be filled again: at 1080p a fresh buffer
   * per frame means gigabytes of allocation per episode, paid in GC and page faults.
   */
  recycle(frame: Buffer): void {
    if (frame.length === this.frameSize && this.spares.length < this.maxSpares) this.spares.push(frame);
  }

  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(this.frameSize - this.filled, chunk.length - off);
      if (this.filled === 0 && this.wanted(this.count)) this.frame = this.spares.pop() ?? Buffer.allocUnsafe(this.frameSize);
      if (this.frame) chunk.copy(this.frame, this.filled, off, off + n);
      this.filled += n;
      off += n;
      if (this.filled === this.frameSize) {
        const frame = this.frame;
        this.frame = undefined;
        this.filled = 0;
        if (frame) this.onFrame(frame, this.count);
        this.count++;
      }
    }
  }
}
