// HOTA (Luiten et al., IJCV 2020) as TrackEval computes it (metrics/hota.py): per α, one
// assignment per frame that maximises the global alignment score × IoU, then detection and
// association accuracy from the matched pairs. Kept to TrackEval's order of operations so the
// numbers agree with its own to far below 1e-4. Sparse over id pairs: a long episode has many
// ids but each one meets few others.
import { linearAssignment } from '../track/linear-assignment';
import type { Sequence } from './sequence';

const EPS = 2.220446049250313e-16;

/** α = 0.05, 0.10, …, 0.95 (numpy's arange(0.05, 0.99, 0.05)). */
export const ALPHAS: readonly number[] = Array.from({ length: 19 }, (_, a) => 0.05 + a * 0.05);

/** Per-α arrays, one entry per ALPHAS. */
export interface HotaResult {
  TP: Float64Array;
  FN: Float64Array;
  FP: Float64Array;
  AssA: Float64Array;
  AssRe: Float64Array;
  AssPr: Float64Array;
  LocA: Float64Array;
  DetA: Float64Array;
  DetRe: Float64Array;
  DetPr: Float64Array;
  HOTA: Float64Array;
}

const arrays = () => {
  const z = () => new Float64Array(ALPHAS.length);
  return { TP: z(), FN: z(), FP: z(), AssA: z(), AssRe: z(), AssPr: z(), LocA: z(), DetA: z(), DetRe: z(), DetPr: z(), HOTA: z() };
};

export function hota(seq: Sequence): HotaResult {
  const res = arrays();
  const nA = ALPHAS.length;
  if (seq.numTrDets === 0 || seq.numGtDets === 0) {
    (seq.numTrDets === 0 ? res.FN : res.FP).fill(seq.numTrDets === 0 ? seq.numGtDets : seq.numTrDets);
    res.LocA.fill(1);
    return finishHota(res);
  }
  const nT = seq.trIdNames.length;
  const gtCount = new Float64Array(seq.gtIdNames.length);
  const trCount = new Float64Array(nT);
  const potential = new Map<number, number>();

  // Pass 1: how much each gt id and tracker id overlap over the whole sequence.
  for (let t = 0; t < seq.frames.length; t++) {
    const g = seq.gtIds[t];
    const k = seq.trIds[t];
    const s = seq.sim[t];
    const m = k.length;
    const rowSum = new Float64Array(g.length);
    const colSum = new Float64Array(m);
    for (let i = 0; i < g.length; i++) {
      for (let j = 0; j < m; j++) {
        rowSum[i] += s[i * m + j];
        colSum[j] += s[i * m + j];
      }
    }
    for (let i = 0; i < g.length; i++) {
      for (let j = 0; j < m; j++) {
        const denom = colSum[j] + rowSum[i] - s[i * m + j];
        if (!(denom > EPS) || s[i * m + j] === 0) continue;
        const key = g[i] * nT + k[j];
        potential.set(key, (potential.get(key) ?? 0) + s[i * m + j] / denom);
      }
    }
    for (const id of g) gtCount[id]++;
    for (const id of k) trCount[id]++;
  }
  const alignment = (gi: number, kj: number): number => {
    const p = potential.get(gi * nT + kj);
    return p === undefined ? 0 : p / (gtCount[gi] + trCount[kj] - p);
  };

  // Pass 2: per frame, the assignment that maximises alignment × IoU; each α keeps its pairs at IoU ≥ α.
  const matchCounts = new Map<number, Float64Array>();
  for (let t = 0; t < seq.frames.length; t++) {
    const g = seq.gtIds[t];
    const k = seq.trIds[t];
    if (g.length === 0 || k.length === 0) {
      const into = g.length === 0 ? res.FP : res.FN;
      for (let a = 0; a < nA; a++) into[a] += g.length + k.length;
      continue;
    }
    const s = seq.sim[t];
    const m = k.length;
    const cost = new Float64Array(g.length * m);
    for (let i = 0; i < g.length; i++) for (let j = 0; j < m; j++) cost[i * m + j] = -(alignment(g[i], k[j]) * s[i * m + j]);
    const { matches } = linearAssignment(cost, g.length, m, Infinity);
    const matched = new Float64Array(nA);
    for (const [i, j] of matches) {
      const iou = s[i * m + j];
      let counts: Float64Array | undefined;
      for (let a = 0; a < nA; a++) {
        if (!(iou >= ALPHAS[a] - EPS)) break;
        matched[a]++;
        res.LocA[a] += iou;
        const key = g[i] * nT + k[j];
        counts ??= matchCounts.get(key) ?? matchCounts.set(key, new Float64Array(nA)).get(key)!;
        counts[a]++;
      }
    }
    for (let a = 0; a < nA; a++) {
      res.TP[a] += matched[a];
      res.FN[a] += g.length - matched[a];
      res.FP[a] += m - matched[a];
    }
  }

  // Association: per matched id pair, how much of both ids' lives the pair covers.
  for (const [key, counts] of matchCounts) {
    const gc = gtCount[Math.floor(key / nT)];
    const tc = trCount[key % nT];
    for (let a = 0; a < nA; a++) {
      const c = counts[a];
      if (c === 0) continue;
      res.AssA[a] += c * (c / Math.max(1, gc + tc - c));
      res.AssRe[a] += c * (c / Math.max(1, gc));
      res.AssPr[a] += c * (c / Math.max(1, tc));
    }
  }
  for (let a = 0; a < nA; a++) {
    const tp = Math.max(1, res.TP[a]);
    res.AssA[a] /= tp;
    res.AssRe[a] /= tp;
    res.AssPr[a] /= tp;
    res.LocA[a] = Math.max(1e-10, res.LocA[a]) / Math.max(1e-10, res.TP[a]);
  }
  return finishHota(res);
}

/** Several sequences as one (TrackEval's combine_sequences): sums, and TP-weighted means. */
export function combineHota(parts: readonly HotaResult[]): HotaResult {
  const res = arrays();
  for (let a = 0; a < ALPHAS.length; a++) {
    let locW = 0;
    for (const p of parts) {
      res.TP[a] += p.TP[a];
      res.FN[a] += p.FN[a];
      res.FP[a] += p.FP[a];
      res.AssA[a] += p.AssA[a] * p.TP[a];
      res.AssRe[a] += p.AssRe[a] * p.TP[a];
      res.AssPr[a] += p.AssPr[a] * p.TP[a];
      locW += p.LocA[a] * p.TP[a];
    }
    const tp = Math.max(1, res.TP[a]);
    res.AssA[a] /= tp;
    res.AssRe[a] /= tp;
    res.AssPr[a] /= tp;
    res.LocA[a] = Math.max(1e-10, locW) / Math.max(1e-10, res.TP[a]);
  }
  return finishHota(res);
}

function finishHota(res: HotaResult): HotaResult {
  for (let a = 0; a < ALPHAS.length; a++) {
    const tp = res.TP[a];
    res.DetRe[a] = tp / Math.max(1, tp + res.FN[a]);
    res.DetPr[a] = tp / Math.max(1, tp + res.FP[a]);
    res.DetA[a] = tp / Math.max(1, tp + res.FN[a] + res.FP[a]);
    res.HOTA[a] = Math.sqrt(res.DetA[a] * res.AssA[a]);
  }
  return res;
}

/** TrackEval's headline value of a per-α array: its mean. */
export const auc = (values: Float64Array): number => values.reduce((s, v) => s + v, 0) / values.length;
