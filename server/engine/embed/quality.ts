// Cheap face-crop quality measures for faces_embed, on the same 64×64 grey crop the landmark
// model reads, so they do not depend on the face's size in the frame.
import type { BBox } from '../types';
import type { RgbRegion } from './align';
import { greyCrop, LANDMARK_SIZE } from './landmarks';

export interface FaceQuality {
  /** Standard deviation of the grey crop (0–255). */
  contrast: number;
  /** Variance of the 4-neighbour Laplacian of the grey crop: low for blurred faces. */
  sharpness: number;
}

/** A face the gate embedded, with the quality faces_embed would measure on the same pixels. */
export interface EmbeddedFace {
  /** L2-normalised. */
  embedding: Float32Array;
  quality: FaceQuality;
}

export function faceQuality(region: RgbRegion, bbox: BBox): FaceQuality {
  const g = greyCrop(region, bbox);
  const n = LANDMARK_SIZE;
  return { contrast: Math.sqrt(variance(g)), sharpness: variance(laplacian(g, n)) };
}

/** Weight of a kept face in its track's prototype, in 0–1: confidence, discounted for low contrast or sharpness (saturating at 4× their minimums). */
export function qualityScore(conf: number, q: FaceQuality, minContrast: number, minSharpness: number): number {
  const sat = (v: number, min: number) => (min > 0 ? Math.min(1, v / (4 * min)) : 1);
  return conf * sat(q.contrast, minContrast) * sat(q.sharpness, minSharpness);
}

function laplacian(g: Uint8Array, n: number): Float32Array {
  const out = new Float32Array((n - 2) * (n - 2));
  let k = 0;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      const i = y * n + x;
      out[k++] = g[i - 1] + g[i + 1] + g[i - n] + g[i + n] - 4 * g[i];
    }
  }
  return out;
}

function variance(v: ArrayLike<number>): number {
  let s = 0, s2 = 0;
  for (let i = 0; i < v.length; i++) {
    s += v[i];
    s2 += v[i] * v[i];
  }
  const m = s / v.length;
  return Math.max(0, s2 / v.length - m * m);
}
