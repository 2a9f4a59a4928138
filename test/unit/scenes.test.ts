// Histogram distance and the cut rule, on synthetic yuv420p frames.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  frameDistance as distanceIn, HistogramSceneDetector, HIST_BINS, hsvHistogram,
} from '../../server/engine/scenes/histogram-detector';
import { yuv420pSize, type YuvColor } from '../../server/engine/decode/yuv';
import { resolveConfig } from '../../server/config/episode-config';

/** The shipped defaults: the config schema is their single source. */
const DEFAULT_SCENE_THRESHOLD = resolveConfig({ ep_id: 't', video: 'v' }).scene.threshold;

const W = 320;
const H = 240;
const COLOR: YuvColor = { matrix: 'bt601', range: 'limited' };
const frameDistance = (a: Buffer, b: Buffer) => distanceIn(a, b, W, H, COLOR);

/** BT.601 limited-range codes of an RGB colour, as the standard writes the encoding. */
function ycbcr([r, g, b]: number[]): number[] {
  return [
    16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255,
    128 + (-37.797 * r - 74.203 * g + 112 * b) / 255,
    128 + (112 * r - 93.786 * g - 18.214 * b) / 255,
  ].map(Math.round);
}

/** A yuv420p frame filled by `color(x, y)`, chroma from each 2×2 block's top-left pixel. */
function frame(color: (x: number, y: number) => [number, number, number]): Buffer {
  const b = Buffer.alloc(yuv420pSize(W, H));
  const chroma = (W / 2) * (H / 2);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const [l, cb, cr] = ycbcr(color(x, y));
      b[y * W + x] = l;
      if (x % 2 || y % 2) continue;
      b[W * H + (y / 2) * (W / 2) + x / 2] = cb;
      b[W * H + chroma + (y / 2) * (W / 2) + x / 2] = cr;
    }
  }
  return b;
}
const solid = (r: number, g: number, b: number) => frame(() => [r, g, b]);
/** Pseudo-random codes in every plane, deterministic per seed. */
function noise(seed: number): Buffer {
  const b = Buffer.alloc(yuv420pSize(W, H));
  let s = seed;
  for (let i = 0; i < b.length; i++) b[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return b;
}

describe('histogram distance', () => {
  test('identical frames are at 0', () => {
    const f = noise(1);
    assert.equal(frameDistance(f, Buffer.from(f)), 0);
  });

  test('the same colours rearranged are at 0 (no spatial sensitivity)', () => {
    const stripes = frame((x) => ((x >> 3) % 2 ? [200, 30, 30] : [20, 20, 180]));
    const halves = frame((x) => (x < W / 2 ? [200, 30, 30] : [20, 20, 180]));
    assert.equal(frameDistance(stripes, halves), 0);
  });

  test('disjoint colours are at 1', () => {
    assert.equal(frameDistance(solid(220, 20, 20), solid(20, 200, 40)), 1);
    assert.equal(frameDistance(solid(0, 0, 0), solid(255, 255, 255)), 1);
  });

  test('half the picture changed is at 0.5', () => {
    const a = frame((x) => (x < W / 2 ? [220, 20, 20] : [20, 20, 220]));
    const b = frame((x) => (x < W / 2 ? [220, 20, 20] : [20, 220, 20]));
    assert.equal(frameDistance(a, b), 0.5);
  });

  test('a slight brightness change stays far below the default threshold', () => {
    const a = noise(7);
    const b = Buffer.from(a.map((v, i) => (i < W * H ? Math.min(255, v + 4) : v)));
    assert.ok(frameDistance(a, b) < DEFAULT_SCENE_THRESHOLD / 2);
  });

  test('a histogram counts a quarter of the pixels (every 2nd in x and y)', () => {
    const h = hsvHistogram(noise(3), W, H, COLOR);
    assert.equal(h.length, HIST_BINS);
    assert.equal(h.reduce((s, v) => s + v, 0), (W / 2) * (H / 2));
  });

  test('a short buffer is rejected', () => {
    assert.throws(() => hsvHistogram(Buffer.alloc(W * H * 3 / 2 - 1), W, H, COLOR), /smaller than 320x240 yuv420p/);
  });
});

describe('HistogramSceneDetector', () => {
  const red = solid(220, 20, 20);
  const blue = solid(20, 20, 220);
  // The rules are tested at minLen 15, so the spacings below read plainly.
  const MIN_LEN = 15;
  const run = (frames: Buffer[], opts = { threshold: DEFAULT_SCENE_THRESHOLD, minLen: MIN_LEN, color: COLOR }) => {
    const det = new HistogramSceneDetector(opts);
    const cuts = frames.flatMap((f, i) => (det.push(i, f, W, H) ? [i] : []));
    return { cuts, det };
  };
  const shots = (...lens: [Buffer, number][]) => lens.flatMap(([f, n]) => Array<Buffer>(n).fill(f));

  test('a cut is reported at the first frame of the new shot', () => {
    const { cuts, det } = run(shots([red, 20], [blue, 20], [red, 20]));
    assert.deepEqual(cuts, [20, 40]);
    assert.equal(det.frames, 60);
    assert.equal(det.cuts, 2);
  });

  test('no cut before minLen frames of the first shot', () => {
    assert.deepEqual(run(shots([red, 5], [blue, 30])).cuts, []);
    assert.deepEqual(run(shots([red, MIN_LEN], [blue, 30])).cuts, [MIN_LEN]);
  });

  test('a cut closer than minLen to the previous one is ignored', () => {
    assert.deepEqual(run(shots([red, 20], [blue, 10], [red, 20])).cuts, [20]);
  });

  test('a flickering burst is one event: no cuts until it has been calm for minLen frames', () => {
    // red shot, a cut to blue, then blue/red flicker every 2 frames for 30 frames, then calm blue.
    const flicker = Array.from({ length: 30 }, (_, i) => (i % 4 < 2 ? red : blue));
    const frames = [...shots([red, 20], [blue, 8]), ...flicker, ...shots([blue, 40], [red, 20])];
    assert.deepEqual(run(frames).cuts, [20, 98]);
  });

  test('gaps in indices are allowed (frames analysed sparsely)', () => {
    const det = new HistogramSceneDetector({ threshold: 0.3, minLen: 10, color: COLOR });
    assert.equal(det.push(100, red, W, H), false);
    assert.equal(det.push(106, red, W, H), false);
    assert.equal(det.push(112, blue, W, H), true);
    assert.equal(det.lastDistance, 1);
  });
});
