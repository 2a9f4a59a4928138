// yuv420p frames as ffmpeg pipes them (half the bytes of rgb24, and no rgb pass in ffmpeg):
// the 320×240 stream, and full-resolution frames when only crops read them. What is looked at
// is converted here: crop regions, and the small frames the detector reads.
import type { Rect } from '../export/crop';
import type { YuvColor } from '../types';

export type { YuvColor };

/** Full frames can travel as yuv420p only from 8-bit 4:2:0 streams: piped as they decode, no conversion in ffmpeg. */
export function isYuv420p8(pixFmt: string): boolean {
  return pixFmt === 'yuv420p' || pixFmt === 'yuvj420p';
}

/** What players assume for an untagged stream: BT.709 from 720 lines up, BT.601 below; limited range. */
export function defaultYuvColor(height: number): YuvColor {
  return { matrix: height >= 720 ? 'bt709' : 'bt601', range: 'limited' };
}

/** Bytes of one packed yuv420p frame as ffmpeg's rawvideo writes it (chroma planes rounded up). */
export function yuv420pSize(width: number, height: number): number {
  return width * height + 2 * ((width + 1) >> 1) * ((height + 1) >> 1);
}

/** Where a packed yuv420p frame's chroma planes start, and their row width; checks the frame's size. */
function planes(frame: Buffer, width: number, height: number): { cw: number; uPlane: number; vPlane: number } {
  const cw = (width + 1) >> 1;
  const uPlane = width * height;
  const vPlane = uPlane + cw * ((height + 1) >> 1);
  if (frame.length < vPlane + (vPlane - uPlane)) throw new RangeError(`yuv420p frame has ${frame.length} bytes, expected ${yuv420pSize(width, height)}`);
  return { cw, uPlane, vPlane };
}

/** Fixed-point fraction bits of yuvTables(). */
export const YUV_TABLE_SHIFT = 16;
const SHIFT = YUV_TABLE_SHIFT;
const HALF = 1 << (SHIFT - 1);

/** The conversion as numbers: rgb = (Y − y0)·yScale + the chroma terms of (code − 128). */
interface Coefficients {
  y0: number;
  yScale: number;
  rv: number;
  gu: number;
  gv: number;
  bu: number;
}

function coefficients(color: YuvColor): Coefficients {
  const [kr, kb] = color.matrix === 'bt709' ? [0.2126, 0.0722] : [0.299, 0.114];
  const kg = 1 - kr - kb;
  const limited = color.range === 'limited';
  const cScale = limited ? 255 / 224 : 1;
  return {
    y0: limited ? 16 : 0,
    yScale: limited ? 255 / 219 : 1,
    rv: 2 * (1 - kr) * cScale,
    bu: 2 * (1 - kb) * cScale,
    gu: ((2 * kb * (1 - kb)) / kg) * cScale,
    gv: ((2 * kr * (1 - kr)) / kg) * cScale,
  };
}

/**
 * Per-code lookup tables in 16.16 fixed point; one set per colour, built on first use. A pixel's
 * channels, before clamping, are (y[Y] + rv[V]) >> 16, (y[Y] − gu[U] − gv[V]) >> 16 and
 * (y[Y] + bu[U]) >> 16, rounded to nearest.
 */
export interface YuvTables {
  y: Int32Array;
  rv: Int32Array;
  gu: Int32Array;
  gv: Int32Array;
  bu: Int32Array;
}
const tableCache = new Map<string, YuvTables>();

export function yuvTables(color: YuvColor): YuvTables {
  const key = `${color.matrix}/${color.range}`;
  let t = tableCache.get(key);
  if (t) return t;
  const k = coefficients(color);
  const fix = (v: number) => Math.round(v * (1 << SHIFT));
  t = { y: new Int32Array(256), rv: new Int32Array(256), gu: new Int32Array(256), gv: new Int32Array(256), bu: new Int32Array(256) };
  for (let i = 0; i < 256; i++) {
    // The rounding half is folded into the luma term, so each channel is one add and one shift.
    t.y[i] = fix((i - k.y0) * k.yScale) + HALF;
    t.rv[i] = fix(k.rv * (i - 128));
    t.bu[i] = fix(k.bu * (i - 128));
    t.gu[i] = fix(k.gu * (i - 128));
    t.gv[i] = fix(k.gv * (i - 128));
  }
  tableCache.set(key, t);
  return t;
}

