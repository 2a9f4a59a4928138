// What the scene detector measures on each 320×240 yuv420p frame, read straight from the
// stream: an HSV colour histogram (blind to where colours are) and a grid of value, chroma and
// hue samples for the content score (blind to a whole picture shifting across a bin edge).
import { yuv420pSize, YUV_TABLE_SHIFT, yuvTables, type YuvColor } from '../decode/yuv';


const H_BINS = 16;
const S_BINS = 4;
const V_BINS = 4;
/** Joint H × S × V bins: a joint histogram tells "dark red" from "dark" + "red" elsewhere. */
export const HIST_BINS = H_BINS * S_BINS * V_BINS;
/**
 * Every 2nd pixel in x and y: distances on real clips move by < 0.01, for a quarter of the work.
 * Each sample is then the top-left pixel of a 2×2 block, whose chroma sample is its own.
 */
const PIXEL_STEP = 2;
/** Colours are looked up at 6 bits per channel, so the HSV maths runs once per colour, not per pixel. */
const LUT_BITS = 6;

let binLut: Uint8Array | undefined;
let hueLut: Uint8Array | undefined;

/** Histogram bin and hue (0..255) of every 6-bit-per-channel colour, built on first use (262,144 entries each). */
function luts(): { bins: Uint8Array; hues: Uint8Array } {
  if (binLut && hueLut) return { bins: binLut, hues: hueLut };
  const levels = 1 << LUT_BITS;
  const shift = 8 - LUT_BITS;
  const half = 1 << (shift - 1);
  const bins = new Uint8Array(levels ** 3);
  const hues = new Uint8Array(levels ** 3);
  for (let r = 0; r < levels; r++) {
    for (let g = 0; g < levels; g++) {
      for (let b = 0; b < levels; b++) {
        const i = (r << (2 * LUT_BITS)) | (g << LUT_BITS) | b;
        const [bin, hue] = hsvBin((r << shift) + half, (g << shift) + half, (b << shift) + half);
        bins[i] = bin;
        hues[i] = hue;
      }
    }
  }
  binLut = bins;
  hueLut = hues;
  return { bins, hues };
}

/** The colour's joint HSV bin, and its hue scaled to 0..255 (0 for grey). */
function hsvBin(r: number, g: number, b: number): [number, number] {
  const max = Math.max(r, g, b);
  const delta = max - Math.min(r, g, b);
  let h = 0; // hue in sextants, 0..6; grey has none and lands in bin 0
  if (delta > 0) {
    if (max === r) h = ((g - b) / delta + 6) % 6;
    else if (max === g) h = (b - r) / delta + 2;
    else h = (r - g) / delta + 4;
  }
  const s = max > 0 ? delta / max : 0;
  const v = max / 255;
  const q = (x: number, n: number): number => Math.min(n - 1, Math.floor(x * n));
  return [(q(h / 6, H_BINS) * S_BINS + q(s, S_BINS)) * V_BINS + q(v, V_BINS), Math.floor((h / 6) * 256) & 255];
}

/**
 * Every 4th pixel in x and y (every 2nd histogram sample of every 2nd histogram row) feeds the
 * content score: 4,800 samples at 320×240, plenty for a mean, at a small part of the histogram's cost.
 */
export const CONTENT_STEP = 4;

export const contentSamples = (width: number, height: number): number =>
  Math.ceil(width / CONTENT_STEP) * Math.ceil(height / CONTENT_STEP);

/**
 * The per-pixel picture the content score compares: value (max of R, G, B), chroma (max − min)
 * and hue. Chroma rather than saturation: saturation jumps from 0 to full as a black pixel
 * brightens by one step, chroma grows with the light, so a fade changes it smoothly.
 */
export interface ContentSamples {
  value: Uint8Array;
  chroma: Uint8Array;
  hue: Uint8Array;
  /** The same samples' YCbCr codes as decoded: a cross-fade is linear in them (see dissolve tests). */
  y: Uint8Array;
  cb: Uint8Array;
  cr: Uint8Array;
}

export function newContentSamples(width: number, height: number): ContentSamples {
  const n = contentSamples(width, height);
  const a = () => new Uint8Array(n);
  return { value: a(), chroma: a(), hue: a(), y: a(), cb: a(), cr: a() };
}

