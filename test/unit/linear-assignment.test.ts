import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linearAssignment } from '../../server/engine/track/linear-assignment';
// Deterministic mulberry32, shared with the episode generator, so failures are reproducible.
import { rng } from '../fixtures/scenario';

/** Best objective by exhaustive search: max Σ(maxCost − c) with a cost limit, else min Σc at full size. */
function bruteForce(cost: Float64Array, rows: number, cols: number, maxCost: number): number {
  const limited = Number.isFinite(maxCost);
  const used = new Uint8Array(cols);
  const full = Math.min(rows, cols);
  let best = limited ? 0 : Infinity;
  const go = (r: number, acc: number, count: number): void => {
    if (r === rows) {
      if (limited) best = Math.max(best, acc);
      else if (count === full) best = Math.min(best, acc);
      return;
    }
    go(r + 1, acc, count); // leave row r unmatched
    for (let c = 0; c < cols; c++) {
      const v = cost[r * cols + c];
      if (used[c] || !(v <= maxCost)) continue;
      used[c] = 1;
      go(r + 1, acc + (limited ? maxCost - v : v), count + 1);
      used[c] = 0;
    }
  };
  go(0, 0, 0);
  return best;
}

function checkValid(res: ReturnType<typeof linearAssignment>, cost: Float64Array, rows: number, cols: number, maxCost: number): void {
  const rs = new Set<number>();
  const cs = new Set<number>();
  for (const [r, c] of res.matches) {
    assert.ok(!rs.has(r) && !cs.has(c), 'row/col used twice');
    rs.add(r);
    cs.add(c);
    assert.ok(cost[r * cols + c] <= maxCost, 'assigned a pair above maxCost');
  }
  assert.deepEqual(res.unmatchedRows, [...Array(rows).keys()].filter((r) => !rs.has(r)));
  assert.deepEqual(res.unmatchedCols, [...Array(cols).keys()].filter((c) => !cs.has(c)));
}

test('matches brute force on random rectangular matrices with a cost limit', () => {
  const rand = rng(12345);
  for (let trial = 0; trial < 400; trial++) {
    const rows = 1 + Math.floor(rand() * 6);
    const cols = 1 + Math.floor(rand() * 6);
    const cost = new Float64Array(rows * cols);
    // Integer-ish costs half the time, to exercise ties.
    const ints = trial % 2 === 0;
    for (let k = 0; k < cost.length; k++) cost[k] = ints ? Math.floor(rand() * 5) : rand();
    const maxCost = ints ? 2 + Math.floor(rand() * 3) : 0.2 + rand() * 0.8;
    const res = linearAssignment(cost, rows, cols, maxCost);
    checkValid(res, cost, rows, cols, maxCost);
    const got = res.matches.reduce((s, [r, c]) => s + (maxCost - cost[r * cols + c]), 0);
    assert.ok(Math.abs(got - bruteForce(cost, rows, cols, maxCost)) < 1e-9, `trial ${trial}`);
  }
});

test('with maxCost = Infinity it is a full min-cost assignment', () => {
  const rand = rng(7);
  for (let trial = 0; trial < 200; trial++) {
    const rows = 1 + Math.floor(rand() * 6);
    const cols = 1 + Math.floor(rand() * 6);
    const cost = new Float64Array(rows * cols);
    for (let k = 0; k < cost.length; k++) cost[k] = rand() * 10 - 3;
    const res = linearAssignment(cost, rows, cols, Infinity);
    checkValid(res, cost, rows, cols, Infinity);
    assert.equal(res.matches.length, Math.min(rows, cols));
    const got = res.matches.reduce((s, [r, c]) => s + cost[r * cols + c], 0);
    assert.ok(Math.abs(got - bruteForce(cost, rows, cols, Infinity)) < 1e-9, `trial ${trial}`);
  }
});

test('prefers the global optimum over the greedy choice', () => {
  // Greedy takes (0,0)=0.1 and is left with (1,1)=0.9 (total 1.0); optimum is 0.2 + 0.3.
  const cost = Float64Array.from([0.1, 0.2, 0.3, 0.9]);
  const res = linearAssignment(cost, 2, 2, 1);
  assert.deepEqual(res.matches, [[0, 1], [1, 0]]);
});

test('pairs above maxCost stay unmatched; empty inputs', () => {
  const res = linearAssignment(Float64Array.from([0.9, 0.2, 0.8, 0.95]), 2, 2, 0.5);
  assert.deepEqual(res, { matches: [[0, 1]], unmatchedRows: [1], unmatchedCols: [0] });
  assert.deepEqual(linearAssignment(new Float64Array(0), 0, 3, 1), { matches: [], unmatchedRows: [], unmatchedCols: [0, 1, 2] });
  assert.deepEqual(linearAssignment(new Float64Array(0), 2, 0, 1), { matches: [], unmatchedRows: [0, 1], unmatchedCols: [] });
  const nan = linearAssignment(Float64Array.from([NaN, 0.1]), 1, 2, 1);
  assert.deepEqual(nan.matches, [[0, 1]]);
});