/**
 * `rect` of a packed yuv420p frame as packed rgb24. Chroma is replicated over each 2×2 block,
 * as ffmpeg's own unscaled yuv420p→rgb24 conversion does. Row-wise, two pixels per chroma
 * sample, table lookups and integer adds only: this runs on the engine thread for every crop
 * kept at its size and every analysed 320×240 frame.
 */
export function yuv420pRectToRgb(frame: Buffer, width: number, height: number, rect: Rect, color: YuvColor): Buffer {
  const { cw, uPlane, vPlane } = planes(frame, width, height);
  const { y: ty, rv, gu, gv, bu } = yuvTables(color);
  const out = Buffer.allocUnsafe(rect.width * rect.height * 3);
  // Clamping stores: values below 0 become 0 and above 255 become 255, with no branch here.
  const rgb = new Uint8ClampedArray(out.buffer, out.byteOffset, out.length);
  const x0 = rect.left;
  const x1 = rect.left + rect.width;
  let o = 0;
  for (let row = rect.top; row < rect.top + rect.height; row++) {
    const yRow = row * width;
    const cRow = (row >> 1) * cw;
    for (let x = x0; x < x1; ) {
      const c = cRow + (x >> 1);
      const u = frame[uPlane + c];
      const v = frame[vPlane + c];
      const r = rv[v];
      const g = gu[u] + gv[v];
      const b = bu[u];
      // This pixel, and its neighbour when it shares the chroma sample (x even) and is inside.
      const pair = (x & 1) === 0 && x + 1 < x1 ? 2 : 1;
      for (const end = x + pair; x < end; x++) {
        const l = ty[frame[yRow + x]];
        rgb[o] = (l + r) >> SHIFT;
        rgb[o + 1] = (l - g) >> SHIFT;
        rgb[o + 2] = (l + b) >> SHIFT;
        o += 3;
      }
    }
  }
  return out;
}

/**
 * `rect` of a packed yuv420p frame, area-averaged down to outWidth × outHeight (each output pixel
 * the mean of the source area it covers, as ffmpeg's `area` scaler), as packed rgb24. For crops
 * that are scaled down anyway: the planes are averaged before conversion, so only output pixels
 * are converted, and sharp is left with the JPEG encode. Chroma is averaged over 2×2 output
 * pixels, the resolution JPEG keeps of it.
 */
export function yuv420pRectToRgbScaled(frame: Buffer, width: number, height: number, rect: Rect, color: YuvColor, outWidth: number, outHeight: number): Buffer {
  if (outWidth > rect.width || outHeight > rect.height) throw new RangeError('yuv420pRectToRgbScaled only scales down');
  const { cw, uPlane, vPlane } = planes(frame, width, height);
  const n = outWidth * outHeight;
  const y = scratch(0, n);
  areaAverage(frame, 0, width, areaAxis(rect.left, rect.width, outWidth), areaAxis(rect.top, rect.height, outHeight), y);
  // A chroma sample covers its 2×2 luma block, so the chroma plane's area is the rect halved;
  // a last odd output column or row covers half a chroma cell's span, hence the limits.
  const [ocw, och] = [(outWidth + 1) >> 1, (outHeight + 1) >> 1];
  const chromaCols = areaAxis(rect.left / 2, (rect.width / outWidth) * ocw, ocw, (rect.left + rect.width) / 2);
  const chromaRows = areaAxis(rect.top / 2, (rect.height / outHeight) * och, och, (rect.top + rect.height) / 2);
  const u = scratch(1, ocw * och);
  const v = scratch(2, ocw * och);
  areaAverage(frame, uPlane, cw, chromaCols, chromaRows, u);
  areaAverage(frame, vPlane, cw, chromaCols, chromaRows, v);
  const { y0, yScale, rv, gu, gv, bu } = coefficients(color);
  const out = Buffer.allocUnsafe(n * 3);
  // Clamping stores, rounding to the nearest code.
  const rgb = new Uint8ClampedArray(out.buffer, out.byteOffset, out.length);
  for (let j = 0, i = 0, o = 0; j < outHeight; j++) {
    const cRow = (j >> 1) * ocw;
    for (let x = 0; x < outWidth; x++, i++, o += 3) {
      const c = cRow + (x >> 1);
      const l = (y[i] - y0) * yScale;
      const cb = u[c] - 128;
      const cr = v[c] - 128;
      rgb[o] = l + rv * cr;
      rgb[o + 1] = l - gu * cb - gv * cr;
      rgb[o + 2] = l + bu * cb;
    }
  }
  return out;
}

