// Tile geometry, tile-aware merging and `tiles: auto`'s choices: pure functions, no model.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AutoTiles } from '../../server/engine/detect/auto-tiles';
import type { SourceDetection } from '../../server/engine/detect/rfb-decode';
import { mergeSources, sameFace } from '../../server/engine/detect/tile-merge';
import { contains, TILE_FACE_MAX, tileGrid } from '../../server/engine/detect/tiles';
import type { BBox } from '../../server/engine/types';

const det = (bbox: BBox, conf: number, cut = false): SourceDetection => ({ bbox, conf, cut });

describe('tileGrid', () => {
  test('every face up to TILE_FACE_MAX of the height lies whole in some tile, for every grid and frame size', () => {
    for (const [w, h] of [[1920, 1080], [1280, 720], [640, 360], [3840, 2160], [1080, 1920]]) {
      const side = Math.floor(TILE_FACE_MAX * h);
      for (let cols = 1; cols <= 8; cols++) {
        for (let rows = 1; rows <= 8; rows++) {
          const tiles = tileGrid(w, h, cols, rows);
          assert.equal(tiles.length, cols * rows);
          for (const t of tiles) assert.ok(t.left >= 0 && t.top >= 0 && t.left + t.width <= w && t.top + t.height <= h, `${w}x${h} ${cols}x${rows}: tile ${JSON.stringify(t)} leaves the frame`);
          // Slide a face-sized square over the frame in 7 px steps (and along the far edges).
          for (let y = 0; y + side <= h; y = Math.min(y + 7, y + side === h ? h : h - side)) {
            for (let x = 0; x + side <= w; x = Math.min(x + 7, x + side === w ? w : w - side)) {
              const box = [x, y, x + side, y + side];
              assert.ok(tiles.some((t) => contains(t, box)), `${w}x${h} ${cols}x${rows}: a ${side} px face at ${x},${y} is cut by every tile`);
            }
          }
        }
      }
    }
  });

  test('2×2 over 1080p: 1200×675 tiles overlapping by 480×270 px', () => {
    assert.deepEqual(tileGrid(1920, 1080, 2, 2).map((r) => [r.left, r.top, r.width, r.height]), [
      [0, 0, 1200, 675], [720, 0, 1200, 675], [0, 405, 1200, 675], [720, 405, 1200, 675],
    ]);
  });
});

describe('mergeSources', () => {
  const NMS = 0.3;

  test('a face cut by a tile edge is absorbed by its whole-frame box, even at an IoU under the NMS threshold', () => {
    const whole = det([100, 100, 160, 180], 0.95);
    const half = det([130, 110, 160, 178], 0.99, true); // the right half, touching the tile's left edge
    assert.ok(sameFace(whole.bbox, half.bbox, NMS));
    const r = mergeSources([[whole], [half]], NMS, 0, 1080);
    assert.deepEqual(r.dets, [{ bbox: whole.bbox, conf: 0.95, tileOnly: false }]);
    assert.equal(r.cutDropped, 0);
  });

  test('a cut box nobody else found is dropped and counted; an uncut tile box is kept as tile-only', () => {
    const r = mergeSources([[], [det([10, 10, 40, 50], 0.9, true), det([500, 500, 530, 540], 0.8)]], NMS, 0, 1080);
    assert.deepEqual(r.dets, [{ bbox: [500, 500, 530, 540], conf: 0.8, tileOnly: true }]);
    assert.equal(r.cutDropped, 1);
  });

  test('the same face from two tiles and the whole frame gives one box, the best-scoring uncut one, with the whole frame\'s box beside it', () => {
    const r = mergeSources([[det([200, 200, 240, 250], 0.7)], [det([201, 199, 241, 251], 0.96)], [det([199, 201, 239, 249], 0.93)]], NMS, 0, 1080);
    assert.deepEqual(r.dets, [{ bbox: [201, 199, 241, 251], conf: 0.96, tileOnly: false, whole: { bbox: [200, 200, 240, 250], conf: 0.7 } }]);
  });

  test('a part of a face nested in its box is the same face (intersection over the smaller), though the IoU is low', () => {
    const face: BBox = [300, 300, 400, 420];
    const eyes: BBox = [320, 330, 380, 370]; // IoU 0.2, all of it inside
    const r = mergeSources([[det(face, 0.9)], [det(eyes, 0.97)]], NMS, 0, 1080);
    assert.equal(r.dets.length, 1);
    assert.equal(r.dets[0].tileOnly, false);
  });

  test('a small face inside a big false box stays apart (too small a share of its area to be a part of it)', () => {
    const hand: BBox = [0, 0, 330, 360];
    const small: BBox = [100, 100, 130, 140];
    assert.equal(sameFace(hand, small, NMS), false);
    assert.equal(mergeSources([[], [det(hand, 0.998), det(small, 0.9)]], NMS, 0, 1080).dets.length, 2);
  });

  test('a big face keeps the whole frame\'s box and score, however well a tile scored it', () => {
    const r = mergeSources([[det([100, 100, 220, 250], 0.9)], [det([105, 98, 225, 252], 0.99)]], NMS, 0, 1080);
    assert.deepEqual(r.dets, [{ bbox: [100, 100, 220, 250], conf: 0.9, tileOnly: false }]);
  });

  test('two whole-frame faces stay two where a tile\'s box spans both (random seed 2 at 1080p, frame 102)', () => {
    const [a, b]: BBox[] = [[646, 401, 918, 829], [854, 385, 1175, 833]];
    const span = det([660, 395, 1120, 835], 0.999);
    assert.ok(sameFace(span.bbox, a, NMS) && sameFace(span.bbox, b, NMS));
    const r = mergeSources([[det(a, 0.997), det(b, 0.928)], [span]], NMS, 0, 1080);
    assert.deepEqual(r.dets.map((d) => [d.bbox, d.tileOnly]), [[a, false], [b, false]]);
  });

  test('min_size drops small boxes only after merging, so a small part cannot outlive its face', () => {
    const r = mergeSources([[det([0, 0, 100, 120], 0.9)], [det([20, 20, 40, 40], 0.99)]], NMS, 50, 1080);
    assert.deepEqual(r.dets.map((d) => d.bbox), [[0, 0, 100, 120]]);
  });
});

