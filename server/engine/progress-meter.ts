// Frames/s and ETA over a sliding window, and a throttle so events stay a few per second.

export class ProgressMeter {
  private readonly samples: Array<[number, number]> = [];
  private lastEmit = 0;

  constructor(private readonly intervalMs = 250, private readonly now = () => performance.now()) {}

  /** True when an event is due (always true for the first call). */
  due(): boolean {
    const t = this.now();
    if (t - this.lastEmit < this.intervalMs && this.lastEmit !== 0) return false;
    this.lastEmit = t;
    return true;
  }

  /** Frames per second over the last ~3 s, and the ETA for the frames left. */
  rate(framesDone: number, framesTotal: number): { fps: number; eta_s: number | null } {
    const t = this.now();
    this.samples.push([t, framesDone]);
    while (this.samples.length > 2 && t - this.samples[0][0] > 3000) this.samples.shift();
    const [t0, f0] = this.samples[0];
    const fps = t > t0 ? ((framesDone - f0) * 1000) / (t - t0) : 0;
    const left = Math.max(0, framesTotal - framesDone);
    return { fps: Math.round(fps * 10) / 10, eta_s: fps > 0 ? Math.round((left / fps) * 10) / 10 : null };
  }
}
