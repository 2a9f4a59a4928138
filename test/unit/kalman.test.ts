import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KalmanBoxFilter } from '../../server/engine/track/kalman-filter';
import type { BBox } from '../../server/engine/types';

const box = (cx: number, cy: number, w: number, h: number): BBox => [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
const close = (a: number, b: number, tol: number, msg?: string): void => assert.ok(Math.abs(a - b) <= tol, `${msg ?? ''} ${a} vs ${b}`);

test('starts at the measured box with zero velocity', () => {
  const kf = new KalmanBoxFilter([10, 20, 50, 100]);
  assert.deepEqual([...kf.mean], [30, 60, 0.5, 80, 0, 0, 0, 0]);
  assert.deepEqual(kf.bbox(), [10, 20, 50, 100]);
});

test('predict(dt) moves by dt × velocity', () => {
  const kf = new KalmanBoxFilter(box(100, 100, 40, 50));
  kf.mean[4] = 3; // px / frame
  kf.mean[5] = -2;
  kf.predict(6);
  close(kf.mean[0], 118, 1e-9);
  close(kf.mean[1], 88, 1e-9);
  kf.predict(1);
  close(kf.mean[0], 121, 1e-9);
});

test('predict(6) equals six one-frame predicts, covariance included', () => {
  const a = new KalmanBoxFilter(box(100, 100, 40, 50));
  a.update(box(104, 99, 41, 50)); // make the covariance non-diagonal
  a.mean[7] = 0; // height constant, so the per-step noise scale is the same in both
  const b = new KalmanBoxFilter(box(0, 0, 1, 1));
  b.mean.set(a.mean);
  b.cov.set(a.cov);
  a.predict(6);
  for (let k = 0; k < 6; k++) b.predict(1);
  for (let i = 0; i < 8; i++) close(a.mean[i], b.mean[i], 1e-9, `mean[${i}]`);
  for (let i = 0; i < 64; i++) close(a.cov[i], b.cov[i], 1e-9 * Math.max(1, Math.abs(b.cov[i])), `cov[${i}]`);
});

test('uncertainty grows with dt', () => {
  const short = new KalmanBoxFilter(box(100, 100, 40, 50));
  const long = new KalmanBoxFilter(box(100, 100, 40, 50));
  short.predict(1);
  long.predict(6);
  assert.ok(long.cov[0] > 2 * short.cov[0]);
  assert.ok(long.cov[4 * 9] > short.cov[4 * 9]);
});

test('update pulls the state toward the measurement and shrinks the variance', () => {
  const kf = new KalmanBoxFilter(box(100, 100, 40, 50));
  kf.predict(6);
  const before = kf.cov[0];
  kf.update(box(120, 100, 40, 50));
  assert.ok(kf.mean[0] > 110 && kf.mean[0] < 120, `cx ${kf.mean[0]}`);
  assert.ok(kf.mean[4] > 0, 'velocity follows the motion');
  assert.ok(kf.cov[0] < before);
  for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) close(kf.cov[i * 8 + j], kf.cov[j * 8 + i], 1e-9);
});

test('learns a constant velocity from strided measurements', () => {
  const kf = new KalmanBoxFilter(box(0, 200, 60, 80));
  for (let k = 1; k <= 12; k++) {
    kf.predict(6);
    kf.update(box(k * 6 * 4, 200, 60, 80)); // 4 px / frame
  }
  close(kf.mean[4], 4, 0.1, 'vx');
  close(kf.mean[5], 0, 0.1, 'vy');
  kf.predict(6);
  close(kf.mean[0], 13 * 24, 1, 'predicted cx');
});
