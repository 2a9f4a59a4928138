// Track matching across two runs: same, only, split both ways, a changed span, and two faces
// in one shot kept apart by their boxes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boxAt, countClasses, estimateStride, matchTracks, type TrackMatch } from '../../webview/track-match';
import type { TimelineTrack } from '../../webview/tracks';

type Box = [number, number, number, number];
const LEFT: Box = [10, 10, 60, 70];
const RIGHT: Box = [300, 20, 350, 80];

/** A track sampled every 6 frames with a still box (or a box moving from `box` to `to`). */
function track(id: number, first: number, last: number, box: Box, to: Box = box): TimelineTrack {
  const boxes = [];
  for (let f = first; f <= last; f += 6) {
    const k = last === first ? 0 : (f - first) / (last - first);
    boxes.push({ frame: f, xyxy: box.map((v, i) => v + (to[i] - v) * k) as Box });
  }
  return { id, first, last, frames: boxes.length, conf: 0.9, boxes };
}

const classes = (m: TrackMatch) => ({ a: Object.fromEntries(m.a.classOf), b: Object.fromEntries(m.b.classOf) });

test('a track found again with the same span (within a stride) is the same; a missing one is only', () => {
  const m = matchTracks([track(1, 0, 120, LEFT), track(2, 200, 300, LEFT)], [track(7, 4, 122, LEFT)], { tolerance: 6 });
  assert.deepEqual(classes(m), { a: { 1: 'same', 2: 'only' }, b: { 7: 'same' } });
  assert.deepEqual(m.a.partners.get(1), [7]);
  assert.deepEqual(m.b.partners.get(7), [1]);
  assert.deepEqual(countClasses(m.a), { same: 1, only: 1, split: 0 });
  // Beyond the tolerance the span differs: same face, but not the same track.
  assert.deepEqual(classes(matchTracks([track(1, 0, 120, LEFT)], [track(7, 0, 90, LEFT)], { tolerance: 6 })), { a: { 1: 'split' }, b: { 7: 'split' } });
});

test('one track covered by two in the other run is a split, whichever run has the pieces', () => {
  const whole = [track(1, 0, 240, LEFT)];
  const pieces = [track(5, 0, 114, LEFT), track(6, 126, 240, LEFT)];
  const ab = matchTracks(whole, pieces, { tolerance: 6 });
  assert.deepEqual(classes(ab), { a: { 1: 'split' }, b: { 5: 'split', 6: 'split' } });
  assert.deepEqual(ab.a.partners.get(1), [5, 6]);
  const ba = matchTracks(pieces, whole, { tolerance: 6 });
  assert.deepEqual(classes(ba), { a: { 5: 'split', 6: 'split' }, b: { 1: 'split' } });
  // A piece with the same span as a whole track is still part of a split: its partner has two.
  assert.deepEqual(countClasses(matchTracks([track(1, 0, 120, LEFT)], [track(5, 0, 60, LEFT), track(6, 60, 120, LEFT)], { tolerance: 200 }).b), { same: 0, only: 0, split: 2 });
});

test('two faces in one shot are not cross-matched; a face absent from the other run stays only', () => {
  const a = [track(1, 0, 120, LEFT), track(2, 0, 120, RIGHT), track(3, 300, 400, LEFT)];
  const b = [track(8, 0, 120, RIGHT), track(9, 0, 120, LEFT), track(10, 300, 400, RIGHT)];
  const m = matchTracks(a, b, { tolerance: 6 });
  assert.deepEqual(classes(m), { a: { 1: 'same', 2: 'same', 3: 'only' }, b: { 8: 'same', 9: 'same', 10: 'only' } });
  assert.deepEqual(m.a.partners.get(1), [9]);
  assert.deepEqual(m.a.partners.get(2), [8]);
});

test('a moving face matches on interpolated boxes, sampled at other frames in each run', () => {
  const a = track(1, 0, 120, [0, 0, 50, 50], [240, 0, 290, 50]);
  const b = track(2, 3, 117, [6, 0, 56, 50], [234, 0, 284, 50]);
  assert.deepEqual(classes(matchTracks([a], [b], { tolerance: 6 })), { a: { 1: 'same' }, b: { 2: 'same' } });
  assert.deepEqual(boxAt(a.boxes!, 3), [6, 0, 56, 50]);
  assert.deepEqual(boxAt(a.boxes!, 500), [240, 0, 290, 50]);
  // The same path in the opposite direction crosses it only mid-way: not the same face.
  const back = track(3, 0, 120, [240, 0, 290, 50], [0, 0, 50, 50]);
  assert.deepEqual(classes(matchTracks([a], [back], { tolerance: 6 })), { a: { 1: 'only' }, b: { 3: 'only' } });
});

test('the tolerance comes from the stride the tracks were analysed at', () => {
  assert.equal(estimateStride([track(1, 0, 120, LEFT), track(2, 0, 60, LEFT), { id: 3, first: 0, last: 0, frames: 1, conf: 1 }]), 6);
  assert.equal(estimateStride([]), 1);
});
