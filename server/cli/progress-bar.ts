// A one-line progress bar for a terminal (stderr), redrawn in place.
import type { RunEvent } from '../engine/events';

export class ProgressBar {
  private drawn = false;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr, private readonly width = 28) {}

  update(e: RunEvent): void {
    if (e.type === 'progress') {
      const frac = e.frames_total > 0 ? Math.min(1, e.frames_done / e.frames_total) : 0;
      const full = Math.round(frac * this.width);
      const eta = e.eta_s === null ? '--' : `${Math.ceil(e.eta_s)}s`;
      const line = `[${'#'.repeat(full)}${'.'.repeat(this.width - full)}] ${(frac * 100).toFixed(0).padStart(3)}% ` +
        `${e.frames_done}/${e.frames_total} frames · ${e.fps.toFixed(0)} fps · ETA ${eta} · cuts ${e.cuts} · tracks ${e.tracks}`;
      this.out.write(`\r${line.slice(0, (this.out.columns || 120) - 1)}\x1b[K`);
      this.drawn = true;
    } else if (e.type === 'log' || (e.type === 'phase' && e.message)) {
      this.clear();
      const text = e.type === 'log' ? `${e.level}: ${e.message}` : `${e.phase}: ${e.message}`;
      this.out.write(text + '\n');
    }
  }

  clear(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}
