// Scoring what tiles did on a run: detection recall and precision against the generated ground
// truth, duplicate boxes on one face, and the detection stage's cost in model runs.
import type { DetectionMetrics } from '../../server/engine/manifests/track-metrics';
import type { BBox } from '../../server/engine/types';
import type { MotMetrics } from '../fixtures/mot-metrics';
import type { MotRow } from '../fixtures/mot-format';

/**
 * The landmark model reads a 64×64 grey crop; measured here one run costs about a tenth of a
 * detector run on 320×240 (1.1 ms against 13 ms on one loaded core).
 */
export const LANDMARK_RUN_COST = 0.1;

/** Detection recall and precision at IoU 0.5 (the MOT matches), in 0–1. */
export function detectionScores(m: MotMetrics): { recall: number; precision: number } {
  return { recall: m.matches / m.gt, precision: m.matches / m.hyp };
}

/** Extra detector-run equivalents per analysed frame that tiles and the face check cost. */
export function extraCost(d: DetectionMetrics): number {
  const p = d.per_frame;
  return p.tile_inferences + p.check_view_inferences + LANDMARK_RUN_COST * p.check_landmark_runs;
}

/**
 * Scored GT faces that got two or more boxes on one frame. Each box belongs to the face its area
 * overlaps most, when at least 60% of it lies on that face's box: a half face cut by a tile edge
 * next to the whole face's box counts, two neighbours' own boxes do not.
 */
export function duplicateFaces(gt: readonly MotRow[], hyp: readonly MotRow[]): { frame: number; gtId: number; boxes: BBox[] }[] {
  const byFrame = new Map<number, { gt: MotRow[]; hyp: MotRow[] }>();
  const at = (f: number) => byFrame.get(f) ?? byFrame.set(f, { gt: [], hyp: [] }).get(f)!;
  for (const r of gt) if (r.conf !== 0) at(r.frame).gt.push(r);
  for (const r of hyp) at(r.frame).hyp.push(r);
  const out: { frame: number; gtId: number; boxes: BBox[] }[] = [];
  for (const [frame, rows] of byFrame) {
    const owned = new Map<number, BBox[]>();
    for (const h of rows.hyp) {
      let best: MotRow | undefined;
      let bestShare = 0.6;
      for (const g of rows.gt) {
        const share = intersection(h.bbox, g.bbox) / area(h.bbox);
        if (share >= bestShare) [best, bestShare] = [g, share];
      }
      if (best) owned.set(best.id, [...(owned.get(best.id) ?? []), h.bbox]);
    }
    for (const [gtId, boxes] of owned) if (boxes.length > 1) out.push({ frame, gtId, boxes });
  }
  return out;
}

const area = (b: BBox) => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);

function intersection(a: BBox, b: BBox): number {
  return area([Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])]);
}
