import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateMot } from '../fixtures/mot-metrics';
import { formatMotRow, parseMot, type MotRow } from '../fixtures/mot-format';
import type { BBox } from '../../server/engine/types';

const A: BBox = [0, 0, 10, 10];
const B: BBox = [100, 0, 110, 10];
const row = (frame: number, id: number, bbox: BBox, conf = 1): MotRow => ({ frame, id, bbox, conf });
const frames = (n: number) => [...Array(n).keys()];
const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

test('perfect tracking: MOTA = IDF1 = MOTP = 1, whatever the hypothesis ids', () => {
  const gt = frames(5).flatMap((f) => [row(f, 1, A), row(f, 2, B)]);
  const hyp = frames(5).flatMap((f) => [row(f, 10, A), row(f, 20, B)]);
  const m = evaluateMot(gt, hyp);
  assert.deepEqual([m.mota, m.idf1, m.motp, m.fp, m.fn, m.idsw, m.gt, m.frames], [1, 1, 1, 0, 0, 0, 10, 5]);
});

test('one id switch halfway: MOTA 5/6, IDF1 1/2', () => {
  const gt = frames(6).map((f) => row(f, 1, A));
  const hyp = frames(6).map((f) => row(f, f < 3 ? 7 : 8, A));
  const m = evaluateMot(gt, hyp);
  assert.equal(m.idsw, 1);
  close(m.mota, 5 / 6);
  assert.equal(m.idtp, 3);
  close(m.idf1, 0.5);
  close(m.idp, 0.5);
  close(m.idr, 0.5);
});

test('FP and FN: a stray box, a miss, and a box below IoU 0.5 (counts as both)', () => {
  const gt = [row(0, 1, A), row(1, 1, A), row(1, 2, B), row(2, 1, A)];
  const hyp = [
    row(0, 5, A),
    row(0, 9, [300, 300, 310, 310]), // stray: FP
    row(1, 5, A), // B missed: FN
    row(2, 5, [5, 0, 15, 10]), // IoU 1/3 with A: FP + FN
  ];
  const m = evaluateMot(gt, hyp);
  assert.deepEqual([m.fp, m.fn, m.idsw, m.matches, m.gt, m.hyp], [2, 2, 0, 2, 4, 4]);
  close(m.mota, 0);
});

test('swapped halves: hypotheses trade people after 7 of 10 frames → IDSW 2, MOTA 0.9, IDF1 0.7', () => {
  const gt = frames(10).flatMap((f) => [row(f, 1, A), row(f, 2, B)]);
  const hyp = frames(10).flatMap((f) => [row(f, f < 7 ? 1 : 2, A), row(f, f < 7 ? 2 : 1, B)]);
  const m = evaluateMot(gt, hyp);
  assert.equal(m.idsw, 2);
  close(m.mota, 0.9);
  // Global matching: 1↔1 and 2↔2 share 7 frames each → IDTP 14 of 20 + 20 rows.
  assert.equal(m.idtp, 14);
  close(m.idf1, 0.7);
});

test('a still-valid match is kept even when another hypothesis overlaps better (CLEAR MOT)', () => {
  const gt = [row(0, 1, A), row(1, 1, A)];
  const hyp = [row(0, 1, A), row(1, 1, [1, 0, 11, 10]), row(1, 2, A)];
  const m = evaluateMot(gt, hyp);
  assert.deepEqual([m.idsw, m.fp, m.matches], [0, 1, 2]);
  close(m.motp, (1 + 9 / 11) / 2);
});

test('the optimal assignment beats greedy within a frame', () => {
  // Hyp x overlaps A best (IoU 0.90) but also C (0.60); hyp y overlaps only A (0.54).
  // Greedy gives x to A and strands y; the optimum is x–C, y–A.
  const gt = [row(0, 1, A), row(0, 2, [3, 0, 13, 10])];
  const hyp = [row(0, 1, [0.5, 0, 10.5, 10]), row(0, 2, [-3, 0, 7, 10])];
  const m = evaluateMot(gt, hyp);
  assert.deepEqual([m.matches, m.fp, m.fn], [2, 0, 0]);
});

test('evaluateOnFrames scores only the analysed frames', () => {
  const gt = frames(12).map((f) => row(f, 1, A));
  const hyp = [0, 6].map((f) => row(f, 3, A));
  assert.equal(evaluateMot(gt, hyp).fn, 10);
  const m = evaluateMot(gt, hyp, { evaluateOnFrames: [0, 6] });
  assert.deepEqual([m.mota, m.idf1, m.fn, m.gt, m.frames], [1, 1, 0, 2, 2]);
});

test('conf-0 GT rows are ignored: neither FN when missed nor FP when found', () => {
  const gt = [row(0, 1, A), row(0, 2, B, 0), row(1, 2, B, 0)];
  const hyp = [row(0, 1, A), row(0, 2, B)];
  const m = evaluateMot(gt, hyp);
  assert.deepEqual([m.fp, m.fn, m.gt, m.hyp, m.ignoredHyp, m.mota, m.idf1], [0, 0, 1, 1, 1, 1, 1]);
});

test('a hypothesis on a visible face in front of an ignored one still counts', () => {
  const gt = [row(0, 1, A), row(0, 2, [1, 0, 11, 10], 0)];
  const m = evaluateMot(gt, [row(0, 5, A)]);
  assert.deepEqual([m.matches, m.fp, m.fn, m.ignoredHyp], [1, 0, 0, 0]);
});

test('MOT text rows are 1-based and left/top/width/height; parsing gives 0-based xyxy', () => {
  const line = formatMotRow({ frame: 0, id: 3, bbox: [10, 20, 40.5, 60], conf: 1, visibility: 0.75 });
  assert.equal(line, '1,3,10,20,30.5,40,1,1,0.75');
  assert.deepEqual(parseMot(line + '\n'), [{ frame: 0, id: 3, bbox: [10, 20, 40.5, 60], conf: 1, visibility: 0.75 }]);
});
