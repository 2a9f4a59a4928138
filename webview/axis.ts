// Time axis ticks: a step that keeps labels apart at the current zoom, in whole frames, and
// on round seconds and minutes once the frame rate is known.

/** Tick steps in seconds once they exceed one second. */
const SECOND_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

/** The smallest "nice" step in frames that is at least `minFrames` long. */
export function tickStep(minFrames: number, fps?: number): number {
  if (fps && fps > 0 && minFrames > fps / 2) {
    const sec = SECOND_STEPS.find((s) => s * fps >= minFrames) ?? Math.ceil(minFrames / fps / 3600) * 3600;
    return Math.round(sec * fps);
  }
  let pow = 1;
  for (;;) {
    for (const m of [1, 2, 5]) if (m * pow >= minFrames) return m * pow;
    pow *= 10;
  }
}

/** Tick frames in [start, end] for a zoom of `pxPerFrame`, at least `minPx` apart. */
export function ticks(start: number, end: number, pxPerFrame: number, fps?: number, minPx = 90): { step: number; frames: number[] } {
  const step = tickStep(Math.max(1, minPx / pxPerFrame), fps);
  const frames: number[] = [];
  for (let f = Math.max(0, Math.ceil(start / step) * step); f <= end; f += step) frames.push(f);
  return { step, frames };
}

/** SMPTE-style `hh:mm:ss:ff` (frames last), as video editors show it. */
export function timecode(frame: number, fps: number): string {
  const rate = Math.round(fps);
  const totalS = Math.floor(frame / fps);
  const ff = Math.floor(frame - totalS * fps + 1e-6);
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  const pad = (v: number, n = 2) => String(v).padStart(n, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}:${pad(ff, Math.max(2, String(rate - 1).length))}`;
}

/** Seconds as `1.8 s` or `2:05`, for durations in the tooltip. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m}:${String(Math.round(seconds - m * 60)).padStart(2, '0')}`;
}