/**
 * Fills `out` (HIST_BINS counts) with the HSV histogram of a packed yuv420p frame, subsampled,
 * and `content`, when given, with the content samples. Each sample is converted to RGB first,
 * then quantized as rgb24 frames were: quantizing YCbCr instead moved real distances (a Sintel
 * cut at frame 58 fell from 0.36 to 0.19). Returns the mean value of the content samples
 * (0 without them): the frame's brightness, for fades.
 */
export function measureFrame(
  yuv: Uint8Array, width: number, height: number, color: YuvColor, out: Uint32Array, content?: ContentSamples,
): number {
  if (yuv.length < yuv420pSize(width, height)) throw new Error(`frame of ${yuv.length} bytes is smaller than ${width}x${height} yuv420p`);
  const { bins, hues } = luts();
  const shift = 8 - LUT_BITS;
  const { y: ty, rv, gu, gv, bu } = yuvTables(color);
  const cw = (width + 1) >> 1;
  const uPlane = width * height;
  const vPlane = uPlane + cw * ((height + 1) >> 1);
  out.fill(0);
  let k = 0;
  let valueSum = 0;
  for (let y = 0; y < height; y += PIXEL_STEP) {
    const keep = content !== undefined && y % CONTENT_STEP === 0;
    // Samples at even x: luma index 2k, chroma index k of this row's chroma line.
    let i = y * width;
    const c0 = (y >> 1) * cw;
    for (let c = c0, end = c0 + cw; c < end; c++, i += PIXEL_STEP) {
      const l = ty[yuv[i]];
      const u = yuv[uPlane + c];
      const v = yuv[vPlane + c];
      let r = (l + rv[v]) >> YUV_TABLE_SHIFT;
      let g = (l - gu[u] - gv[v]) >> YUV_TABLE_SHIFT;
      let b = (l + bu[u]) >> YUV_TABLE_SHIFT;
      r = r < 0 ? 0 : r > 255 ? 255 : r;
      g = g < 0 ? 0 : g > 255 ? 255 : g;
      b = b < 0 ? 0 : b > 255 ? 255 : b;
      const colour = ((r >> shift) << (2 * LUT_BITS)) | ((g >> shift) << LUT_BITS) | (b >> shift);
      out[bins[colour]]++;
      if (keep && ((c - c0) & 1) === 0) {
        const max = r > g ? (r > b ? r : b) : g > b ? g : b;
        const min = r < g ? (r < b ? r : b) : g < b ? g : b;
        content.value[k] = max;
        content.chroma[k] = max - min;
        content.hue[k] = hues[colour];
        content.y[k] = yuv[i];
        content.cb[k] = u;
        content.cr[k++] = v;
        valueSum += max;
      }
    }
  }
  return k > 0 ? valueSum / k : 0;
}

/** The HSV histogram alone (see measureFrame). */
export function hsvHistogram(yuv: Uint8Array, width: number, height: number, color: YuvColor, out = new Uint32Array(HIST_BINS)): Uint32Array {
  measureFrame(yuv, width, height, color, out);
  return out;
}

/**
 * Mean absolute per-sample change of value, chroma and hue between two frames' samples (0..255;
 * 0 for identical pictures). Hue is circular and counts in proportion to the smaller chroma of
 * the two: the hue of a grey or near-black pixel is noise.
 */
export function contentDistance(a: ContentSamples, b: ContentSamples): number {
  const n = a.value.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const dv = a.value[i] - b.value[i];
    const ka = a.chroma[i];
    const kb = b.chroma[i];
    let dh = (a.hue[i] - b.hue[i]) & 255;
    if (dh > 128) dh = 256 - dh;
    sum += (dv < 0 ? -dv : dv) + (ka > kb ? ka - kb : kb - ka) + ((dh * (ka < kb ? ka : kb)) >> 7);
  }
  return n > 0 ? sum / (3 * n) : 0;
}

/** 1 − histogram intersection: 0 for identical colour distributions, 1 for disjoint ones. */
export function histogramDistance(a: Uint32Array, b: Uint32Array): number {
  let common = 0;
  let totalA = 0;
  let totalB = 0;
  for (let i = 0; i < a.length; i++) {
    common += Math.min(a[i], b[i]);
    totalA += a[i];
    totalB += b[i];
  }
  const total = Math.max(totalA, totalB);
  return total > 0 ? 1 - common / total : 0;
}

/** Distance between two yuv420p frames of the same size and colour (allocates; for tests and tools). */
export function frameDistance(a: Uint8Array, b: Uint8Array, width: number, height: number, color: YuvColor): number {
  return histogramDistance(hsvHistogram(a, width, height, color), hsvHistogram(b, width, height, color));
}
