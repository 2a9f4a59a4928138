// One sequence as TrackEval's metrics see it: per scored frame ("timestep"), the ground-truth
// and tracker ids present (relabelled 0..n−1) and their pairwise IoU.
import { boxIou, type EvalRow } from './boxes';

export interface Sequence {
  /** Engine frame index of each timestep, ascending. */
  frames: number[];
  gtIds: Int32Array[];
  trIds: Int32Array[];
  /** IoU per timestep, gt-major: sim[t][g * trIds[t].length + k]. */
  sim: Float64Array[];
  /** The file's ids behind the relabelled ones. */
  gtIdNames: number[];
  trIdNames: number[];
  numGtDets: number;
  numTrDets: number;
}

/**
 * Builds the sequence over `frames` (sorted engine frame indices); rows on other frames are
 * not scored. Rows must be unique per (frame, id), as the readers ensure.
 */
export function buildSequence(gt: readonly EvalRow[], tr: readonly EvalRow[], frames: readonly number[]): Sequence {
  const step = new Map<number, number>();
  frames.forEach((f, t) => step.set(f, t));
  const split = (rows: readonly EvalRow[]) => {
    const per: EvalRow[][] = frames.map(() => []);
    const ids = new Set<number>();
    let n = 0;
    for (const r of rows) {
      const t = step.get(r.frame);
      if (t === undefined) continue;
      per[t].push(r);
      ids.add(r.id);
      n++;
    }
    const names = [...ids].sort((a, b) => a - b);
    const index = new Map(names.map((id, i) => [id, i]));
    return { per, names, index, n };
  };
  const g = split(gt);
  const k = split(tr);
  const seq: Sequence = {
    frames: [...frames], gtIds: [], trIds: [], sim: [], gtIdNames: g.names, trIdNames: k.names, numGtDets: g.n, numTrDets: k.n,
  };
  for (let t = 0; t < frames.length; t++) {
    const gr = g.per[t];
    const kr = k.per[t];
    seq.gtIds.push(Int32Array.from(gr, (r) => g.index.get(r.id)!));
    seq.trIds.push(Int32Array.from(kr, (r) => k.index.get(r.id)!));
    const s = new Float64Array(gr.length * kr.length);
    for (let i = 0; i < gr.length; i++) for (let j = 0; j < kr.length; j++) s[i * kr.length + j] = boxIou(gr[i], kr[j]);
    seq.sim.push(s);
  }
  return seq;
}
