// Histogram and content distances and the cut, flash and fade rules, on synthetic yuv420p frames.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  contentDistance, HIST_BINS, histogramDistance, hsvHistogram, measureFrame, newContentSamples,
} from '../../server/engine/scenes/frame-measures';
import { TransitionDetector, type TransitionOptions } from '../../server/engine/scenes/transition-detector';
import { yuv420pSize, type YuvColor } from '../../server/engine/decode/yuv';
import { resolveConfig } from '../../server/config/episode-config';

/** The shipped defaults: the config schema is their single source. */
const SCENE = resolveConfig({ ep_id: 't', video: 'v' }).scene;
const DEFAULT_SCENE_THRESHOLD = SCENE.threshold;

const W = 320;
const H = 240;
const COLOR: YuvColor = { matrix: 'bt601', range: 'limited' };
const frameDistance = (a: Buffer, b: Buffer) => histogramDistance(hsvHistogram(a, W, H, COLOR), hsvHistogram(b, W, H, COLOR));
function content(a: Buffer, b: Buffer): number {
  const [sa, sb] = [newContentSamples(W, H), newContentSamples(W, H)];
  measureFrame(a, W, H, COLOR, new Uint32Array(HIST_BINS), sa);
  measureFrame(b, W, H, COLOR, new Uint32Array(HIST_BINS), sb);
  return contentDistance(sa, sb);
}

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
    assert.equal(h.reduce((s: number, v: number) => s + v, 0), (W / 2) * (H / 2));
  });

  test('a short buffer is rejected', () => {
    assert.throws(() => hsvHistogram(Buffer.alloc(W * H * 3 / 2 - 1), W, H, COLOR), /smaller than 320x240 yuv420p/);
  });
});

describe('content distance', () => {
  test('identical frames are at 0; the same colours rearranged are not', () => {
    const stripes = frame((x) => ((x >> 3) % 2 ? [200, 30, 30] : [20, 20, 180]));
    const halves = frame((x) => (x < W / 2 ? [200, 30, 30] : [20, 20, 180]));
    assert.equal(content(stripes, Buffer.from(stripes)), 0);
    assert.ok(content(stripes, halves) > SCENE.min_content, String(content(stripes, halves)));
    assert.equal(frameDistance(stripes, halves), 0);
  });

  test('a flat picture crossing a histogram bin edge moves the content score by its small step only', () => {
    // Value 126 → 130 crosses the V bin edge at 128: the histogram sees everything change.
    const a = solid(126, 126, 126);
    const b = solid(130, 130, 130);
    assert.equal(frameDistance(a, b), 1);
    assert.ok(content(a, b) < 3, String(content(a, b)));
  });

  test('a black pixel brightening one step changes chroma by a step, not saturation from 0 to full', () => {
    assert.ok(content(solid(0, 0, 0), solid(12, 2, 2)) < 8, String(content(solid(0, 0, 0), solid(12, 2, 2))));
  });
});

