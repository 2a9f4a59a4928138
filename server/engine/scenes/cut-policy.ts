// What a detected cut or fade does to the tracker: F1 cooldown and the warm-up frames after a reset.

export interface CutPolicyOptions {
  /** F1: a cut fewer than this many frames after the last reset does not reset again (0 = off). */
  cooldown: number;
  /** Frames analysed regardless of stride after a reset, starting with the cut frame. */
  warmup: number;
}

export class CutPolicy {
  readonly cuts: number[] = [];
  readonly resets: number[] = [];
  readonly suppressed: number[] = [];
  readonly fadeResets: number[] = [];
  private lastReset = -Infinity;
  private warmLeft = 0;

  constructor(private readonly opts: CutPolicyOptions) {}

  /** Records a cut at `frameIdx`; true when the tracker must reset. */
  onCut(frameIdx: number): boolean {
    this.cuts.push(frameIdx);
    if (frameIdx - this.lastReset < this.opts.cooldown) {
      this.suppressed.push(frameIdx);
      return false;
    }
    this.resets.push(frameIdx);
    this.lastReset = frameIdx;
    this.warmLeft = this.opts.warmup;
    return true;
  }

  /** Records the black frame of a fade-out: the tracker resets there, whatever the cooldown (a fade is no quick cut). */
  onFade(frameIdx: number): void {
    this.fadeResets.push(frameIdx);
    this.lastReset = frameIdx;
    this.warmLeft = this.opts.warmup;
  }

  /** Call once per decoded frame, after onCut: true while the frame is a warm-up frame. */
  consumeWarmup(): boolean {
    if (this.warmLeft <= 0) return false;
    this.warmLeft--;
    return true;
  }
}
