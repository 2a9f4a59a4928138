// Scoring what tiles did on a run, beside the engine's evaluation (eval.json): detection recall
// and precision at IoU 0.5, duplicate boxes on one face, and the detection stage's cost in model
// runs.
import type { EvalRow } from '../../server/engine/eval/boxes';
import type { EvalReport } from '../../server/engine/eval/evaluate-run';
import type { DetectionMetrics } from '../../server/engine/manifests/track-metrics';

/**
 * The landmark model reads a 64×64 grey crop; measured here one run costs about a tenth of a
 * detector run on 320×240 (1.1 ms against 13 ms on one loaded core).
 */
export const LANDMARK_RUN_COST = 0.1;

/** Detection recall and precision at IoU 0.5 (CLEAR's matches), in 0–1. */
export function detectionScores({ clear }: EvalReport): { recall: number; precision: number } {
  return { recall: clear.TP / (clear.TP + clear.FN), precision: clear.TP / Math.max(1, clear.TP + clear.FP) };
}

/** Extra detector-run equivalents per analysed frame that tiles and the face check cost. */
export function extraCost(d: DetectionMetrics): number {
  const p = d.per_frame;
  return p.tile_inferences + p.check_view_inferences + LANDMARK_RUN_COST * p.check_landmark_runs;
}

/**
 * Scored ground-truth faces that got two or more boxes on one frame. Each box belongs to the face
 * its area overlaps most, when at least 60% of it lies on that face's box: a half face cut by a
 * tile edge next to the whole face's box counts, two neighbours' own boxes do not.
 */
export function duplicateFaces(gt: readonly EvalRow[], hyp: readonly EvalRow[]): { frame: number; gtId: number; boxes: EvalRow[] }[] {
  const byFrame = new Map<number, { gt: EvalRow[]; hyp: EvalRow[] }>();
  const at = (f: number) => byFrame.get(f) ?? byFrame.set(f, { gt: [], hyp: [] }).get(f)!;
  for (const r of gt) at(r.frame).gt.push(r);
  for (const r of hyp) at(r.frame).hyp.push(r);
  const out: { frame: number; gtId: number; boxes: EvalRow[] }[] = [];
  for (const [frame, rows] of byFrame) {
    const owned = new Map<number, EvalRow[]>();
    for (const h of rows.hyp) {
      let best: EvalRow | undefined;
      let bestShare = 0.6;
      for (const g of rows.gt) {
        const share = intersection(h, g) / area(h);
        if (share >= bestShare) [best, bestShare] = [g, share];
      }
      if (best) owned.set(best.id, [...(owned.get(best.id) ?? []), h]);
    }
    for (const [gtId, boxes] of owned) if (boxes.length > 1) out.push({ frame, gtId, boxes });
  }
  return out;
}

const area = (b: EvalRow) => Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);

function intersection(a: EvalRow, b: EvalRow): number {
  return Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1)) * Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
}
