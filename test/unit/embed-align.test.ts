import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applySimilarity, ARCFACE_TEMPLATE, cropRegion, estimateSimilarity, invertSimilarity, warpRegion, type Similarity,
} from '../../server/engine/embed/align';
import { fivePoints } from '../../server/engine/embed/landmarks';

/** Where the template's points lie in a frame that holds the aligned face scaled, rotated and shifted by `m`. */
function placed(m: Similarity): number[] {
  const out: number[] = [];
  for (let i = 0; i < 5; i++) out.push(...applySimilarity(m, ARCFACE_TEMPLATE[2 * i], ARCFACE_TEMPLATE[2 * i + 1]));
  return out;
}

/** Centroids of the pure-red, green, blue, yellow and cyan pixels of an rgb24 image. */
function centroids(rgb: Uint8Array, width: number): [number, number][] {
  const colours = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0], [0, 255, 255]];
  const sums = colours.map(() => ({ x: 0, y: 0, w: 0 }));
  for (let p = 0; p < rgb.length / 3; p++) {
    colours.forEach((c, k) => {
      // Weight by closeness to the colour, so anti-aliased edges count in proportion.
      const d = Math.abs(rgb[3 * p] - c[0]) + Math.abs(rgb[3 * p + 1] - c[1]) + Math.abs(rgb[3 * p + 2] - c[2]);
      const w = Math.max(0, 1 - d / 255);
      if (w > 0) {
        sums[k].x += w * (p % width);
        sums[k].y += w * Math.floor(p / width);
        sums[k].w += w;
      }
    });
  }
  return sums.map((s) => [s.x / s.w, s.y / s.w]);
}

/** A grey frame with a coloured disc of `radius` at each point. */
function dots(width: number, height: number, pts: number[], radius: number): Buffer {
  const colours = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0], [0, 255, 255]];
  const rgb = Buffer.alloc(width * height * 3, 90);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 5; k++) {
        if (Math.hypot(x - pts[2 * k], y - pts[2 * k + 1]) <= radius) rgb.set(colours[k], (y * width + x) * 3);
      }
    }
  }
  return rgb;
}

describe('alignment geometry', () => {
  test('estimateSimilarity recovers an exact similarity', () => {
    const m = { a: 2.1 * Math.cos(0.4), b: 2.1 * Math.sin(0.4), tx: 310.5, ty: -42 };
    const got = estimateSimilarity(ARCFACE_TEMPLATE, placed(m));
    for (const k of ['a', 'b', 'tx', 'ty'] as const) assert.ok(Math.abs(got[k] - m[k]) < 1e-9, `${k}: ${got[k]} vs ${m[k]}`);
    const back = invertSimilarity(got);
    const [x, y] = applySimilarity(back, ...applySimilarity(got, 17, 29));
    assert.ok(Math.abs(x - 17) < 1e-9 && Math.abs(y - 29) < 1e-9);
  });

  test('least squares: noisy points give the best fit, not an exact one', () => {
    const m = { a: 1.5, b: 0.3, tx: 10, ty: 20 };
    const dst = placed(m).map((v, i) => v + (i % 3 === 0 ? 0.8 : -0.5));
    const got = estimateSimilarity(ARCFACE_TEMPLATE, dst);
    const err = placed(got).reduce((s, v, i) => s + (v - dst[i]) ** 2, 0);
    const errTrue = placed(m).reduce((s, v, i) => s + (v - dst[i]) ** 2, 0);
    assert.ok(err <= errTrue + 1e-9);
  });

  for (const [name, m] of [
    ['enlarged 3.2×, rotated 25°', { a: 3.2 * Math.cos(0.436), b: 3.2 * Math.sin(0.436), tx: 420, ty: 150 }],
    ['shrunk 0.8×, rotated −10°', { a: 0.8 * Math.cos(-0.17), b: 0.8 * Math.sin(-0.17), tx: 60.3, ty: 41.7 }],
  ] as const) {
    test(`five known points of a face ${name} land on the ArcFace template within 1 px`, () => {
      const width = 900, height = 700;
      const pts = placed(m);
      const frame = dots(width, height, pts, 2.5 * Math.hypot(m.a, m.b));
      const xs = pts.filter((_, i) => i % 2 === 0), ys = pts.filter((_, i) => i % 2 === 1);
      const bbox: [number, number, number, number] = [Math.min(...xs) - 20, Math.min(...ys) - 40, Math.max(...xs) + 20, Math.max(...ys) + 20];
      const region = cropRegion(frame, width, height, bbox);
      const toFrame = invertSimilarity(estimateSimilarity(pts, ARCFACE_TEMPLATE));
      const aligned = warpRegion(region, toFrame, 112, 112);
      centroids(aligned, 112).forEach(([x, y], k) => {
        const d = Math.hypot(x - ARCFACE_TEMPLATE[2 * k], y - ARCFACE_TEMPLATE[2 * k + 1]);
        assert.ok(d < 1, `point ${k} at (${x.toFixed(2)}, ${y.toFixed(2)}) is ${d.toFixed(2)} px off`);
      });
    });
  }

  test('cropRegion copies the face neighbourhood and clips it to the frame', () => {
    const width = 50, height = 40;
    const frame = Buffer.alloc(width * height * 3);
    for (let p = 0; p < width * height; p++) frame.set([p % width, Math.floor(p / width), 7], 3 * p);
    const r = cropRegion(frame, width, height, [40, 30, 48, 38]);
    assert.deepEqual([r.left, r.top, r.left + r.width, r.top + r.height], [36, 26, 50, 40]);
    const i = ((35 - r.top) * r.width + (47 - r.left)) * 3;
    assert.deepEqual([...r.data.subarray(i, i + 3)], [47, 35, 7]);
  });

  test('fivePoints: eye means, nose tip and mouth corners of the 68', () => {
    const pts = Array.from({ length: 136 }, (_, i) => (i % 2 === 0 ? i / 2 : 1000 + (i - 1) / 2));
    const five = [...fivePoints(pts)];
    assert.deepEqual(five, [38.5, 1038.5, 44.5, 1044.5, 30, 1030, 48, 1048, 54, 1054]);
  });
});
