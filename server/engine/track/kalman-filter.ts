// Constant-velocity Kalman filter for one box, in ByteTrack's measurement space
// (cx, cy, a = w/h, h) with the four velocities: state x = [cx, cy, a, h, vcx, vcy, va, vh].
// Noise follows ByteTrack: standard deviations proportional to the box height, so the filter
// behaves the same for small and large faces.
//
// Unlike the reference, the tracker only sees analysed frames: usually every `stride` source
// frames, but consecutive frames during warm-up after a cut. `predict(dt)` therefore advances by
// dt source frames in one step, with exactly the transition and process noise of dt reference
// one-frame steps (velocity random walk), so the filter is the same whatever the sampling.

import type { BBox } from '../types';

const STD_POSITION = 1 / 20;
const STD_VELOCITY = 1 / 160;

// Scratch for update(); JS is single-threaded and update() does not re-enter.
const S = new Float64Array(16);
const L = new Float64Array(16);
const K = new Float64Array(32);
const HP = new Float64Array(32);

export class KalmanBoxFilter {
  /** State mean [cx, cy, a, h, vcx, vcy, va, vh]; velocities are per source frame. */
  readonly mean = new Float64Array(8);
  /** 8×8 covariance, row-major. */
  readonly cov = new Float64Array(64);

  constructor(box: BBox) {
    const z = toMeasurement(box);
    this.mean.set(z);
    const h = z[3];
    const std = [
      2 * STD_POSITION * h, 2 * STD_POSITION * h, 1e-2, 2 * STD_POSITION * h,
      10 * STD_VELOCITY * h, 10 * STD_VELOCITY * h, 1e-5, 10 * STD_VELOCITY * h,
    ];
    for (let i = 0; i < 8; i++) this.cov[i * 9] = std[i] * std[i];
  }

  /**
   * Advance the state by `dt` source frames. `freezeHeight` zeroes the height velocity first,
   * as ByteTrack does for lost tracks so their box does not shrink or grow without evidence.
   */
  predict(dt: number, freezeHeight = false): void {
    const m = this.mean;
    const P = this.cov;
    if (freezeHeight) m[7] = 0;
    const h = m[3];
    for (let i = 0; i < 4; i++) m[i] += dt * m[i + 4];

    // P ← F P Fᵀ with F = [[I, dt·I], [0, I]]: add dt × velocity rows, then columns.
    for (let i = 0; i < 4; i++) for (let j = 0; j < 8; j++) P[i * 8 + j] += dt * P[(i + 4) * 8 + j];
    for (let i = 0; i < 8; i++) for (let j = 0; j < 4; j++) P[i * 8 + j] += dt * P[i * 8 + j + 4];

    // Q(dt) = Σ_{k<dt} F^k Q₁ F^kᵀ, the noise of dt one-frame steps (noise scaled by the
    // height at the start of the step, as the reference does per frame).
    const s1 = (dt * (dt - 1)) / 2; // Σ k
    const s2 = ((dt - 1) * dt * (2 * dt - 1)) / 6; // Σ k²
    const qp = [STD_POSITION * h, STD_POSITION * h, 1e-2, STD_POSITION * h];
    const qv = [STD_VELOCITY * h, STD_VELOCITY * h, 1e-5, STD_VELOCITY * h];
    for (let i = 0; i < 4; i++) {
      const vp = qp[i] * qp[i];
      const vv = qv[i] * qv[i];
      P[i * 9] += dt * vp + s2 * vv;
      P[i * 8 + i + 4] += s1 * vv;
      P[(i + 4) * 8 + i] += s1 * vv;
      P[(i + 4) * 9] += dt * vv;
    }
  }

  /** Correct the state with a measured box. */
  update(box: BBox): void {
    const m = this.mean;
    const P = this.cov;
    const z = toMeasurement(box);
    const h = m[3];
    const r = [STD_POSITION * h, STD_POSITION * h, 1e-1, STD_POSITION * h];

    // Innovation covariance S = H P Hᵀ + R (H picks the first four state entries).
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) S[i * 4 + j] = P[i * 8 + j];
    for (let i = 0; i < 4; i++) S[i * 5] += r[i] * r[i];
    cholesky4(S, L);

    // Gain K = P Hᵀ S⁻¹, one 4-vector per state row: solve S kᵢ = (P Hᵀ)ᵢ.
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 4; j++) K[i * 4 + j] = P[i * 8 + j];
      choleskySolve4(L, K, i * 4);
    }

    const innov = [z[0] - m[0], z[1] - m[1], z[2] - m[2], z[3] - m[3]];
    for (let i = 0; i < 8; i++) {
      let s = 0;
      for (let j = 0; j < 4; j++) s += K[i * 4 + j] * innov[j];
      m[i] += s;
    }

    // P ← P − K H P; H P is the first four rows of P, read before they change.
    HP.set(P.subarray(0, 32));
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 8; j++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += K[i * 4 + k] * HP[k * 8 + j];
        P[i * 8 + j] -= s;
      }
    }
  }

  /** Current box estimate as [x1, y1, x2, y2]. */
  bbox(): BBox {
    const [cx, cy, a, h] = this.mean;
    const w = a * h;
    return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
  }
}

function toMeasurement(b: BBox): [number, number, number, number] {
  const w = b[2] - b[0];
  const h = b[3] - b[1];
  return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, w / h, h];
}

/** Lower-triangular L with S = L Lᵀ for a 4×4 symmetric positive-definite S. */
function cholesky4(S: Float64Array, L: Float64Array): void {
  L.fill(0);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j <= i; j++) {
      let s = S[i * 4 + j];
      for (let k = 0; k < j; k++) s -= L[i * 4 + k] * L[j * 4 + k];
      L[i * 4 + j] = i === j ? Math.sqrt(s) : s / L[j * 4 + j];
    }
  }
}

/** Solve (L Lᵀ) x = b in place, b being the 4 entries of `y` from `o`. */
function choleskySolve4(L: Float64Array, y: Float64Array, o: number): void {
  for (let i = 0; i < 4; i++) {
    for (let k = 0; k < i; k++) y[o + i] -= L[i * 4 + k] * y[o + k];
    y[o + i] /= L[i * 5];
  }
  for (let i = 3; i >= 0; i--) {
    for (let k = i + 1; k < 4; k++) y[o + i] -= L[k * 4 + i] * y[o + k];
    y[o + i] /= L[i * 5];
  }
}
