// The timeline's pure parts: parsing, row packing, hit testing, ticks, timecodes, zoom.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ticks, tickStep, timecode } from '../../webview/axis';
import { firstEndingAfter, packLanes, trackAt } from '../../webview/lanes';
import { parseTracksJsonl, type TimelineTrack } from '../../webview/tracks';
import { fit, frameOf, zoomAt } from '../../webview/viewport';

const track = (id: number, first: number, last: number): TimelineTrack => ({ id, first, last, frames: last - first + 1, conf: 0.9 });

test('parses a real tracks.jsonl and counts malformed lines without dropping the rest', () => {
  const real = readFileSync(path.join(__dirname, 'fixtures', 'tos-tracks.jsonl'), 'utf8');
  const ok = parseTracksJsonl(real);
  assert.deepEqual(ok.tracks.map((t) => [t.id, t.first, t.last]), [[1, 21, 60], [2, 65, 180], [3, 222, 234]]);
  assert.equal(ok.malformed, 0);
  // The sampled boxes come along, in frame order, for matching tracks across runs.
  assert.deepEqual(ok.tracks[2].boxes?.map((b) => b.frame), [222, 228, 234]);
  assert.deepEqual(ok.tracks[2].boxes?.[0].xyxy, [256.4, 65.2, 419.1, 252.2]);
  const broken = parseTracksJsonl(`${real}{"track_id":9,"first_frame_idx":5\nnot json\n{"track_id":4,"first_frame_idx":9,"last_frame_idx":3}\n`);
  assert.equal(broken.tracks.length, 3);
  assert.equal(broken.malformed, 3);
  assert.equal(broken.firstMalformedLine, 4);
});

test('packs non-overlapping tracks into shared rows, using the fewest rows', () => {
  const rows = packLanes([track(1, 0, 10), track(2, 5, 20), track(3, 11, 30), track(4, 21, 25), track(5, 31, 40)]);
  assert.deepEqual(rows.map((r) => r.map((t) => t.id)), [[1, 3], [2, 4, 5]]);
  // A track that starts on the frame another ends overlaps it.
  assert.equal(packLanes([track(1, 0, 10), track(2, 10, 12)]).length, 2);
  // Max overlap is the lower bound on rows; greedy by start reaches it.
  const many = Array.from({ length: 500 }, (_, i) => track(i, (i * 37) % 1000, ((i * 37) % 1000) + (i % 50)));
  let maxOverlap = 0;
  for (let f = 0; f < 1100; f++) maxOverlap = Math.max(maxOverlap, many.filter((t) => t.first <= f && f <= t.last).length);
  assert.equal(packLanes(many).length, maxOverlap);
});

test('finds the track under a position, with slack for thin bars', () => {
  const row = [track(1, 0, 10), track(2, 20, 20), track(3, 40, 60)];
  assert.equal(trackAt(row, 5, 0)?.id, 1);
  assert.equal(trackAt(row, 15, 0), undefined);
  assert.equal(trackAt(row, 20.5, 0)?.id, 2);
  assert.equal(trackAt(row, 22, 1.5)?.id, 2);
  assert.equal(trackAt(row, 61.5, 0), undefined);
  assert.equal(firstEndingAfter(row, 30), 2);
});

test('ticks land on whole frames, then on round seconds once the frame rate is known', () => {
  assert.equal(tickStep(3), 5);
  assert.equal(tickStep(130), 200);
  assert.equal(tickStep(30, 24), 48);
  assert.equal(tickStep(100, 24), 120);
  assert.deepEqual(ticks(0, 240, 4, 24).frames, [0, 24, 48, 72, 96, 120, 144, 168, 192, 216, 240]);
  assert.equal(timecode(65, 24), '00:00:02:17');
  assert.equal(timecode(24 * 3725 + 3, 24), '01:02:05:03');
  assert.equal(timecode(100, 29.97), '00:00:03:10');
});

test('zoom keeps the frame under the pointer in place and never zooms out past the run', () => {
  const v = fit(1000, 500);
  const z = zoomAt(v, 250, 4, 1000, 500);
  assert.ok(Math.abs(frameOf(z, 250) - frameOf(v, 250)) < 1e-9);
  assert.equal(zoomAt(z, 100, 1e-6, 1000, 500).pxPerFrame, v.pxPerFrame);
});
