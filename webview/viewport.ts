// What part of the timeline is on screen: frames ↔ pixels, zoom about a point, pan.

export interface Viewport {
  /** Frame at the left edge of the plot (fractional). */
  start: number;
  pxPerFrame: number;
  /** Pixels the rows are scrolled up by. */
  scrollY: number;
}

export const MAX_PX_PER_FRAME = 40;

export const xOf = (v: Viewport, frame: number): number => (frame - v.start) * v.pxPerFrame;
export const frameOf = (v: Viewport, x: number): number => v.start + x / v.pxPerFrame;

/** Shows frames [0, total) across `width` pixels. */
export function fit(total: number, width: number): Viewport {
  return { start: 0, pxPerFrame: Math.min(MAX_PX_PER_FRAME, width / Math.max(1, total)), scrollY: 0 };
}

/** Zooms by `factor` keeping the frame under `x` in place; out no further than the whole run. */
export function zoomAt(v: Viewport, x: number, factor: number, total: number, width: number): Viewport {
  const minPx = width / Math.max(1, total);
  const pxPerFrame = Math.min(MAX_PX_PER_FRAME, Math.max(minPx, v.pxPerFrame * factor));
  const anchor = frameOf(v, x);
  return clamp({ ...v, pxPerFrame, start: anchor - x / pxPerFrame }, total, width, Infinity);
}

export function pan(v: Viewport, dx: number, dy: number, total: number, width: number, maxScroll: number): Viewport {
  return clamp({ ...v, start: v.start - dx / v.pxPerFrame, scrollY: v.scrollY - dy }, total, width, maxScroll);
}

/** Keeps the run's frames and the rows within reach. */
export function clamp(v: Viewport, total: number, width: number, maxScroll: number): Viewport {
  const visible = width / v.pxPerFrame;
  const start = Math.max(0, Math.min(v.start, Math.max(0, total - visible)));
  const scrollY = Math.max(0, Math.min(v.scrollY, Math.max(0, maxScroll)));
  return { ...v, start, scrollY };
}
