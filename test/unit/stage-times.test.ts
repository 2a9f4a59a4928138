import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeStages, StageTimes } from '../../server/engine/stage-times';

test('StageTimes adds up each stage and reports only the stages it went through', () => {
  const times = new StageTimes();
  const t0 = performance.now();
  const mark = times.add('detection', t0 - 1500);
  assert.ok(mark >= t0, 'add returns the time it read');
  times.add('detection', mark - 250);
  times.add('crops', mark - 40);
  const s = times.seconds();
  assert.deepEqual(Object.keys(s).sort(), ['crops', 'detection']);
  assert.ok(s.detection! >= 1.75 && s.detection! < 1.8, `detection ${s.detection}`);
  assert.ok(s.crops! >= 0.04 && s.crops! < 0.09, `crops ${s.crops}`);
});

test('describeStages lists the longest first, in words', () => {
  assert.equal(
    describeStages({ scenes: 0.8, waiting_for_frames: 3.947, detection: 3.3, tracking: 0.07 }),
    'waiting for frames 3.95s, detection 3.30s, scenes 0.80s, tracking 0.07s',
  );
});
