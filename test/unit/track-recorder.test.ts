import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrackRecorder, isUnchangedBox, type RecorderOptions } from '../../server/engine/record/track-recorder';
import type { DetectionRow, TrackRow } from '../../server/engine/manifests/manifest-types';
import type { BBox } from '../../server/engine/types';

function recorder(opts: Partial<RecorderOptions> = {}) {
  const detections: DetectionRow[] = [];
  const tracks: TrackRow[] = [];
  const dropped: number[] = [];
  const rec = new TrackRecorder({
    epId: 'ep',
    maxGap: 10,
    minTrackLength: 1,
    trackSampleLimit: 6,
    skipUnchanged: false,
    onDetection: (r) => detections.push(r),
    onTrack: (r) => tracks.push(r),
    onDropTrack: (id) => dropped.push(id),
    ...opts,
  });
  return { rec, detections, tracks, dropped };
}

const box = (x: number, y: number, w = 100, h = 120): BBox => [x, y, x + w, y + h];
const rec1 = (trackerId: number, frameIdx: number, bbox: BBox = box(100, 100), extra = {}) => ({
  trackerId,
  frameIdx,
  ts: frameIdx / 24,
  bbox,
  conf: 0.9,
  ...extra,
});

test('tracker ids map to sequential export ids', () => {
  const { rec, detections, tracks } = recorder();
  assert.equal(rec.record(rec1(7, 0)).exportId, 1);
  assert.equal(rec.record(rec1(3, 0, box(400, 100))).exportId, 2);
  assert.equal(rec.record(rec1(7, 6)).exportId, 1);
  assert.equal(rec.record(rec1(3, 6, box(400, 100))).exportId, 2);
  rec.finalize();
  assert.deepEqual(detections.map((d) => d.track_id), [1, 2, 1, 2]);
  assert.deepEqual(
    tracks.map((t) => [t.track_id, t.first_frame_idx, t.last_frame_idx, t.frame_count]),
    [[1, 0, 6, 2], [2, 0, 6, 2]],
  );
  assert.equal(tracks[0].first_ts, 0);
  assert.equal(tracks[0].last_ts, 0.25);
  assert.equal(tracks[0].mean_conf, 0.9);
  assert.equal(tracks[0].ep_id, 'ep');
  const m = rec.metrics;
  assert.equal(m.tracks_born, 2);
  assert.equal(m.tracks_lost, 2);
  assert.equal(m.tracks_written, 2);
  assert.equal(m.id_switches, 0);
});

test('a tracker id back after more than maxGap frames is a new export track (id switch)', () => {
  const { rec, tracks } = recorder({ maxGap: 10 });
  rec.record(rec1(5, 0));
  assert.equal(rec.record(rec1(5, 10)).exportId, 1, 'a gap of exactly maxGap continues');
  assert.equal(rec.record(rec1(5, 21)).exportId, 2);
  rec.finalize();
  assert.deepEqual(tracks.map((t) => [t.track_id, t.first_frame_idx, t.last_frame_idx, t.split_reason]), [
    [1, 0, 10, undefined],
    [2, 21, 21, 'max_gap'],
  ]);
  assert.equal(rec.metrics.id_switches, 1);
  assert.equal(rec.metrics.tracks_born, 2);
});

test('endUnseen frees gone tracks but a comeback still counts as an id switch; a cut does not', () => {
  const { rec, tracks } = recorder({ maxGap: 10 });
  rec.record(rec1(5, 0));
  rec.record(rec1(6, 0, box(400, 100)));
  rec.record(rec1(6, 6, box(400, 100)));
  rec.endUnseen(10);
  assert.equal(tracks.length, 0, 'nothing unseen for more than maxGap yet');
  rec.endUnseen(11);
  assert.deepEqual(tracks.map((t) => t.track_id), [1], 'tracker 5 closed and emitted at once');
  assert.equal(rec.record(rec1(5, 12)).exportId, 3);
  assert.equal(rec.metrics.id_switches, 1);
  rec.onCut(13);
  assert.deepEqual(tracks.map((t) => t.track_id), [1, 2, 3]);
  assert.equal(rec.record(rec1(5, 14)).exportId, 4);
  assert.equal(rec.metrics.id_switches, 1, 'a track ended by a cut is not an id switch');
  rec.finalize();
  assert.equal(tracks.find((t) => t.track_id === 3)?.split_reason, 'max_gap');
  assert.equal(tracks.find((t) => t.track_id === 4)?.split_reason, undefined);
  assert.equal(rec.metrics.tracks_lost, 4);
});

