// Full-resolution frames as yuv420p (half the bytes of rgb24, and no rgb pass in ffmpeg) when
// only a few small regions of each frame are ever looked at: those regions are converted here.
import type { Rect } from '../export/crop';

/** How a stream's YCbCr maps to RGB: the matrix (BT.601 or BT.709) and the range of its codes. */
export interface YuvColor {
  matrix: 'bt601' | 'bt709';
  /** limited: Y 16–235, Cb/Cr 16–240 (ffmpeg's "tv"); full: 0–255 ("pc"). */
  range: 'limited' | 'full';
}

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

const SHIFT = 16;
const HALF = 1 << (SHIFT - 1);

/** Per-code lookup tables in 16.16 fixed point; one set per colour, built on first use. */
interface Tables {
  y: Int32Array;
  /** Indexed by the sum of a 2×2 block's luma codes: the block's mean luma. */
  y4: Int32Array;
  rv: Int32Array;
  gu: Int32Array;
  gv: Int32Array;
  bu: Int32Array;
}
const tableCache = new Map<string, Tables>();

function tables(color: YuvColor): Tables {
  const key = `${color.matrix}/${color.range}`;
  let t = tableCache.get(key);
  if (t) return t;
  const [kr, kb] = color.matrix === 'bt709' ? [0.2126, 0.0722] : [0.299, 0.114];
  const kg = 1 - kr - kb;
  const limited = color.range === 'limited';
  const yScale = limited ? 255 / 219 : 1;
  const cScale = limited ? 255 / 224 : 1;
  const fix = (v: number) => Math.round(v * (1 << SHIFT));
  const luma = (code: number) => fix((code - (limited ? 16 : 0)) * yScale) + HALF;
  t = { y: new Int32Array(256), y4: new Int32Array(1021), rv: new Int32Array(256), gu: new Int32Array(256), gv: new Int32Array(256), bu: new Int32Array(256) };
  // The rounding half is folded into the luma terms, so each channel is one add and one shift.
  for (let sum = 0; sum < 1021; sum++) t.y4[sum] = luma(sum / 4);
  for (let i = 0; i < 256; i++) {
    t.y[i] = luma(i);
    const c = (i - 128) * cScale;
    t.rv[i] = fix(2 * (1 - kr) * c);
    t.bu[i] = fix(2 * (1 - kb) * c);
    t.gu[i] = fix(((2 * kb * (1 - kb)) / kg) * c);
    t.gv[i] = fix(((2 * kr * (1 - kr)) / kg) * c);
  }
  tableCache.set(key, t);
  return t;
}

/**
 * `rect` of a packed yuv420p frame as packed rgb24. Chroma is replicated over each 2×2 block,
 * as ffmpeg's own unscaled yuv420p→rgb24 conversion does. Row-wise, two pixels per chroma
 * sample, table lookups and integer adds only: this runs on the main thread for every crop.
 */
export function yuv420pRectToRgb(frame: Buffer, width: number, height: number, rect: Rect, color: YuvColor): Buffer {
  const { cw, uPlane, vPlane } = planes(frame, width, height);
  const { y: ty, rv, gu, gv, bu } = tables(color);
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

/** `rect` grown to whole 2×2 chroma blocks (at most a pixel per side), kept inside the frame. */
export function blockAligned(rect: Rect, width: number, height: number): Rect {
  const left = rect.left & ~1;
  const top = rect.top & ~1;
  return {
    left,
    top,
    width: Math.min(rect.left + rect.width + 1 - left, width - left) & ~1,
    height: Math.min(rect.top + rect.height + 1 - top, height - top) & ~1,
  };
}

/**
 * A blockAligned `rect` at half resolution: each pixel is one 2×2 block, its mean luma with the
 * block's chroma sample. For crops that are scaled down by half or more anyway: a quarter of
 * the pixels to convert, and to resample.
 */
export function yuv420pRectToRgbHalf(frame: Buffer, width: number, height: number, rect: Rect, color: YuvColor): Buffer {
  if ((rect.left | rect.top | rect.width | rect.height) & 1) throw new RangeError('yuv420pRectToRgbHalf: rect is not block-aligned');
  const { cw, uPlane, vPlane } = planes(frame, width, height);
  const { y4, rv, gu, gv, bu } = tables(color);
  const outW = rect.width >> 1;
  const outH = rect.height >> 1;
  const out = Buffer.allocUnsafe(outW * outH * 3);
  const rgb = new Uint8ClampedArray(out.buffer, out.byteOffset, out.length);
  let o = 0;
  for (let j = 0; j < outH; j++) {
    const row = rect.top + 2 * j;
    const y0 = row * width;
    const y1 = y0 + width;
    const cRow = (row >> 1) * cw + (rect.left >> 1);
    for (let i = 0, x = rect.left; i < outW; i++, x += 2) {
      const c = cRow + i;
      const u = frame[uPlane + c];
      const v = frame[vPlane + c];
      const l = y4[frame[y0 + x] + frame[y0 + x + 1] + frame[y1 + x] + frame[y1 + x + 1]];
      rgb[o] = (l + rv[v]) >> SHIFT;
      rgb[o + 1] = (l - gu[u] - gv[v]) >> SHIFT;
      rgb[o + 2] = (l + bu[u]) >> SHIFT;
      o += 3;
    }
  }
  return out;
}
