// The score curve's downsampling: spikes and black frames survive, skipped frames are filled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downsampleScores } from '../../server/engine/scenes/score-series';

test('one point a frame up to the limit, rounded', () => {
  const s = downsampleScores([0, 1, 2], [0, 3.14159, 40], [0, 0.12345, 0.9], [100, 100.04, 5], 2000);
  assert.deepEqual(s, { step: 1, content: [0, 3.14, 40], histogram: [0, 0.123, 0.9], brightness: [100, 100, 5] });
});

test('past the limit, a point per `step` frames keeps each bucket\'s highest score and lowest brightness', () => {
  const n = 10;
  const idx = Array.from({ length: n }, (_, i) => i);
  const content = idx.map((i) => (i === 7 ? 50 : 1));
  const s = downsampleScores(idx, content, content.map((c) => c / 100), idx.map((i) => (i === 2 ? 3 : 120)), 4);
  assert.equal(s.step, 3);
  assert.deepEqual(s.content, [1, 1, 50, 1]);
  assert.deepEqual(s.histogram, [0.01, 0.01, 0.5, 0.01]);
  assert.deepEqual(s.brightness, [3, 120, 120, 120]);
});

test('frames the decoder skipped score 0 and keep the last brightness', () => {
  const s = downsampleScores([0, 4], [0, 9], [0, 0.5], [80, 90], 10);
  assert.deepEqual(s, { step: 1, content: [0, 0, 0, 0, 9], histogram: [0, 0, 0, 0, 0.5], brightness: [80, 80, 80, 80, 90] });
  assert.deepEqual(downsampleScores([], [], [], []), { step: 1, content: [], histogram: [], brightness: [] });
});
