// Identity metrics (Ristani et al. 2016) as TrackEval computes them (metrics/identity.py): one
// global matching of gt ids to tracker ids that maximises the frames they share at IoU ≥ 0.5
// (IDTP). TrackEval solves it on a (gt + tracker)² matrix with dummy rows; the optimum is the
// same as a maximum-weight bipartite matching of the shared-frame counts, solved here per
// connected group of ids so a long episode's many ids stay cheap.
import { linearAssignment } from '../track/linear-assignment';
import type { Sequence } from './sequence';

const THRESHOLD = 0.5;

export interface IdentityResult {
  IDTP: number;
  IDFN: number;
  IDFP: number;
  IDF1: number;
  IDP: number;
  IDR: number;
}

/** Identity metrics; with `pairs`, also the matching itself: [gt id, tracker id] pairs (relabelled) that share frames. */
export function identity(seq: Sequence, pairs?: Array<[number, number]>): IdentityResult {
  if (seq.numTrDets === 0 || seq.numGtDets === 0) {
    return finishIdentity({ IDTP: 0, IDFN: seq.numGtDets, IDFP: seq.numTrDets, IDF1: 0, IDP: 0, IDR: 0 });
  }
  const nG = seq.gtIdNames.length;
  const nT = seq.trIdNames.length;
  const shared = new Map<number, number>();
  for (let t = 0; t < seq.frames.length; t++) {
    const g = seq.gtIds[t];
    const k = seq.trIds[t];
    const s = seq.sim[t];
    for (let i = 0; i < g.length; i++) {
      for (let j = 0; j < k.length; j++) {
        if (s[i * k.length + j] >= THRESHOLD) {
          const key = g[i] * nT + k[j];
          shared.set(key, (shared.get(key) ?? 0) + 1);
        }
      }
    }
  }
  const idtp = maxWeightMatching(shared, nG, nT, pairs);
  return finishIdentity({ IDTP: idtp, IDFN: seq.numGtDets - idtp, IDFP: seq.numTrDets - idtp, IDF1: 0, IDP: 0, IDR: 0 });
}

/** The largest total weight of a matching in a sparse bipartite graph (key = g · nT + k); its pairs go to `pairs`. */
function maxWeightMatching(weights: Map<number, number>, nG: number, nT: number, pairs?: Array<[number, number]>): number {
  // Union-find over gt ids 0..nG−1 and tracker ids nG..nG+nT−1: each group is solved alone.
  const parent = Int32Array.from({ length: nG + nT }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (const key of weights.keys()) parent[find(Math.floor(key / nT))] = find(nG + (key % nT));
  const groups = new Map<number, { gts: Map<number, number>; trs: Map<number, number>; edges: Array<[number, number, number]> }>();
  for (const [key, w] of weights) {
    const gi = Math.floor(key / nT);
    const kj = key % nT;
    const root = find(gi);
    let grp = groups.get(root);
    if (!grp) groups.set(root, (grp = { gts: new Map(), trs: new Map(), edges: [] }));
    if (!grp.gts.has(gi)) grp.gts.set(gi, grp.gts.size);
    if (!grp.trs.has(kj)) grp.trs.set(kj, grp.trs.size);
    grp.edges.push([grp.gts.get(gi)!, grp.trs.get(kj)!, w]);
  }
  let total = 0;
  for (const { gts, trs, edges } of groups.values()) {
    const rows = gts.size;
    const cols = trs.size;
    const cost = new Float64Array(rows * cols);
    for (const [r, c, w] of edges) cost[r * cols + c] = -w;
    const gIds = [...gts.keys()];
    const tIds = [...trs.keys()];
    for (const [r, c] of linearAssignment(cost, rows, cols, 0).matches) {
      total -= cost[r * cols + c];
      if (cost[r * cols + c] < 0) pairs?.push([gIds[r], tIds[c]]);
    }
  }
  return total;
}

/** Several sequences as one: the counts summed. */
export function combineIdentity(parts: readonly IdentityResult[]): IdentityResult {
  const res = { IDTP: 0, IDFN: 0, IDFP: 0, IDF1: 0, IDP: 0, IDR: 0 };
  for (const p of parts) {
    res.IDTP += p.IDTP;
    res.IDFN += p.IDFN;
    res.IDFP += p.IDFP;
  }
  return finishIdentity(res);
}

function finishIdentity(res: IdentityResult): IdentityResult {
  res.IDR = res.IDTP / Math.max(1, res.IDTP + res.IDFN);
  res.IDP = res.IDTP / Math.max(1, res.IDTP + res.IDFP);
  res.IDF1 = res.IDTP / Math.max(1, res.IDTP + 0.5 * res.IDFP + 0.5 * res.IDFN);
  return res;
}
