import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EvenSubset, TrackSampler, type SamplingConfig } from '../../server/engine/embed/sample-plan';
import { gateFields, type GateFace } from '../../server/engine/embed/track-prototype';
import type { DetectionRow } from '../../server/engine/manifests/manifest-types';

const row = (frame: number): DetectionRow => ({ ep_id: 'e', frame_idx: frame, ts: frame / 24, class: 'face', conf: 0.9, bbox_xyxy: [0, 0, 10, 10], track_id: 1 });

function pick(frames: number[], cfg: SamplingConfig): number[] {
  const s = new TrackSampler(frames[0], frames[frames.length - 1], cfg);
  frames.forEach((f) => s.offer(row(f)));
  return s.picks.map((r) => r.frame_idx);
}

const every = (from: number, to: number, step: number) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

describe('TrackSampler', () => {
  test('long track: at most max_samples, first and last in, at least sample_every apart', () => {
    const got = pick(every(0, 600, 6), { min_samples: 3, max_samples: 12, sample_every: 12 });
    assert.equal(got.length, 12);
    assert.equal(got[0], 0);
    assert.equal(got[got.length - 1], 600);
    for (let i = 1; i < got.length; i++) assert.ok(got[i] - got[i - 1] >= 12, `${got}`);
  });

  test('medium track: samples spaced by sample_every', () => {
    const got = pick(every(0, 60, 6), { min_samples: 3, max_samples: 12, sample_every: 24 });
    assert.deepEqual(got, [0, 30, 60]);
    assert.deepEqual(pick(every(0, 66, 6), { min_samples: 2, max_samples: 12, sample_every: 24 }), [0, 36, 66]);
  });

  test('short track: min_samples wins over sample_every; fewer rows than that: all of them', () => {
    assert.deepEqual(pick(every(0, 21, 3), { min_samples: 3, max_samples: 12, sample_every: 12 }), [0, 12, 21]);
    assert.deepEqual(pick([5, 8], { min_samples: 3, max_samples: 12, sample_every: 12 }), [5, 8]);
    assert.deepEqual(pick([5], { min_samples: 3, max_samples: 12, sample_every: 12 }), [5]);
  });

  test('a last row close to the previous pick replaces it when min_samples allows', () => {
    // Targets 0, 25, 50 with rows every 20: 0, 40 (≥ 25), then 50 is 10 after 40.
    assert.deepEqual(pick([0, 20, 40, 50], { min_samples: 2, max_samples: 3, sample_every: 25 }), [0, 50]);
  });
});

describe('gateFields (G3: the prototype of the gate\'s faces)', () => {
  const cfg = { enabled: true, min_samples: 2, max_samples: 3, sample_every: 12, min_conf: 0.5, min_contrast: 10, min_sharpness: 50 };
  const unit = (...v: number[]) => Float32Array.from(v.map((x) => x / Math.hypot(...v)));
  const face = (frame: number, e: Float32Array, sharpness = 400, conf = 0.9): GateFace => ({ frame_idx: frame, conf, face: { embedding: e, quality: { contrast: 50, sharpness } } });

  test('samples the gate\'s faces first to last, and weighs the kept ones by quality', () => {
    // Frames 0, 12, 24 are picked of 0..24; 6 and 18 are not. Frame 24 is half as sharp as the
    // saturation point (4 × min_sharpness), so it weighs half.
    const faces = [face(0, unit(1, 0)), face(6, unit(0, 1)), face(12, unit(1, 0)), face(18, unit(0, 1)), face(24, unit(0, 1), 100)];
    const g = gateFields(faces, cfg, 'm');
    assert.deepEqual({ ...g, gate_embedding: undefined }, { gate_model: 'm', gate_samples: 3, gate_span: [0, 24], gate_embedding: undefined });
    const expected = unit(2 * 0.9, 0.45);
    assert.ok(Math.abs(g.gate_embedding![0] - expected[0]) < 1e-6 && Math.abs(g.gate_embedding![1] - expected[1]) < 1e-6, `${g.gate_embedding}`);
  });

  test('faces that fail the quality gates stay out; with none kept the span is still written', () => {
    const blurred = gateFields([face(0, unit(1, 0), 10), face(12, unit(0, 1), 10)], cfg, 'm');
    assert.deepEqual(blurred, { gate_model: 'm', gate_samples: 0, gate_span: [0, 12] });
    const lowConf = gateFields([face(0, unit(1, 0), 400, 0.3), face(12, unit(0, 1))], cfg, 'm');
    assert.equal(lowConf.gate_samples, 1);
    assert.deepEqual(lowConf.gate_embedding, [0, 1]);
    assert.deepEqual(gateFields([], cfg, 'm'), {});
  });
});

describe('EvenSubset (an open track\'s gate faces)', () => {
  test('keeps everything up to the cap, then every 2^k-th item, always the latest', () => {
    const s = new EvenSubset<number>(4);
    for (let i = 0; i < 4; i++) s.offer(i);
    assert.deepEqual(s.items, [0, 1, 2, 3]);
    s.offer(4);
    assert.deepEqual(s.items, [0, 2, 4]);
    for (let i = 5; i < 20; i++) s.offer(i);
    assert.deepEqual(s.items, [0, 8, 16, 19]);
  });

  test('the same items in the same order give the same subset (faces_embed rebuilds the recorder\'s)', () => {
    const a = new EvenSubset<number>(7);
    const b = new EvenSubset<number>(7);
    for (let i = 0; i < 1000; i += 3) (a.offer(i), b.offer(i));
    assert.deepEqual(a.items, b.items);
    assert.ok(a.items.length <= 8);
  });
});
