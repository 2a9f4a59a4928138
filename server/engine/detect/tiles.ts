/** A crop of the source frame, in source pixels. */
export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Tile overlap as a fraction of the plain 1/cols (1/rows) span. */
export const TILE_OVERLAP = 0.25;

/**
 * cols×rows tiles covering the frame, each `1 + overlap` times the plain span, spaced evenly.
 * For 1920×1080 at 3×2 that is 800×675 tiles overlapping by 240×270 px: any face up to
 * ~240 px lies wholly inside some tile, and bigger ones are found on the whole frame.
 */
export function tileGrid(width: number, height: number, cols: number, rows: number, overlap = TILE_OVERLAP): Region[] {
  const axis = (size: number, n: number) => {
    const span = Math.min(size, Math.ceil((size * (1 + overlap)) / n));
    const step = n > 1 ? (size - span) / (n - 1) : 0;
    return Array.from({ length: n }, (_, i) => ({ start: Math.round(i * step), span }));
  };
  const xs = axis(width, cols);
  const ys = axis(height, rows);
  return ys.flatMap((y) => xs.map((x) => ({ left: x.start, top: y.start, width: x.span, height: y.span })));
}