describe('TransitionDetector', () => {
  const red = solid(220, 20, 20);
  const blue = solid(20, 20, 220);
  const stripes = frame((x) => ((x >> 3) % 2 ? [200, 30, 30] : [20, 20, 180]));
  const halves = frame((x) => (x < W / 2 ? [200, 30, 30] : [20, 20, 180]));
  // The rules are tested at minLen 15, so the spacings below read plainly.
  const MIN_LEN = 15;
  const opts = (o: Partial<TransitionOptions> = {}): TransitionOptions => ({
    color: COLOR, threshold: SCENE.threshold, minLen: MIN_LEN, window: SCENE.window, adaptiveRatio: SCENE.adaptive_ratio,
    minContent: SCENE.min_content, fadeFloor: SCENE.fade_floor, fadeReset: true, ...o,
  });
  const run = (frames: Buffer[], o: Partial<TransitionOptions> = {}) => {
    const det = new TransitionDetector(opts(o));
    const events = frames.flatMap((f, i) => det.push(i, f, W, H).map((e) => ({ ...e })));
    events.push(...det.finish());
    return { cuts: events.filter((e) => e.kind === 'cut').map((e) => e.idx), events, det };
  };
  const shots = (...lens: [Buffer, number][]) => lens.flatMap(([f, n]) => Array<Buffer>(n).fill(f));

  test('a cut is reported at the first frame of the new shot, `window` pushes later', () => {
    const det = new TransitionDetector(opts());
    const frames = shots([red, 20], [blue, 20]);
    const when: number[] = [];
    frames.forEach((f, i) => det.push(i, f, W, H).forEach((e) => when.push(e.idx, i)));
    assert.deepEqual(when, [20, 20 + SCENE.window]);
    assert.equal(det.decidedThrough, 39 - SCENE.window);
    det.finish();
    assert.equal(det.decidedThrough, 39);
    assert.deepEqual(run(shots([red, 20], [blue, 20], [red, 20])).cuts, [20, 40]);
  });

  test('a cut within one palette (same colours, moved) is found by the content score', () => {
    assert.deepEqual(run(shots([stripes, 20], [halves, 20])).cuts, [20]);
  });

  test('no cut before minLen frames of the first shot, nor closer than minLen to the previous one', () => {
    assert.deepEqual(run(shots([red, 5], [blue, 30])).cuts, []);
    assert.deepEqual(run(shots([red, MIN_LEN], [blue, 30])).cuts, [MIN_LEN]);
    assert.deepEqual(run(shots([red, 20], [blue, 10], [stripes, 20])).cuts, [20]);
  });

  test('a flash shorter than the window is no cut; a flicker burst is one event at most', () => {
    const white = solid(255, 255, 255);
    for (let n = 1; n <= SCENE.window; n++) assert.deepEqual(run(shots([red, 20], [white, n], [red, 20])).cuts, [], `flash of ${n}`);
    const flicker = Array.from({ length: 30 }, (_, i) => (i % 4 < 2 ? red : blue));
    assert.deepEqual(run([...shots([red, 20], [blue, 8]), ...flicker, ...shots([blue, 40], [red, 20])]).cuts, [20, 98]);
  });

  test('a fade to black and back: one fade each way, one reset at the first black frame, no cut', () => {
    const level = (v: number) => frame((x, y) => [Math.round(v * (((x ^ y) & 16) ? 1 : 0.6)), Math.round(v * 0.5), Math.round(v * 0.3)]);
    const fadeOut = Array.from({ length: 24 }, (_, i) => level(200 * (1 - (i + 1) / 24)));
    const frames = [...Array<Buffer>(20).fill(level(200)), ...fadeOut, ...Array<Buffer>(10).fill(level(0)), ...[...fadeOut].reverse().slice(1), ...Array<Buffer>(20).fill(level(200))];
    const { cuts, events, det } = run(frames);
    assert.deepEqual(cuts, []);
    const black = events.filter((e) => e.kind === 'fade').map((e) => e.idx);
    assert.equal(black.length, 1);
    assert.deepEqual(det.fades.map((f) => f.kind), ['out', 'in']);
    assert.equal(det.fades[0].start, 19); // the last frame before the darkening
    assert.equal(det.fades[0].end, black[0]);
    assert.ok(frames[black[0]] !== frames[black[0] - 1] && det.brightness[black[0]] < SCENE.fade_floor);
    assert.deepEqual(run(frames, { fadeReset: false }).events, []);
  });

  test('gaps in indices are allowed; frames out of order or resized are refused', () => {
    const det = new TransitionDetector(opts({ minLen: 10, window: 1 }));
    det.push(100, red, W, H);
    det.push(106, red, W, H);
    det.push(112, blue, W, H);
    assert.deepEqual(det.finish(), [{ kind: 'cut', idx: 112 }]);
    assert.throws(() => det.push(112, red, W, H), /must come in order: 112 after 112/);
    assert.throws(() => new TransitionDetector(opts({ window: 0 })), /window must be a whole number ≥ 1/);
  });
});
