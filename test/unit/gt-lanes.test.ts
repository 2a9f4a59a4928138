// Errors where they happen: a hand-made scene scored by the engine's own evaluate(), then read
// as the timeline reads it — ground-truth lanes, the track each id pairs with, the errors per
// frame — and compared across two runs. Every expected value is worked out by hand in comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EvalRow } from '../../server/engine/eval/boxes';
import { parseEvalFrames } from '../../server/engine/eval/eval-frames';
import { evaluate } from '../../server/engine/eval/evaluate-run';
import { labelBoxes, runBoxesAt } from '../../server/engine/eval/frame-boxes';
import { compareGtLanes, gtTimeline } from '../../server/engine/eval/gt-lanes';

const box = (frame: number, id: number, x: number): EvalRow => ({ frame, id, x1: x, y1: 0, x2: x + 20, y2: 20 });
const GT_X = { 1: 0, 2: 100 } as const;

/**
 * Ground truth: id 1 on frames 0–6 at x=0, id 2 on frames 0–4 at x=100.
 * Run A: track 10 on id 1 for frames 0–2, then track 12 for 3–6 (an ID switch at 3); track 11 on
 * id 2 except frame 1, where it is missing (a miss, then a fragmentation at 2); and on frame 1 a
 * stray track 12 at x=300 (a false positive).
 */
function scene(): { gt: EvalRow[]; runA: EvalRow[] } {
  const gt: EvalRow[] = [];
  for (let f = 0; f <= 6; f++) gt.push(box(f, 1, GT_X[1]));
  for (let f = 0; f <= 4; f++) gt.push(box(f, 2, GT_X[2]));
  const runA: EvalRow[] = [];
  for (let f = 0; f <= 6; f++) runA.push(box(f, f <= 2 ? 10 : 12, GT_X[1]));
  for (let f = 0; f <= 4; f++) if (f !== 1) runA.push(box(f, 11, GT_X[2]));
  runA.push(box(1, 12, 300));
  return { gt, runA };
}

function score(gt: EvalRow[], tracks: EvalRow[]) {
  const frames = [0, 1, 2, 3, 4, 5, 6];
  const { frames: rows, report } = evaluate({
    gt: { file: 'gt.txt', rows: gt, ignored: 0, problems: [] },
    cfg: { ground_truth: '/gt.txt', frame_base: 1, frames: 'analysed' },
    tracks, analysedFrames: frames, frameCount: 7,
  });
  // Through the file format and back, as the editor reads it.
  return gtTimeline(parseEvalFrames(rows.map((r) => JSON.stringify(r)).join('\n')).rows, report.identity.pairs);
}

test('lanes per ground-truth id: spans by matched track, pairing, counts', () => {
  const { gt, runA } = scene();
  const { lanes } = score(gt, runA);
  assert.deepEqual(lanes.map((l) => l.gtId), [1, 2]);
  const [one, two] = lanes;
  // id 1: matched on all 7 frames, to 10 on 0–2 and to 12 on 3–6; 12 shares more frames, so Identity pairs them.
  assert.deepEqual(one.spans, [{ first: 0, last: 2, track: 10 }, { first: 3, last: 6, track: 12 }]);
  assert.deepEqual([one.first, one.last, one.scored, one.matched, one.idsw, one.frag, one.track], [0, 6, 7, 7, 1, 0, 12]);
  // id 2: matched to 11 on 0, missed on 1, matched again on 2–4 (a fragmentation at 2).
  assert.deepEqual(two.spans, [{ first: 0, last: 0, track: 11 }, { first: 1, last: 1, track: 0 }, { first: 2, last: 4, track: 11 }]);
  assert.deepEqual([two.first, two.last, two.scored, two.matched, two.idsw, two.frag, two.track], [0, 4, 5, 4, 0, 1, 11]);
});

test('the pairing is Identity\'s, one-to-one: a track two ids both matched goes to the one it shares more frames with', () => {
  // Track 10 covers id 1 on frames 0–4 and id 2 on frames 5–6 (id 1 is gone by then).
  const gt = [0, 1, 2, 3, 4].map((f) => box(f, 1, 0)).concat([5, 6].map((f) => box(f, 2, 100)));
  const tr = [0, 1, 2, 3, 4].map((f) => box(f, 10, 0)).concat([5, 6].map((f) => box(f, 10, 100)));
  const { lanes } = score(gt, tr);
  assert.deepEqual(lanes.map((l) => [l.gtId, l.matched, l.track]), [[1, 5, 10], [2, 2, undefined]]);
});

