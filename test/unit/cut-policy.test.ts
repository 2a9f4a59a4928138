import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CutPolicy } from '../../server/engine/scenes/cut-policy';

test('F1: cuts within the cooldown of the last reset are suppressed and counted', () => {
  const policy = new CutPolicy({ cooldown: 24, warmup: 0 });
  const resets = [10, 20, 30, 40, 60].map((f) => policy.onCut(f));
  // 10 resets; 20 and 30 are < 24 after 10; 40 is 30 after 10 → resets; 60 is 20 after 40 → suppressed.
  assert.deepEqual(resets, [true, false, false, true, false]);
  assert.deepEqual(policy.resets, [10, 40]);
  assert.deepEqual(policy.suppressed, [20, 30, 60]);
  assert.ok(policy.resets.length <= policy.cuts.length);
});

test('F1 off (cooldown 0): every cut resets', () => {
  const policy = new CutPolicy({ cooldown: 0, warmup: 0 });
  assert.deepEqual([10, 11, 12].map((f) => policy.onCut(f)), [true, true, true]);
  assert.equal(policy.suppressed.length, 0);
});

test('warm-up covers the cut frame and the next warmup-1 frames, only after a reset', () => {
  const policy = new CutPolicy({ cooldown: 24, warmup: 3 });
  const warm: number[] = [];
  for (let f = 0; f < 40; f++) {
    if (f === 5 || f === 12) policy.onCut(f); // 12 is suppressed: no new warm-up
    if (policy.consumeWarmup()) warm.push(f);
  }
  assert.deepEqual(warm, [5, 6, 7]);
});

test('a fade resets whatever the cooldown, starts a warm-up, and counts as no cut', () => {
  const policy = new CutPolicy({ cooldown: 24, warmup: 2 });
  const warm: number[] = [];
  for (let f = 0; f < 40; f++) {
    if (f === 5) policy.onCut(f);
    if (f === 10) policy.onFade(f);
    if (f === 20) assert.equal(policy.onCut(f), false); // 10 frames after the fade's reset
    if (policy.consumeWarmup()) warm.push(f);
  }
  assert.deepEqual(warm, [5, 6, 10, 11]);
  assert.deepEqual([policy.cuts, policy.resets, policy.fadeResets, policy.suppressed], [[5, 20], [5], [10], [20]]);
});
