// CLEAR MOT (Bernardin & Stiefelhagen 2008) as TrackEval computes it (metrics/clear.py): per
// frame, an assignment at IoU ≥ 0.5 that first keeps last frame's pairs and then maximises IoU;
// ID switches against each gt id's last match; MT/PT/ML at 80 % / 20 % of a gt id's frames.
// It also reports, per frame, what happened: the pairs, and the gt ids that switched or came
// back after a gap (a fragmentation), which the timeline draws.
import { linearAssignment } from '../track/linear-assignment';
import type { Sequence } from './sequence';

const EPS = 2.220446049250313e-16;
const THRESHOLD = 0.5;

export interface ClearResult {
  TP: number;
  FN: number;
  FP: number;
  IDSW: number;
  Frag: number;
  MT: number;
  PT: number;
  ML: number;
  MOTP_sum: number;
  Frames: number;
  MOTA: number;
  MODA: number;
  MOTP: number;
}

/** What happened on one timestep, in relabelled ids (Sequence.gtIdNames / trIdNames name them). */
export interface FrameOutcome {
  /** [gt id, tracker id] pairs matched at IoU ≥ 0.5. */
  matches: Array<[number, number]>;
  /** Gt ids matched to another tracker id than at their last match. */
  idsw: number[];
  /** Gt ids tracked again after a frame untracked (each one after the first start is a Frag). */
  frag: number[];
}

/** CLEAR metrics; with `outcomes`, also one FrameOutcome per timestep (in timestep order). */
export function clear(seq: Sequence, outcomes?: FrameOutcome[]): ClearResult {
  const res: ClearResult = { TP: 0, FN: 0, FP: 0, IDSW: 0, Frag: 0, MT: 0, PT: 0, ML: 0, MOTP_sum: 0, Frames: seq.frames.length, MOTA: 0, MODA: 0, MOTP: 0 };
  const nG = seq.gtIdNames.length;
  const empty = (): FrameOutcome => ({ matches: [], idsw: [], frag: [] });
  if (seq.numTrDets === 0 || seq.numGtDets === 0) {
    if (seq.numTrDets === 0) {
      res.FN = seq.numGtDets;
      res.ML = nG;
    } else {
      res.FP = seq.numTrDets;
    }
    if (outcomes) for (let t = 0; t < seq.frames.length; t++) outcomes.push(empty());
    return finishClear(res);
  }
  const gtCount = new Float64Array(nG);
  const gtMatched = new Float64Array(nG);
  const fragStarts = new Float64Array(nG);
  // A gt id's tracker at its last match (for IDSW), and at the last scored frame only (to keep pairs).
  const prevTracker = new Float64Array(nG).fill(NaN);
  let prevStep = new Float64Array(nG).fill(NaN);

  for (let t = 0; t < seq.frames.length; t++) {
    const g = seq.gtIds[t];
    const k = seq.trIds[t];
    const out = empty();
    outcomes?.push(out);
    if (g.length === 0) {
      res.FP += k.length;
      continue;
    }
    if (k.length === 0) {
      res.FN += g.length;
      for (const id of g) gtCount[id]++;
      continue;
    }
    const s = seq.sim[t];
    const m = k.length;
    const score = new Float64Array(g.length * m);
    for (let i = 0; i < g.length; i++) {
      for (let j = 0; j < m; j++) {
        const iou = s[i * m + j];
        score[i * m + j] = iou < THRESHOLD - EPS ? 0 : (prevStep[g[i]] === k[j] ? 1000 : 0) + iou;
      }
    }
    const cost = score.map((v) => -v);
    const nextStep = new Float64Array(nG).fill(NaN);
    let matched = 0;
    for (const [i, j] of linearAssignment(cost, g.length, m, Infinity).matches) {
      if (!(score[i * m + j] > EPS)) continue;
      const gi = g[i];
      const kj = k[j];
      matched++;
      res.MOTP_sum += s[i * m + j];
      if (!Number.isNaN(prevTracker[gi]) && prevTracker[gi] !== kj) {
        res.IDSW++;
        out.idsw.push(gi);
      }
      gtMatched[gi]++;
      prevTracker[gi] = kj;
      nextStep[gi] = kj;
      if (Number.isNaN(prevStep[gi])) {
        if (fragStarts[gi] > 0) out.frag.push(gi);
        fragStarts[gi]++;
      }
      out.matches.push([gi, kj]);
    }
    for (const id of g) gtCount[id]++;
    prevStep = nextStep;
    res.TP += matched;
    res.FN += g.length - matched;
    res.FP += m - matched;
  }

  for (let id = 0; id < nG; id++) {
    if (gtCount[id] > 0) {
      const ratio = gtMatched[id] / gtCount[id];
      if (ratio > 0.8) res.MT++;
      else if (ratio >= 0.2) res.PT++;
    }
    if (fragStarts[id] > 0) res.Frag += fragStarts[id] - 1;
  }
  res.ML = nG - res.MT - res.PT;
  return finishClear(res);
}

/** Several sequences as one: every count summed. */
export function combineClear(parts: readonly ClearResult[]): ClearResult {
  const res: ClearResult = { TP: 0, FN: 0, FP: 0, IDSW: 0, Frag: 0, MT: 0, PT: 0, ML: 0, MOTP_sum: 0, Frames: 0, MOTA: 0, MODA: 0, MOTP: 0 };
  for (const p of parts) {
    for (const key of ['TP', 'FN', 'FP', 'IDSW', 'Frag', 'MT', 'PT', 'ML', 'MOTP_sum', 'Frames'] as const) res[key] += p[key];
  }
  return finishClear(res);
}

function finishClear(res: ClearResult): ClearResult {
  const gt = Math.max(1, res.TP + res.FN);
  res.MODA = (res.TP - res.FP) / gt;
  res.MOTA = (res.TP - res.FP - res.IDSW) / gt;
  res.MOTP = res.MOTP_sum / Math.max(1, res.TP);
  return res;
}