/** How output pixels along one axis cover source pixels: output i reads `count[i]` pixels from `first[i]`, with weights summing to 1. */
interface AreaAxis {
  first: Int32Array;
  count: Int32Array;
  /** Each output's weights in turn, at `offset[i]`. */
  weights: Float64Array;
  offset: Int32Array;
}

/** Output i of n covers the source span [start + i·length/n, start + (i+1)·length/n), cut at `end`. */
function areaAxis(start: number, length: number, n: number, end = start + length): AreaAxis {
  const step = length / n;
  const first = new Int32Array(n);
  const count = new Int32Array(n);
  const offset = new Int32Array(n);
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    const lo = start + i * step;
    const hi = Math.min(lo + step, end);
    first[i] = Math.floor(lo);
    offset[i] = weights.length;
    for (let k = first[i]; k < hi; k++) weights.push((Math.min(hi, k + 1) - Math.max(lo, k)) / (hi - lo));
    count[i] = weights.length - offset[i];
  }
  return { first, count, weights: Float64Array.from(weights), offset };
}

/**
 * Separable area average of a plane (rows of `stride` bytes from `base`) into `out`: for each
 * output row, its source rows are summed first (a plain loop along the row), then the columns.
 */
function areaAverage(frame: Buffer, base: number, stride: number, cols: AreaAxis, rows: AreaAxis, out: Float32Array): void {
  // Typed arrays in locals: V8 reloads object fields inside loops that store to typed arrays.
  const { first: xFirst, count: xCount, weights: xWeights, offset: xOffset } = cols;
  const { first: yFirst, count: yCount, weights: yWeights, offset: yOffset } = rows;
  const outW = xFirst.length;
  const outH = yFirst.length;
  const left = xFirst[0];
  const span = xFirst[outW - 1] + xCount[outW - 1] - left;
  const acc = scratch(3, span);
  for (let j = 0, o = 0; j < outH; j++) {
    const w = yOffset[j];
    let src = base + yFirst[j] * stride + left;
    let weight = yWeights[w];
    for (let x = 0; x < span; x++) acc[x] = weight * frame[src + x];
    for (let k = 1; k < yCount[j]; k++) {
      src += stride;
      weight = yWeights[w + k];
      for (let x = 0; x < span; x++) acc[x] += weight * frame[src + x];
    }
    for (let i = 0; i < outW; i++, o++) {
      const x = xFirst[i] - left;
      const t = xOffset[i];
      const n = xCount[i];
      let sum = 0;
      for (let k = 0; k < n; k++) sum += xWeights[t + k] * acc[x + k];
      out[o] = sum;
    }
  }
}

/** Reused work buffers (this runs synchronously, one crop at a time); grown as needed. */
const scratchBuffers: Float32Array[] = [];
function scratch(slot: number, length: number): Float32Array {
  if (!(scratchBuffers[slot]?.length >= length)) scratchBuffers[slot] = new Float32Array(Math.max(length, 1 << 16));
  return scratchBuffers[slot];
}
