// The metrics beyond the TrackEval reference: empty sides, a perfect run, and the Identity
// matching (solved per connected group of ids) against TrackEval's own formulation, the
// (gt + tracker)² matrix with dummy rows, on random sequences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EvalRow } from '../../server/engine/eval/boxes';
import { identity } from '../../server/engine/eval/identity';
import { scoreSequence, toRunScores } from '../../server/engine/eval/metrics';
import { buildSequence } from '../../server/engine/eval/sequence';
import { linearAssignment } from '../../server/engine/track/linear-assignment';
import { seededRandom } from '../helpers/seeded-random';

const box = (frame: number, id: number, x: number, y = 0, w = 10): EvalRow => ({ frame, id, x1: x, y1: y, x2: x + w, y2: y + w });
const frames = (n: number) => Array.from({ length: n }, (_, i) => i);

test('no tracks: every ground-truth row a miss, every id mostly lost, all rates 0', () => {
  const gt = [box(0, 1, 0), box(1, 1, 0), box(1, 2, 50)];
  const s = toRunScores(scoreSequence(buildSequence(gt, [], frames(2))));
  assert.deepEqual([s.HOTA, s.DetA, s.MOTA, s.IDF1, s.FN, s.FP, s.ML, s.MT], [0, 0, 0, 0, 3, 0, 2, 0]);
});

test('no ground truth: every track row a false positive', () => {
  const s = toRunScores(scoreSequence(buildSequence([], [box(0, 7, 0), box(1, 7, 0)], frames(2))));
  assert.deepEqual([s.HOTA, s.FP, s.FN, s.IDF1, s.MOTA], [0, 2, 0, 0, -2]);
});

test('the ground truth under other ids scores 1 everywhere', () => {
  const gt = [box(0, 1, 0), box(1, 1, 2), box(0, 2, 40), box(1, 2, 42), box(2, 2, 44)];
  const tr = gt.map((r) => ({ ...r, id: r.id + 100 }));
  const s = toRunScores(scoreSequence(buildSequence(gt, tr, frames(3))));
  assert.deepEqual([s.HOTA, s.DetA, s.AssA, s.LocA, s.MOTA, s.MOTP, s.IDF1, s.IDSW, s.Frag, s.MT], [1, 1, 1, 1, 1, 1, 1, 0, 0, 2]);
});

/** IDTP as TrackEval solves it: the (G + T)² cost matrix of FN + FP with dummy rows and columns. */
function idtpTrackEval(gt: EvalRow[], tr: EvalRow[], n: number): number {
  const seq = buildSequence(gt, tr, frames(n));
  const G = seq.gtIdNames.length;
  const T = seq.trIdNames.length;
  const gc = new Float64Array(G);
  const tc = new Float64Array(T);
  const pm = new Float64Array(G * T);
  seq.frames.forEach((_, t) => {
    const g = seq.gtIds[t];
    const k = seq.trIds[t];
    g.forEach((gi) => gc[gi]++);
    k.forEach((kj) => tc[kj]++);
    for (let i = 0; i < g.length; i++) for (let j = 0; j < k.length; j++) if (seq.sim[t][i * k.length + j] >= 0.5) pm[g[i] * T + k[j]]++;
  });
  const N = G + T;
  const fn = new Float64Array(N * N);
  const fp = new Float64Array(N * N);
  for (let r = G; r < N; r++) for (let c = 0; c < T; c++) fp[r * N + c] = 1e10;
  for (let r = 0; r < G; r++) for (let c = T; c < N; c++) fn[r * N + c] = 1e10;
  for (let g = 0; g < G; g++) {
    for (let c = 0; c < T; c++) fn[g * N + c] = gc[g] - pm[g * T + c];
    fn[g * N + T + g] = gc[g];
  }
  for (let k = 0; k < T; k++) {
    for (let r = 0; r < G; r++) fp[r * N + k] = tc[k] - pm[r * T + k];
    fp[(k + G) * N + k] = tc[k];
  }
  const cost = fn.map((v, i) => v + fp[i]);
  let idfn = 0;
  for (const [r, c] of linearAssignment(cost, N, N, Infinity).matches) idfn += fn[r * N + c];
  return gc.reduce((a, b) => a + b, 0) - idfn;
}

test('Identity per group of ids equals TrackEval\'s (gt + tracker)² matching on random sequences', () => {
  const rand = seededRandom(5);
  for (let trial = 0; trial < 40; trial++) {
    const n = 30;
    const gt: EvalRow[] = [];
    const tr: EvalRow[] = [];
    let nextTrack = 100;
    for (let g = 1; g <= 6; g++) {
      let track = nextTrack++;
      const x = rand() * 60;
      for (let f = 0; f < n; f++) {
        if (rand() < 0.15) continue;
        gt.push(box(f, g, x + f * 0.5, g * 3));
        if (rand() < 0.1) track = rand() < 0.5 ? nextTrack++ : 100 + Math.floor(rand() * (nextTrack - 100));
        if (rand() < 0.85 && !tr.some((r) => r.frame === f && r.id === track)) tr.push(box(f, track, x + f * 0.5 + (rand() - 0.5) * 8, g * 3));
      }
    }
    const ours = identity(buildSequence(gt, tr, frames(n))).IDTP;
    assert.equal(ours, idtpTrackEval(gt, tr, n), `trial ${trial}`);
  }
});
