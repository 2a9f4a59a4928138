// The rows that evaluation compares: one box of one id on one frame, frames 0-based like the
// engine's frame_idx, boxes as corners in source pixels.

export interface EvalRow {
  /** 0-based frame index (the engine's frame_idx). */
  frame: number;
  id: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** 1-based line of the file the row came from (ground truth only). */
  line?: number;
}

const EPS = 2.220446049250313e-16; // numpy's finfo(float).eps, which TrackEval's IoU compares with

/**
 * IoU of two boxes, computed in TrackEval's order of operations (`_calculate_box_ious`) so that
 * the scores agree with its numbers to the last bits: degenerate boxes have IoU 0.
 */
export function boxIou(a: EvalRow, b: EvalRow): number {
  const area1 = (a.x2 - a.x1) * (a.y2 - a.y1);
  const area2 = (b.x2 - b.x1) * (b.y2 - b.y1);
  const iw = Math.max(Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1), 0);
  const ih = Math.max(Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1), 0);
  let inter = iw * ih;
  let union = area1 + area2 - inter;
  if (area1 <= EPS || area2 <= EPS || union <= EPS) inter = 0;
  if (union <= EPS) union = 1;
  return inter / union;
}