test('forceNew splits the track and the new row carries the reason', () => {
  const { rec, tracks } = recorder();
  assert.equal(rec.record(rec1(1, 0, box(100, 100), { forceNew: true })).exportId, 1, 'nothing to split yet');
  rec.record(rec1(1, 1));
  assert.equal(rec.record(rec1(1, 2, box(100, 100), { forceNew: true, splitReason: 'gate_hard' })).exportId, 2);
  assert.equal(rec.record(rec1(1, 3, box(100, 100), { forceNew: true })).exportId, 3);
  rec.finalize();
  assert.deepEqual(tracks.map((t) => [t.track_id, t.frame_count, t.split_reason]), [
    [1, 2, undefined],
    [2, 1, 'gate_hard'],
    [3, 1, 'forced'],
  ]);
  const m = rec.metrics;
  assert.equal(m.forced_splits, 2);
  assert.deepEqual(m.splits_by_reason, { gate_hard: 1, forced: 1 });
  assert.equal(m.id_switches, 0);
});

test('tracks shorter than minTrackLength are dropped with their detection rows', () => {
  const { rec, detections, tracks, dropped } = recorder({ minTrackLength: 3 });
  rec.record(rec1(1, 0)); // short: 2 records
  rec.record(rec1(2, 0, box(400, 100)));
  rec.record(rec1(1, 1));
  rec.record(rec1(2, 1, box(400, 100)));
  assert.equal(detections.length, 0, 'held back until a track reaches minTrackLength');
  rec.record(rec1(2, 2, box(400, 100)));
  assert.deepEqual(detections.map((d) => [d.track_id, d.frame_idx]), [[2, 0], [2, 1], [2, 2]]);
  rec.record(rec1(2, 3, box(400, 100)));
  assert.equal(detections.length, 4, 'written straight through once long enough');
  rec.finalize();
  assert.deepEqual(tracks.map((t) => t.track_id), [2]);
  assert.deepEqual(dropped, [1]);
  assert.ok(detections.every((d) => d.track_id === 2));
  const m = rec.metrics;
  assert.equal(m.short_tracks_dropped, 1);
  assert.equal(m.tracks_written, 1);
  assert.equal(m.detections_written, 4);
  assert.equal(m.tracks_born, 2);
});

test('bboxes_sampled stays within the cap and spans first to last', () => {
  for (const limit of [1, 2, 3, 6, 10]) {
    for (const n of [1, 2, 5, 6, 7, 13, 100, 257]) {
      const { rec, tracks } = recorder({ trackSampleLimit: limit, maxGap: 1000 });
      for (let i = 0; i < n; i++) rec.record(rec1(1, i * 6, box(100 + i, 100)));
      rec.finalize();
      const frames = tracks[0].bboxes_sampled.map((s) => s.frame_idx);
      const last = (n - 1) * 6;
      const label = `limit ${limit}, n ${n}: ${frames}`;
      assert.ok(frames.length <= Math.min(n, limit), label);
      assert.equal(frames[frames.length - 1], last, label);
      if (limit >= 2) assert.equal(frames[0], 0, label);
      assert.ok(frames.every((f, i) => i === 0 || f > frames[i - 1]), label);
      if (limit >= 2) assert.ok(frames.length >= Math.min(n, Math.ceil(limit / 2)), label);
      if (limit >= 6 && n >= 100) {
        const gaps = frames.slice(1).map((f, i) => f - frames[i]);
        assert.ok(Math.max(...gaps) <= last / 2, `spread over the life: ${label}`);
      }
    }
  }
  const { rec, tracks } = recorder({ trackSampleLimit: 0 });
  rec.record(rec1(1, 0));
  rec.finalize();
  assert.deepEqual(tracks[0].bboxes_sampled, []);
});

