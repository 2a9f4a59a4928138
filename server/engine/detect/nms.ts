import type { BBox, Detection } from '../types';

/** IoU of boxes i and j in a flat [x1,y1,x2,y2,...] array. */
function iouAt(b: ArrayLike<number>, i: number, j: number): number {
  const ix1 = Math.max(b[4 * i], b[4 * j]);
  const iy1 = Math.max(b[4 * i + 1], b[4 * j + 1]);
  const ix2 = Math.min(b[4 * i + 2], b[4 * j + 2]);
  const iy2 = Math.min(b[4 * i + 3], b[4 * j + 3]);
  const inter = Math.max(0, ix2 - ix1) * Math.max(0, iy2 - iy1);
  if (inter <= 0) return 0;
  const areaI = (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
  const areaJ = (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
  return inter / (areaI + areaJ - inter);
}

export function iou(a: BBox, b: BBox): number {
  return iouAt([...a, ...b], 0, 1);
}

/** Intersection area over the smaller box's area (0 when either is empty). */
export function ios(a: BBox, b: BBox): number {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  const smaller = Math.min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]));
  return smaller > 0 ? (iw * ih) / smaller : 0;
}

/**
 * Greedy non-maximum suppression: visit boxes by descending score and drop every later
 * box whose IoU with a kept one is above iouThreshold (equal is kept).
 * boxes is flat [x1,y1,x2,y2] per box; returns the kept indices, best score first.
 */
export function nms(boxes: ArrayLike<number>, scores: ArrayLike<number>, iouThreshold: number): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.every((k) => iouAt(boxes, k, i) <= iouThreshold)) kept.push(i);
  }
  return kept;
}

export function nmsDetections(dets: Detection[], iouThreshold: number): Detection[] {
  const boxes = new Float64Array(dets.length * 4);
  dets.forEach((d, i) => boxes.set(d.bbox, 4 * i));
  return nms(boxes, dets.map((d) => d.conf), iouThreshold).map((i) => dets[i]);
}