test('errors per frame: FN and FP on 1, Frag on 2, IDSW on 3, nothing elsewhere', () => {
  const { gt, runA } = scene();
  const { errors } = score(gt, runA);
  assert.deepEqual(errors, [
    { frame: 1, fn: 1, fp: 1, idsw: 0, frag: 0 },
    { frame: 2, fn: 0, fp: 0, idsw: 0, frag: 1 },
    { frame: 3, fn: 0, fp: 0, idsw: 1, frag: 0 },
  ]);
});

test('compare: the ids whose matches got better or worse, worst first', () => {
  const { gt, runA } = scene();
  // Run B: id 1 followed by one track throughout (no switch: better); id 2 lost on frames 3–4 too (worse).
  const runB: EvalRow[] = [];
  for (let f = 0; f <= 6; f++) runB.push(box(f, 10, GT_X[1]));
  for (const f of [0, 2]) runB.push(box(f, 11, GT_X[2]));
  const changes = compareGtLanes(score(gt, runA).lanes, score(gt, runB).lanes);
  assert.deepEqual(changes, [
    { gtId: 2, a: { scored: 5, matched: 4, idsw: 0, track: 11 }, b: { scored: 5, matched: 2, idsw: 0, track: 11 }, verdict: 'worse' },
    { gtId: 1, a: { scored: 7, matched: 7, idsw: 1, track: 12 }, b: { scored: 7, matched: 7, idsw: 0, track: 10 }, verdict: 'better' },
  ]);
  assert.deepEqual(compareGtLanes(score(gt, runA).lanes, score(gt, runA).lanes), [], 'a run against itself: no changes');
});

test('eval_frames.jsonl lines that are not rows are skipped and counted', () => {
  const good = { frame_idx: 3, matches: [[1, 10]], fn: [], fp: [2], idsw: [], frag: [] };
  const parsed = parseEvalFrames([JSON.stringify(good), '{"frame_idx":-1,"matches":[],"fn":[],"fp":[],"idsw":[],"frag":[]}', 'not json', '{"frame_idx":4,"matches":[[1]],"fn":[],"fp":[],"idsw":[],"frag":[]}', ''].join('\n'));
  assert.deepEqual(parsed, { rows: [good], malformed: 3 });
});

test('frame view boxes: the run\'s rows on a frame (interpolated between analysed frames for frames: all), labelled with the frame\'s errors', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'frame-boxes-'));
  try {
    const det = (frame: number, id: number, x: number) => JSON.stringify({ ep_id: 'ep', frame_idx: frame, ts: frame / 25, class: 'face', conf: 0.9, bbox_xyxy: [x, 10, x + 20, 30], track_id: id });
    const file = path.join(dir, 'detections.jsonl');
    writeFileSync(file, [det(0, 1, 0), det(6, 1, 60), det(6, 2, 200), det(12, 2, 260)].join('\n') + '\n');
    assert.deepEqual(await runBoxesAt(file, 6, false), { ts: 6 / 25, rows: [{ frame: 6, id: 1, x1: 60, y1: 10, x2: 80, y2: 30 }, { frame: 6, id: 2, x1: 200, y1: 10, x2: 220, y2: 30 }] });
    assert.deepEqual(await runBoxesAt(file, 3, false), { rows: [] }, 'analysed frames only: nothing on frame 3');
    // Frame 3 lies halfway between track 1's boxes at 0 and 6; track 2 starts at 6.
    assert.deepEqual(await runBoxesAt(file, 3, true), { rows: [{ frame: 3, id: 1, x1: 30, y1: 10, x2: 50, y2: 30 }] });

    const row = { frame_idx: 6, matches: [[7, 1]] as Array<[number, number]>, fn: [8], fp: [2], idsw: [7], frag: [] };
    const gt = [{ frame: 6, id: 7, x1: 60, y1: 10, x2: 80, y2: 30 }, { frame: 6, id: 8, x1: 400, y1: 10, x2: 420, y2: 30 }];
    assert.deepEqual(labelBoxes((await runBoxesAt(file, 6, false)).rows, gt, row), [
      { kind: 'gt', id: 7, xyxy: [60, 10, 80, 30], error: 'idsw', partner: 1 },
      { kind: 'gt', id: 8, xyxy: [400, 10, 420, 30], error: 'fn' },
      { kind: 'track', id: 1, xyxy: [60, 10, 80, 30], error: 'idsw', partner: 7 },
      { kind: 'track', id: 2, xyxy: [200, 10, 220, 30], error: 'fp' },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