test('isUnchangedBox: 5% of the box width/height per edge, independent of the position', () => {
  const ref: BBox = [1000, 500, 1100, 550]; // 100 × 50
  assert.ok(isUnchangedBox([1005, 502.5, 1095, 547.5], ref));
  assert.ok(!isUnchangedBox([1005.1, 500, 1100, 550], ref));
  assert.ok(!isUnchangedBox([1000, 500, 1100, 552.6], ref));
  assert.ok(!isUnchangedBox([1040, 500, 1140, 550], ref), 'allclose(rtol) would accept a 40 px shift here');
});

/** Two faces with sub-pixel jitter on every frame (warm-up after a cut), a real move, a gap and a short track. */
function jitterSequence() {
  const seq = [];
  for (let f = 0; f < 40; f++) {
    const j = (f % 3) - 1; // -1, 0, 1 px
    seq.push(rec1(11, f, box(200 + j, 300 - j), { conf: 0.8 + (f % 5) / 100 }));
    if (f < 25 || f > 35) seq.push(rec1(12, f, f < 12 ? box(800 + j, 300) : box(830 + f, 300)));
    if (f === 20 || f === 21) seq.push(rec1(13, f, box(50, 50, 20, 20)));
  }
  return seq;
}

function run(skipUnchanged: boolean) {
  const r = recorder({ skipUnchanged, minTrackLength: 3, maxGap: 10 });
  const results = jitterSequence().map((x) => r.rec.record(x));
  r.rec.finalize();
  return { ...r, results };
}

test('B4 skips unchanged boxes without changing ids, spans or detections', () => {
  const off = run(false);
  const on = run(true);
  const withoutSamples = (rows: TrackRow[]) => rows.map(({ bboxes_sampled: _s, ...rest }) => rest);
  assert.deepEqual(withoutSamples(on.tracks), withoutSamples(off.tracks));
  assert.deepEqual(on.detections, off.detections);
  assert.deepEqual(on.results.map((r) => r.exportId), off.results.map((r) => r.exportId));
  assert.deepEqual(on.dropped, off.dropped);
  assert.equal(off.rec.metrics.b4_skipped, 0);
  const skipped = on.results.filter((r) => !r.recorded).length;
  assert.ok(skipped > 30, `skipped ${skipped}`);
  assert.equal(on.rec.metrics.b4_skipped, skipped);
  assert.equal(on.tracks.length, 3);
  assert.ok(on.tracks.some((t) => t.split_reason === 'max_gap'));
  // Never more than B4_MAX_AGE_FRAMES - 1 frames between recorded boxes of a track.
  const seq = jitterSequence();
  const recordedFrames = new Map<number, number[]>();
  on.results.forEach((r, i) => {
    if (r.recorded) recordedFrames.set(r.exportId, [...(recordedFrames.get(r.exportId) ?? []), seq[i].frameIdx]);
  });
  for (const frames of recordedFrames.values()) {
    assert.ok(frames.every((f, i) => i === 0 || f - frames[i - 1] <= 5));
  }
});

test('B4: a box 5 frames old is re-recorded, and skipped boxes do not move the reference', () => {
  const { rec } = recorder({ skipUnchanged: true });
  assert.equal(rec.record(rec1(1, 0, box(100, 100))).recorded, true);
  assert.equal(rec.record(rec1(1, 4, box(100, 100))).recorded, false);
  assert.equal(rec.record(rec1(1, 5, box(100, 100))).recorded, true, '5 frames after the last recorded box');
  assert.equal(rec.record(rec1(1, 6, box(103, 100))).recorded, false, '3 px of a 100 px box');
  assert.equal(rec.record(rec1(1, 7, box(106, 100))).recorded, true, '6 px from the last recorded box');
});

