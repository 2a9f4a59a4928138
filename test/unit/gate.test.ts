import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GateConfig } from '../../server/config/schema-identity';
import { AppearanceGate } from '../../server/engine/gate/appearance-gate';
import { GatePipeline, type GatedFrame } from '../../server/engine/gate/gate-pipeline';
import type { FaceLookup } from '../../server/engine/analysis/analysis-source';
import type { BBox } from '../../server/engine/types';

const CFG: GateConfig = { enabled: true, appear_hard: 0.35, appear_soft: 0.55, streak: 3, iou: 0.1, emb_every: 1, proto_momentum: 0.9 };
const BOX: BBox = [100, 100, 200, 220];

/** A unit vector in 4-d at cosine `c` to e0 (the "person A" direction). */
const at = (c: number): Float32Array => Float32Array.from([c, Math.sqrt(1 - c * c), 0, 0]);
const A = at(1);

function gate(over: Partial<GateConfig> = {}) {
  return new AppearanceGate({ ...CFG, ...over }, 'test-model');
}

describe('AppearanceGate', () => {
  test('the first embedding becomes the prototype; similar faces update it with momentum', () => {
    const g = gate();
    assert.deepEqual(g.update(1, 0, BOX, A), {});
    assert.equal(g.prototypeOf(1)?.samples, 1);
    const d = g.update(1, 6, BOX, at(0.8));
    assert.equal(d.split, undefined);
    assert.ok(Math.abs(d.sim! - 0.8) < 1e-6);
    const p = g.prototypeOf(1)!;
    assert.equal(p.samples, 2);
    assert.equal(p.model, 'test-model');
    // normalise(0.9·A + 0.1·at(0.8)) leans to A.
    assert.ok(p.embedding[0] > 0.99 && Math.abs(Math.hypot(...p.embedding) - 1) < 1e-6);
  });

  test('below appear_hard: split "hard" at once, and the new track starts from that face', () => {
    const g = gate();
    g.update(1, 0, BOX, A);
    const B = at(0.1);
    const d = g.update(1, 6, BOX, B);
    assert.equal(d.split, 'hard');
    assert.deepEqual([...g.prototypeOf(1)!.embedding], [...B]);
    assert.equal(g.update(1, 12, BOX, B).split, undefined);
  });

  test('between hard and soft: a streak of `streak` splits; a confident face in between resets it', () => {
    const g = gate();
    g.update(1, 0, BOX, A);
    assert.equal(g.update(1, 1, BOX, at(0.45)).split, undefined);
    assert.equal(g.update(1, 2, BOX, at(0.45)).split, undefined);
    assert.equal(g.update(1, 3, BOX, at(0.9)).split, undefined); // reset
    assert.equal(g.update(1, 4, BOX, at(0.45)).split, undefined);
    assert.equal(g.update(1, 5, BOX, at(0.45)).split, undefined);
    const d = g.update(1, 6, BOX, at(0.45));
    assert.equal(d.split, 'streak');
  });

  test('IoU with the previous box below `iou` splits "iou" when appearance did not', () => {
    const g = gate();
    g.update(1, 0, BOX, A);
    assert.equal(g.update(1, 6, [105, 100, 205, 220], A).split, undefined);
    const far: BBox = [600, 100, 700, 220];
    assert.equal(g.update(1, 12, far).split, 'iou');
    // No embedding on that frame: the new track has no prototype, so the next frame embeds.
    assert.equal(g.prototypeOf(1), undefined);
    assert.equal(g.wantsEmbedding(1), true);
    // An appearance split takes precedence over the IoU one.
    g.update(1, 18, far, A);
    assert.equal(g.update(1, 24, BOX, at(0)).split, 'hard');
  });

  test('the IoU rule skips a track re-found after a gap longer than the stride', () => {
    const g = new AppearanceGate(CFG, 'test-model', Infinity, 6);
    g.update(1, 0, BOX, A);
    // Lost behind another face for 3 analysed frames, re-found 24 frames later elsewhere: same face.
    assert.equal(g.update(1, 24, [400, 100, 500, 220], A).split, undefined);
    assert.equal(g.update(1, 30, [700, 100, 800, 220], A).split, 'iou');
  });

  test('embeds every emb_every analysed frames, and every frame until the prototype holds 3 faces', () => {
    const g = gate({ emb_every: 3 });
    assert.equal(g.wantsEmbedding(7), true);
    g.update(7, 0, BOX); // no full frame (warm-up): still no prototype
    assert.equal(g.wantsEmbedding(7), true);
    const wanted: boolean[] = [];
    for (let f = 1; f <= 7; f++) {
      const w = g.wantsEmbedding(7);
      wanted.push(w);
      g.update(7, f, BOX, w ? A : undefined);
    }
    // f1 starts the prototype, f2 and f3 complete its 3 faces, then every 3rd frame.
    assert.deepEqual(wanted, [true, true, true, false, false, true, false]);
  });

  test('a scene cut resets every track; disabled gates never split nor embed', () => {
    const g = gate();
    g.update(1, 0, BOX, A);
    g.reset();
    assert.equal(g.prototypeOf(1), undefined);
    assert.equal(g.update(1, 6, BOX, at(0)).split, undefined);
    const off = gate({ enabled: false });
    off.update(1, 0, BOX, A);
    assert.equal(off.wantsEmbedding(1), false);
    assert.deepEqual(off.update(1, 6, [900, 900, 950, 950], at(0)), {});
  });

  test('tracker ids unseen longer than forgetAfter are dropped', () => {
    const g = new AppearanceGate(CFG, 'm', 30);
    g.update(1, 0, BOX, A);
    g.update(2, 40, BOX, A);
    assert.equal(g.prototypeOf(1), undefined);
    assert.ok(g.prototypeOf(2));
  });
});

