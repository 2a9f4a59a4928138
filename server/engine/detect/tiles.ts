/** A crop of the source frame, in source pixels. */
export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Tiles are at least this much larger than the plain 1/cols (1/rows) span. */
export const TILE_OVERLAP = 0.25;

/**
 * The largest face tiles exist for, as a fraction of the frame height. RFB-320 finds faces on the
 * whole frame (stretched to 320×240) from about 12 model px, i.e. 1/20 of the height; tiles are
 * for faces below that, and twice that bounds what they must see whole.
 */
export const TILE_FACE_MAX = 0.1;

/**
 * cols×rows tiles covering the frame, spaced evenly, each `1 + overlap` times the plain span or
 * more: neighbours overlap by at least TILE_FACE_MAX of the frame height in both directions, so every face
 * box up to that size lies wholly inside some tile (a box cut by one tile's edge is whole in its
 * neighbour). For 1920×1080 at 3×2 that is 800×675 tiles overlapping by 240×270 px; at 2×2,
 * 1200×675 tiles overlapping by 480×270 px.
 */
export function tileGrid(width: number, height: number, cols: number, rows: number, overlap = TILE_OVERLAP): Region[] {
  const minOverlap = Math.ceil(TILE_FACE_MAX * height);
  const axis = (size: number, n: number) => {
    // Neighbours overlap by span − step = (n·span − size) / (n − 1); +1 absorbs the rounding of starts.
    const wide = n > 1 ? Math.ceil((size + (n - 1) * minOverlap) / n) + 1 : size;
    const span = Math.min(size, Math.max(Math.ceil((size * (1 + overlap)) / n), wide));
    const step = n > 1 ? (size - span) / (n - 1) : 0;
    return Array.from({ length: n }, (_, i) => ({ start: Math.round(i * step), span }));
  };
  const xs = axis(width, cols);
  const ys = axis(height, rows);
  return ys.flatMap((y) => xs.map((x) => ({ left: x.start, top: y.start, width: x.span, height: y.span })));
}

/** Whether `b` ([x1,y1,x2,y2]) lies wholly inside region r. */
export function contains(r: Region, b: readonly number[]): boolean {
  return b[0] >= r.left && b[1] >= r.top && b[2] <= r.left + r.width && b[3] <= r.top + r.height;
}