test('B4 state is keyed by tracker id, not by export id', () => {
  const { rec } = recorder({ skipUnchanged: true });
  const A = box(100, 100);
  const B = box(600, 100);
  // Tracker 2 gets export id 1 and tracker 1 gets export id 2: a table keyed by export id but
  // read by tracker id (the seed's bug) would compare each tracker with the other's box.
  assert.deepEqual(rec.record(rec1(2, 0, A)), { exportId: 1, recorded: true });
  assert.deepEqual(rec.record(rec1(1, 0, B)), { exportId: 2, recorded: true });
  assert.deepEqual(rec.record(rec1(2, 1, box(101, 100))), { exportId: 1, recorded: false });
  assert.deepEqual(rec.record(rec1(1, 1, box(601, 100))), { exportId: 2, recorded: false });
  assert.deepEqual(rec.record(rec1(1, 2, A)), { exportId: 2, recorded: true }, "tracker 1 jumped onto tracker 2's box");
  assert.deepEqual(rec.record(rec1(2, 2, B)), { exportId: 1, recorded: true }, "tracker 2 jumped onto tracker 1's box");
  assert.equal(rec.metrics.b4_skipped, 2);
});

test('records must arrive in frame order', () => {
  const { rec } = recorder();
  rec.record(rec1(1, 10));
  rec.record(rec1(2, 10));
  assert.throws(() => rec.record(rec1(1, 9)), RangeError);
  rec.onCut(12);
  assert.throws(() => rec.record(rec1(1, 11)), RangeError);
});

test('G3: faces the gate embedded flag their detection rows and reach gateFields per export track', () => {
  const seen: number[][] = [];
  const { rec, detections, tracks } = recorder({
    gateFields: (faces) => (seen.push(faces.map((f) => f.frame_idx)), faces.length ? { gate_model: 'm', gate_span: [faces[0].frame_idx, faces[faces.length - 1].frame_idx] } : {}),
  });
  const face = { embedding: Float32Array.from([1, 0]), quality: { contrast: 40, sharpness: 300 } };
  rec.record(rec1(1, 0, box(100, 100), { face }));
  rec.record(rec1(1, 6));
  rec.record(rec1(1, 12, box(100, 100), { face }));
  // The gate splits the track: the new export track starts with only its own faces.
  rec.record(rec1(1, 18, box(100, 100), { face, forceNew: true, splitReason: 'hard' }));
  rec.finalize();
  assert.deepEqual(detections.map((d) => d.gate_embedded ?? false), [true, false, true, true]);
  assert.deepEqual(seen, [[0, 12], [18]]);
  assert.deepEqual(tracks.map((t) => t.gate_span), [[0, 12], [18, 18]]);
});

test('an open track keeps a bounded, evenly spread sample of its gate faces, first and last included', () => {
  const seen: number[][] = [];
  const { rec } = recorder({ maxGap: 1000, gateFacesKept: 16, gateFields: (faces) => (seen.push(faces.map((f) => f.frame_idx)), {}) });
  const face = { embedding: new Float32Array(512), quality: { contrast: 40, sharpness: 300 } };
  // An hour-long shot at stride 6: 14,400 embedded faces would be 29 MB of embeddings.
  for (let f = 0; f <= 6 * 14_399; f += 6) rec.record(rec1(1, f, box(100, 100), { face }));
  rec.finalize();
  const kept = seen[0];
  assert.ok(kept.length > 8 && kept.length <= 17, `${kept.length} faces kept`);
  assert.equal(kept[0], 0);
  assert.equal(kept[kept.length - 1], 6 * 14_399);
  const gaps = new Set(kept.slice(1, -1).map((f, i) => f - kept[i]));
  assert.equal(gaps.size, 1, `even spacing, got gaps ${[...gaps]}`);
});