describe('GatePipeline', () => {
  /** Embeds to the vector named by the box's left edge, after a delay (as a worker would). */
  const QUALITY = { contrast: 40, sharpness: 300 };
  const faces = (vectors: Map<number, Float32Array>): FaceLookup => async (bbox) => {
    await new Promise((r) => setTimeout(r, 2));
    return { embedding: vectors.get(bbox[0])!, quality: QUALITY };
  };

  test('commits frames in order, one behind, with splits and the faces the gate embedded', async () => {
    const g = new AppearanceGate(CFG, 'fake');
    const committed: { idx: number; splits: (string | undefined)[]; face?: number }[] = [];
    const lookup = faces(new Map([[100, A], [101, at(0)]]));
    const pipe = new GatePipeline(g, async (f: GatedFrame) => {
      committed.push({ idx: f.idx, splits: f.objects.map((o) => o.split), face: f.objects[0].face?.embedding[0] });
    });
    const full = Buffer.alloc(640 * 480 * 3);
    const box = (x: number): BBox => [x, 100, x + 100, 220];
    await pipe.push(0, 0, [{ trackerId: 1, bbox: box(100), conf: 0.9 }], lookup, full);
    assert.equal(committed.length, 0); // embedding still running: frame 0 waits
    await pipe.push(6, 0.25, [{ trackerId: 1, bbox: box(101), conf: 0.9 }], lookup, full);
    assert.deepEqual(committed.map((c) => c.idx), [0]);
    await pipe.flush();
    assert.deepEqual(committed, [{ idx: 0, splits: [undefined], face: 1 }, { idx: 6, splits: ['hard'], face: 0 }]);
    // The new track starts from person B's face.
    assert.equal(g.prototypeOf(1)?.embedding[0], 0);
  });

  test('a scene cut commits the queued frame before closing tracks, then clears the gate', async () => {
    const g = new AppearanceGate(CFG, 'fake');
    const order: string[] = [];
    const pipe = new GatePipeline(g, async (f) => void order.push(`commit ${f.idx}`));
    await pipe.push(0, 0, [{ trackerId: 1, bbox: [100, 100, 200, 220], conf: 0.9 }], faces(new Map([[100, A]])));
    await pipe.cut(() => order.push(`close all, prototype ${g.prototypeOf(1) ? 'kept' : 'lost'}`));
    assert.deepEqual(order, ['commit 0', 'close all, prototype kept']);
    assert.equal(g.prototypeOf(1), undefined);
  });
});
