// Cut detection by HSV colour-histogram distance between consecutive frames, read straight
// from the 320×240 yuv420p stream.
import { yuv420pSize, YUV_TABLE_SHIFT, yuvTables, type YuvColor } from '../decode/yuv';
import type { SceneDetector } from './scene-detector';

// The defaults (threshold, min_len) live in the config schema, scene.* — tuned on real footage
// at 320×240: true cuts score 0.32–0.83, motion, flicker and gradual morphs at most 0.14.

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

/** Histogram bin of every 6-bit-per-channel colour, built on first use (262,144 entries). */
function lut(): Uint8Array {
  if (binLut) return binLut;
  const levels = 1 << LUT_BITS;
  const shift = 8 - LUT_BITS;
  const half = 1 << (shift - 1);
  binLut = new Uint8Array(levels ** 3);
  for (let r = 0; r < levels; r++) {
    for (let g = 0; g < levels; g++) {
      for (let b = 0; b < levels; b++) {
        binLut[(r << (2 * LUT_BITS)) | (g << LUT_BITS) | b] = hsvBin((r << shift) + half, (g << shift) + half, (b << shift) + half);
      }
    }
  }
  return binLut;
}

function hsvBin(r: number, g: number, b: number): number {
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
  return (q(h / 6, H_BINS) * S_BINS + q(s, S_BINS)) * V_BINS + q(v, V_BINS);
}

/**
 * Fills `out` (HIST_BINS counts) with the HSV histogram of a packed yuv420p frame, subsampled.
 * Each sample is converted to RGB first, then quantized as rgb24 frames were: quantizing YCbCr
 * instead moved real distances (a Sintel cut at frame 58 fell from 0.36 to 0.19).
 */
export function hsvHistogram(yuv: Uint8Array, width: number, height: number, color: YuvColor, out = new Uint32Array(HIST_BINS)): Uint32Array {
  if (yuv.length < yuv420pSize(width, height)) throw new Error(`frame of ${yuv.length} bytes is smaller than ${width}x${height} yuv420p`);
  const table = lut();
  const shift = 8 - LUT_BITS;
  const { y: ty, rv, gu, gv, bu } = yuvTables(color);
  const cw = (width + 1) >> 1;
  const uPlane = width * height;
  const vPlane = uPlane + cw * ((height + 1) >> 1);
  out.fill(0);
  for (let y = 0; y < height; y += PIXEL_STEP) {
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
      out[table[((r >> shift) << (2 * LUT_BITS)) | ((g >> shift) << LUT_BITS) | (b >> shift)]]++;
    }
  }
  return out;
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

export interface HistogramSceneOptions {
  /** Distance (0..1) at or above which a frame may start a new shot. */
  threshold: number;
  /** Frames of calm required before a cut: see push(). */
  minLen: number;
  /** How the frames' YCbCr maps to RGB (smallFrameColor() for the decoder's small stream). */
  color: YuvColor;
}

/**
 * A cut is a frame whose distance to the previous frame reaches the threshold, at least
 * `minLen` frames after the previous cut *or suppressed candidate*. Counting suppressed
 * candidates makes a burst of big changes (a strobing hologram, flashes, a flicker that
 * alternates two looks) one event reported at its first frame, instead of a cut every
 * `minLen` frames through the burst. Allocation-free per frame.
 */
export class HistogramSceneDetector implements SceneDetector {
  private prev = new Uint32Array(HIST_BINS);
  private cur = new Uint32Array(HIST_BINS);
  private lastEvent = -1;
  /** Frames pushed so far. */
  frames = 0;
  /** Cuts reported so far. */
  cuts = 0;
  /** Distance of the last pushed frame to its predecessor (0 for the first frame). */
  lastDistance = 0;

  constructor(private readonly opts: HistogramSceneOptions) {}

  push(index: number, yuv: Uint8Array, width: number, height: number): boolean {
    hsvHistogram(yuv, width, height, this.opts.color, this.cur);
    [this.prev, this.cur] = [this.cur, this.prev];
    this.frames++;
    if (this.lastEvent < 0) {
      this.lastEvent = index; // the first frame starts the first shot
      this.lastDistance = 0;
      return false;
    }
    this.lastDistance = histogramDistance(this.cur, this.prev);
    if (this.lastDistance < this.opts.threshold) return false;
    const cut = index - this.lastEvent >= this.opts.minLen;
    this.lastEvent = index;
    if (cut) this.cuts++;
    return cut;
  }
}
