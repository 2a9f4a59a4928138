import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { iou, nms, nmsDetections } from '../../server/engine/detect/nms';
import type { BBox } from '../../server/engine/types';

const flat = (boxes: BBox[]) => Float32Array.from(boxes.flat());

describe('iou', () => {
  test('identical, disjoint, touching and partial overlaps', () => {
    assert.equal(iou([0, 0, 10, 10], [0, 0, 10, 10]), 1);
    assert.equal(iou([0, 0, 10, 10], [20, 20, 30, 30]), 0);
    assert.equal(iou([0, 0, 10, 10], [10, 0, 20, 10]), 0);
    // 5×10 shared of 100 + 100 − 50
    assert.equal(iou([0, 0, 10, 10], [5, 0, 15, 10]), 50 / 150);
    // one box inside the other
    assert.equal(iou([0, 0, 10, 10], [0, 0, 5, 5]), 0.25);
  });
});

describe('nms', () => {
  test('keeps the best of an overlapping pair and a separate box, best first', () => {
    const boxes = flat([
      [0, 0, 10, 10],
      [1, 1, 11, 11], // IoU 81/119 ≈ 0.68 with box 0
      [50, 50, 60, 60],
    ]);
    assert.deepEqual(nms(boxes, [0.8, 0.9, 0.7], 0.3), [1, 2]);
  });

  test('orders by score, not by position (the faceplugin JS sorted by y2)', () => {
    // The lower-scored box reaches further down; it must be the one suppressed.
    const boxes = flat([
      [0, 0, 10, 10],
      [0, 1, 10, 12],
    ]);
    assert.deepEqual(nms(boxes, [0.95, 0.6], 0.3), [0]);
    assert.deepEqual(nms(boxes, [0.6, 0.95], 0.3), [1]);
  });

  test('IoU equal to the threshold is kept, just above is suppressed', () => {
    // Areas 2.5 and 2.5, intersection 1, union 4: IoU exactly 0.25.
    const boxes = flat([
      [0, 0, 2.5, 1],
      [1.5, 0, 4, 1],
    ]);
    assert.equal(iou([0, 0, 2.5, 1], [1.5, 0, 4, 1]), 0.25);
    assert.deepEqual(nms(boxes, [0.9, 0.8], 0.25), [0, 1]);
    assert.deepEqual(nms(boxes, [0.9, 0.8], 0.2499), [0]);
  });

  test('only kept boxes suppress (greedy)', () => {
    // A suppresses B; C overlaps B a lot but A only a little, so C survives.
    const boxes = flat([
      [0, 0, 10, 10], // A
      [4, 0, 14, 10], // B: IoU(A,B) = 60/140
      [8, 0, 18, 10], // C: IoU(A,C) = 20/180, IoU(B,C) = 60/140
    ]);
    assert.deepEqual(nms(boxes, [0.9, 0.8, 0.7], 0.3), [0, 2]);
  });

  test('empty input and zero-area boxes', () => {
    assert.deepEqual(nms(new Float32Array(0), [], 0.3), []);
    assert.deepEqual(nms(flat([[5, 5, 5, 5], [5, 5, 5, 5]]), [0.5, 0.6], 0.3), [1, 0]);
  });

  test('nmsDetections returns the detections, best first', () => {
    const a = { bbox: [0, 0, 10, 10] as BBox, conf: 0.6 };
    const b = { bbox: [1, 0, 11, 10] as BBox, conf: 0.9 };
    const c = { bbox: [100, 0, 110, 10] as BBox, conf: 0.7 };
    assert.deepEqual(nmsDetections([a, b, c], 0.3), [b, c]);
  });
});