describe('AutoTiles', () => {
  const frame = { width: 1920, height: 1080 };
  const settings = { grid: [2, 2] as [number, number], small_face: 0.1, refresh: 4 };

  test('the whole grid at the start, after a cut and every `refresh` analysed frames; nothing when no face needs tiles', () => {
    const auto = new AutoTiles(frame, settings);
    const kinds = () => auto.plan([]).kind;
    assert.deepEqual([kinds(), kinds(), kinds(), kinds(), kinds(), kinds()], ['grid', 'none', 'none', 'none', 'grid', 'none']);
    auto.onCut();
    assert.equal(kinds(), 'grid');
    const never = new AutoTiles(frame, { ...settings, refresh: 0 });
    assert.deepEqual([never.plan([]).kind, never.plan([]).kind, never.plan([]).kind], ['grid', 'none', 'none']);
  });

  test('regions a quarter of a tile around the last frame\'s tile-only faces and small whole-frame faces, one region for faces close together', () => {
    const auto = new AutoTiles(frame, settings);
    auto.plan([]);
    auto.seen([[100, 100, 130, 140], [160, 120, 190, 160], [1500, 800, 1530, 840]]);
    const plan = auto.plan([det([900, 500, 950, 560], 0.9), det([400, 300, 700, 700], 0.99)]);
    assert.equal(plan.kind, 'cells');
    if (plan.kind !== 'cells') return;
    assert.equal(plan.regions.length, 3, 'two near faces share a region; the big whole-frame face needs none');
    for (const r of plan.regions) assert.deepEqual([r.width, r.height], [600, 337]);
    for (const face of [[100, 100, 130, 140], [160, 120, 190, 160], [1500, 800, 1530, 840], [900, 500, 950, 560]]) {
      assert.ok(plan.regions.some((r) => contains(r, face)), `face ${face} in a region`);
    }
    for (const r of plan.regions) assert.ok(contains({ left: 0, top: 0, ...frame }, [r.left, r.top, r.left + r.width, r.top + r.height]));
  });

  test('when regions would cost as many inferences as the grid, the grid runs', () => {
    // A 1×2 grid: two 1920×675 tiles, regions of 960×337; six faces far apart need six regions, two inferences.
    const auto = new AutoTiles(frame, { ...settings, grid: [1, 2] });
    auto.plan([]);
    const spread: BBox[] = [];
    for (const x of [100, 1800]) for (const y of [100, 520, 960]) spread.push([x, y, x + 30, y + 40]);
    auto.seen(spread);
    assert.equal(auto.plan([]).kind, 'grid');
    auto.seen(spread.slice(0, 4));
    assert.equal(auto.plan([]).kind, 'cells');
  });
});
