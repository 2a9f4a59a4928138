// Association costs between track boxes and detections, and the thresholded assignment the
// tracker runs on them. Matrices are row-major Float64Array, rows = tracks, cols = detections.

import type { BBox, Detection } from '../types';
import { linearAssignment, type AssignmentResult } from './linear-assignment';

/** IoU of every box in `a` (rows) with every box in `b` (cols). */
export function iouMatrix(a: readonly BBox[], b: readonly BBox[]): Float64Array {
  const out = new Float64Array(a.length * b.length);
  for (let i = 0; i < a.length; i++) {
    const [ax1, ay1, ax2, ay2] = a[i];
    const areaA = Math.max(0, ax2 - ax1) * Math.max(0, ay2 - ay1);
    for (let j = 0; j < b.length; j++) {
      const [bx1, by1, bx2, by2] = b[j];
      const iw = Math.min(ax2, bx2) - Math.max(ax1, bx1);
      const ih = Math.min(ay2, by2) - Math.max(ay1, by1);
      if (iw <= 0 || ih <= 0) continue;
      const inter = iw * ih;
      const union = areaA + Math.max(0, bx2 - bx1) * Math.max(0, by2 - by1) - inter;
      out[i * b.length + j] = union > 0 ? inter / union : 0;
    }
  }
  return out;
}

/** 1 − IoU, the association cost. */
export function iouCost(a: readonly BBox[], b: readonly BBox[]): Float64Array {
  const cost = iouMatrix(a, b);
  for (let k = 0; k < cost.length; k++) cost[k] = 1 - cost[k];
  return cost;
}

/**
 * ByteTrack's fuse_score, in place: cost ← 1 − IoU·score, so that of two equally overlapping
 * detections the more confident one is cheaper. `scores` are per column (detection).
 */
export function fuseScore(cost: Float64Array, scores: readonly number[]): Float64Array {
  const cols = scores.length;
  for (let k = 0; k < cost.length; k++) cost[k] = 1 - (1 - cost[k]) * scores[k % cols];
  return cost;
}

/**
 * Optimal one-to-one matching of track boxes (rows) to detections (cols) on IoU cost;
 * pairs costing more than `maxCost` (1 − minimum IoU) stay unmatched.
 */
export function associate(
  trackBoxes: readonly BBox[],
  dets: readonly Detection[],
  maxCost: number,
  fuse = false,
): AssignmentResult {
  const cost = iouCost(trackBoxes, dets.map((d) => d.bbox));
  if (fuse) fuseScore(cost, dets.map((d) => d.conf));
  return linearAssignment(cost, trackBoxes.length, dets.length, maxCost);
}
