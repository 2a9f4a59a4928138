// Geometry of face alignment: the region of a frame an embedding needs, the least-squares
// similarity transform onto the ArcFace template, and an anti-aliased affine warp.
// Coordinates follow OpenCV's convention: pixel centres sit on integers.
import type { BBox } from '../types';

/** A copied rectangle of an rgb24 frame, with its place in the frame. */
export interface RgbRegion {
  data: Uint8Array;
  width: number;
  height: number;
  left: number;
  top: number;
}

/** x' = a·x − b·y + tx, y' = b·x + a·y + ty: rotation, uniform scale and shift. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

export const ALIGNED_SIZE = 112;

/** Eye centres, nose tip, mouth corners in the 112×112 aligned face (ArcFace). */
export const ARCFACE_TEMPLATE: readonly number[] = [
  38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041,
];

/**
 * The part of the frame that alignment can read: a square twice the box's longer side,
 * centred on the box, clipped to the frame. Copying only this keeps worker messages small,
 * and the main-thread and worker paths read identical pixels.
 */
export function cropRegion(frame: Uint8Array, width: number, height: number, bbox: BBox): RgbRegion {
  const side = 2 * Math.max(bbox[2] - bbox[0], bbox[3] - bbox[1]);
  const cx = (bbox[0] + bbox[2]) / 2;
  const cy = (bbox[1] + bbox[3]) / 2;
  const left = clamp(Math.floor(cx - side / 2), 0, width - 1);
  const top = clamp(Math.floor(cy - side / 2), 0, height - 1);
  const w = clamp(Math.ceil(cx + side / 2), left + 1, width) - left;
  const h = clamp(Math.ceil(cy + side / 2), top + 1, height) - top;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const from = ((top + y) * width + left) * 3;
    data.set(frame.subarray(from, from + w * 3), y * w * 3);
  }
  return { data, width: w, height: h, left, top };
}

/**
 * Least-squares similarity mapping points `src` onto `dst` (flat x,y lists), the 2-D case of
 * Umeyama's method: with both sets centred, a = Σ(p·q)/Σ|p|² and b = Σ(p×q)/Σ|p|².
 */
export function estimateSimilarity(src: ArrayLike<number>, dst: ArrayLike<number>): Similarity {
  const n = src.length / 2;
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[2 * i]; sy += src[2 * i + 1]; dx += dst[2 * i]; dy += dst[2 * i + 1];
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const px = src[2 * i] - sx, py = src[2 * i + 1] - sy;
    const qx = dst[2 * i] - dx, qy = dst[2 * i + 1] - dy;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm === 0) throw new Error('estimateSimilarity: the source points coincide');
  const a = dot / norm, b = cross / norm;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

export function applySimilarity(m: Similarity, x: number, y: number): [number, number] {
  return [m.a * x - m.b * y + m.tx, m.b * x + m.a * y + m.ty];
}

export function invertSimilarity(m: Similarity): Similarity {
  const k = m.a * m.a + m.b * m.b;
  const a = m.a / k, b = -m.b / k;
  return { a, b, tx: -(a * m.tx - b * m.ty), ty: -(b * m.tx + a * m.ty) };
}

/**
 * Fills an outW×outH rgb24 image: output pixel (x, y) reads the frame at toFrame(x, y).
 * Pixels outside the region read black (as cv2.warpAffine's default border). When the warp
 * shrinks, each output pixel averages n×n bilinear samples over its footprint, so large
 * faces are not aliased.
 */
export function warpRegion(src: RgbRegion, toFrame: Similarity, outW: number, outH: number, out = new Uint8Array(outW * outH * 3)): Uint8Array {
  const scale = Math.hypot(toFrame.a, toFrame.b);
  const n = Math.min(4, Math.max(1, Math.ceil(scale - 0.25)));
  const nn = n * n;
  const { a, b } = toFrame;
  const tx = toFrame.tx - src.left, ty = toFrame.ty - src.top;
  const { data, width, height } = src;
  const row = width * 3;
  // The hot loop of every embedding: taps are inlined, with a bounds-free path for samples whose
  // four taps lie inside the region (nearly all of them).
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let r = 0, g = 0, bl = 0;
      for (let j = 0; j < n; j++) {
        const oy = y + (j + 0.5) / n - 0.5;
        for (let i = 0; i < n; i++) {
          const ox = x + (i + 0.5) / n - 0.5;
          const fx = a * ox - b * oy + tx, fy = b * ox + a * oy + ty;
          const x0 = Math.floor(fx), y0 = Math.floor(fy);
          const wx = fx - x0, wy = fy - y0;
          const w00 = (1 - wx) * (1 - wy), w01 = wx * (1 - wy), w10 = (1 - wx) * wy, w11 = wx * wy;
          if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
            const p = y0 * row + x0 * 3, q = p + row;
            r += w00 * data[p] + w01 * data[p + 3] + w10 * data[q] + w11 * data[q + 3];
            g += w00 * data[p + 1] + w01 * data[p + 4] + w10 * data[q + 1] + w11 * data[q + 4];
            bl += w00 * data[p + 2] + w01 * data[p + 5] + w10 * data[q + 2] + w11 * data[q + 5];
          } else {
            // Taps outside the region read black (as cv2.warpAffine's default border).
            const weights = [w00, w01, w10, w11];
            for (let k = 0; k < 4; k++) {
              const px = x0 + (k & 1), py = y0 + (k >> 1);
              if (px < 0 || py < 0 || px >= width || py >= height) continue;
              const p = py * row + px * 3;
              r += weights[k] * data[p];
              g += weights[k] * data[p + 1];
              bl += weights[k] * data[p + 2];
            }
          }
        }
      }
      const o = (y * outW + x) * 3;
      out[o] = Math.round(r / nn);
      out[o + 1] = Math.round(g / nn);
      out[o + 2] = Math.round(bl / nn);
    }
  }
  return out;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
