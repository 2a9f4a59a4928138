import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteTracker, type ByteTrackerOptions } from '../../server/engine/track/byte-tracker';
import { associate, fuseScore, iouMatrix } from '../../server/engine/track/matching';
import type { BBox, Detection, TrackedObject } from '../../server/engine/types';

const OPTS: ByteTrackerOptions = { trackThresh: 0.5, lowThresh: 0.1, newTrackThresh: 0.6, matchThresh: 0.8, trackBuffer: 60 };
const STRIDE = 6;

const box = (cx: number, cy: number, w: number, h: number): BBox => [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
const det = (b: BBox, conf = 0.9): Detection => ({ bbox: b, conf });
const ids = (out: TrackedObject[]): number[] => out.map((o) => o.trackerId);

test('constant velocity at stride 6, 40% of the width per update: one id for 50 updates', () => {
  const tracker = new ByteTracker(OPTS);
  const w = 80;
  const perFrame = (0.4 * w) / STRIDE;
  const seen = new Set<number>();
  for (let k = 0; k < 50; k++) {
    const f = k * STRIDE;
    const out = tracker.update(f, [det(box(100 + perFrame * f, 300 + 0.5 * f, w, 100))]);
    assert.equal(out.length, 1, `update ${k}`);
    assert.deepEqual(out[0].bbox, box(100 + perFrame * f, 300 + 0.5 * f, w, 100), 'returns the detection box');
    seen.add(out[0].trackerId);
  }
  assert.deepEqual([...seen], [1]);
});

test('a track born after the first frame needs a second hit, then keeps its id', () => {
  const tracker = new ByteTracker(OPTS);
  tracker.update(0, []);
  const out = [1, 2, 3, 4].map((k) => tracker.update(k * STRIDE, [det(box(200 + 30 * k, 200, 80, 80))]));
  assert.deepEqual(out.map(ids), [[], [1], [1], [1]]);
});

test('two crossing objects of equal size keep their ids', () => {
  const tracker = new ByteTracker(OPTS);
  // A goes right, B goes left, 4 px apart vertically; they cross at frame 75, between two
  // analysed frames. On frame 78 B's box sits where A was on 72: only the velocity tells them apart.
  const a = (f: number): BBox => box(100 + 2 * f, 300, 80, 100);
  const b = (f: number): BBox => box(400 - 2 * f, 304, 80, 100);
  const iou = (p: BBox, q: BBox): number => iouMatrix([p], [q])[0];
  assert.ok(iou(a(72), b(78)) > iou(a(72), a(78)), 'a last-position matcher would swap');
  let idA = -1;
  let idB = -1;
  let maxIou = 0;
  for (let k = 0; k <= 30; k++) {
    const f = k * STRIDE;
    const out = tracker.update(f, [det(a(f)), det(b(f), 0.85)]);
    assert.equal(out.length, 2, `update ${k}`);
    const oa = out.find((o) => o.bbox[1] === a(f)[1])!; // y tells the detections apart
    const ob = out.find((o) => o.bbox[1] === b(f)[1])!;
    if (k === 0) [idA, idB] = [oa.trackerId, ob.trackerId];
    assert.equal(oa.trackerId, idA, `A swapped at update ${k}`);
    assert.equal(ob.trackerId, idB, `B swapped at update ${k}`);
    maxIou = Math.max(maxIou, iou(a(f), b(f)));
  }
  assert.ok(maxIou > 0.6, `the boxes really overlap (max IoU ${maxIou})`);
});

/** Moving object seen until frame 60, absent, then back on its path at `back`. */
function gapRun(back: number): number[][] {
  const tracker = new ByteTracker(OPTS);
  const at = (f: number): Detection => det(box(100 + 2 * f, 200, 80, 80));
  const out: number[][] = [];
  for (let f = 0; f <= 60; f += STRIDE) out.push(ids(tracker.update(f, [at(f)])));
  for (let f = 66; f < back; f += STRIDE) assert.deepEqual(tracker.update(f, []), []);
  out.push(ids(tracker.update(back, [at(back)])));
  out.push(ids(tracker.update(back + STRIDE, [at(back + STRIDE)])));
  return out;
}

test('a track missing for less than trackBuffer frames comes back with its id', () => {
  const out = gapRun(60 + 54); // 54 < 60 frames missing
  assert.deepEqual(out.slice(-3), [[1], [1], [1]]);
});

test('a track missing for more than trackBuffer frames gets a new id', () => {
  const out = gapRun(60 + 66); // 66 > 60 frames missing
  assert.deepEqual(out.slice(-3), [[1], [], [2]]); // new track, confirmed on its second hit
});

test('low-score detections extend a track but never start one', () => {
  const tracker = new ByteTracker(OPTS);
  const a = (f: number): BBox => box(100 + 3 * f, 200, 80, 80);
  const ghost = (f: number): Detection => det(box(600, 400 + f, 60, 60), 0.3); // low from the start
  for (let f = 0; f <= 24; f += STRIDE) assert.deepEqual(ids(tracker.update(f, [det(a(f)), ghost(f)])), [1]);
  for (let f = 30; f <= 90; f += STRIDE) {
    const out = tracker.update(f, [det(a(f), 0.3), ghost(f)]);
    assert.deepEqual(out, [{ trackerId: 1, bbox: a(f), conf: 0.3 }], `frame ${f}`);
  }
  assert.equal(tracker.activeCount, 1);
});

test('below lowThresh a detection is ignored', () => {
  const tracker = new ByteTracker(OPTS);
  tracker.update(0, [det(box(100, 100, 80, 80))]);
  assert.deepEqual(tracker.update(6, [det(box(100, 100, 80, 80), 0.05)]), []);
});

test('reset() drops all tracks; ids keep increasing', () => {
  const tracker = new ByteTracker(OPTS);
  const dets = [det(box(100, 100, 80, 80)), det(box(400, 100, 80, 80))];
  assert.deepEqual(ids(tracker.update(0, dets)), [1, 2]);
  assert.equal(tracker.activeCount, 2);
  tracker.reset();
  assert.equal(tracker.activeCount, 0);
  // Same boxes right after the cut: new ids, confirmed at once (first frame after reset).
  assert.deepEqual(ids(tracker.update(6, dets)), [3, 4]);
  assert.deepEqual(ids(tracker.update(12, dets)).sort(), [3, 4]);
});

test('warm-up frames (dt = 1) then strided frames (dt = 6) keep one id', () => {
  const tracker = new ByteTracker(OPTS);
  const frames = [100, 101, 102, 103, 104, 106, 112, 118, 124, 130, 136, 142, 148];
  const out = frames.map((f) => ids(tracker.update(f, [det(box(5 * f, 300, 80, 100))])));
  assert.deepEqual(out, frames.map(() => [1]));
});

test('a frame index going backwards is an error', () => {
  const tracker = new ByteTracker(OPTS);
  tracker.update(10, []);
  assert.throws(() => tracker.update(4, []), RangeError);
});

test('matching: IoU matrix, fused cost, thresholded association', () => {
  const tracks: BBox[] = [[0, 0, 10, 10], [20, 0, 30, 10]];
  const dets: BBox[] = [[5, 0, 15, 10], [20, 0, 30, 10], [100, 100, 110, 110]];
  assert.deepEqual([...iouMatrix(tracks, dets)], [1 / 3, 0, 0, 0, 1, 0]);
  const fused = fuseScore(Float64Array.from([0.5, 0]), [0.8, 0.5]);
  assert.deepEqual([...fused], [1 - 0.5 * 0.8, 1 - 0.5]);
  const res = associate(tracks, dets.map((b) => ({ bbox: b, conf: 0.9 })), 0.5);
  assert.deepEqual(res, { matches: [[1, 1]], unmatchedRows: [0], unmatchedCols: [0, 2] }); // IoU 1/3 < 0.5
});
