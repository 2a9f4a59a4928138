// ByteTrack (Zhang et al., 2022): associate confident detections first, then use the
// low-score ones to keep existing tracks alive through blur and occlusion, never to start one.
// Frames are source frame indices; the tracker is called only on analysed frames, and the
// Kalman prediction advances by the real gap between them (stride, or 1 during warm-up).

import type { BBox, Detection, TrackedObject } from '../types';
import { KalmanBoxFilter } from './kalman-filter';
import { associate } from './matching';

export interface ByteTrackerOptions {
  /** Detections with conf ≥ this are "high" and take part in the first association. */
  trackThresh: number;
  /** Detections with lowThresh ≤ conf < trackThresh are "low": second association only. */
  lowThresh: number;
  /** An unmatched high detection starts a track only if conf ≥ this. */
  newTrackThresh: number;
  /** Max IoU cost (1 − IoU) to accept a match in the first association. */
  matchThresh: number;
  /** Source frames a lost track is kept before it is dropped. */
  trackBuffer: number;
  /** Apply ByteTrack's fuse_score (cost 1 − IoU·conf) to high-detection matching. Default false. */
  fuseScore?: boolean;
  /**
   * Confirm a track at its first detection instead of its second hit. At stride N the second
   * hit comes N frames later, so ByteTrack's rule would drop the first box of every track;
   * with a strict newTrackThresh the recorder's min_track_length removes one-hit noise instead.
   */
  confirmAtBirth?: boolean;
}

/** Max IoU cost for low detections ↔ still-tracked tracks (the paper's 0.5). */
const LOW_MATCH_THRESH = 0.5;
/** Max IoU cost for one-hit tracks ↔ leftover high detections (the reference's 0.7). */
const UNCONFIRMED_MATCH_THRESH = 0.7;

interface Track {
  readonly id: number;
  readonly kf: KalmanBoxFilter;
  /** Lost: missed on a recent frame, still predicted and matchable in the first association. */
  lost: boolean;
  /** False for a one-hit track until its second hit. */
  confirmed: boolean;
  /** Last frame with a matched detection. */
  lastFrame: number;
}

export class ByteTracker {
  private tracks: Track[] = [];
  private nextId = 1;
  /** Frame of the previous update since construction/reset; undefined before the first one. */
  private lastFrame: number | undefined;

  constructor(private readonly opts: ByteTrackerOptions) {}

  /** Confirmed tracks still held (tracked or lost). */
  get activeCount(): number {
    return this.tracks.filter((t) => t.confirmed).length;
  }

  /** Drop all tracks (scene cut). Ids keep increasing, so none is reused within a run. */
  reset(): void {
    this.tracks = [];
    this.lastFrame = undefined;
  }

  /**
   * Feed the detections of one analysed frame. Returns the confirmed tracks matched or born on
   * this frame, each with its matched *detection's* box and conf (not the Kalman estimate).
   */
  update(frameIdx: number, dets: readonly Detection[]): TrackedObject[] {
    const o = this.opts;
    const firstFrame = this.lastFrame === undefined;
    const dt = firstFrame ? 0 : frameIdx - this.lastFrame!;
    if (dt < 0) throw new RangeError(`frame ${frameIdx} is before the previous update (${this.lastFrame})`);
    this.lastFrame = frameIdx;

    const out: TrackedObject[] = [];
    const hit = (t: Track, d: Detection): void => {
      t.kf.update(d.bbox);
      t.lost = false;
      t.confirmed = true;
      t.lastFrame = frameIdx;
      out.push({ trackerId: t.id, bbox: [...d.bbox] as BBox, conf: d.conf });
    };

    const high = dets.filter((d) => d.conf >= o.trackThresh);
    const low = dets.filter((d) => d.conf >= o.lowThresh && d.conf < o.trackThresh);
    // Forget tracks lost for longer than the buffer before they can match: with strided
    // updates, pruning after association would stretch the buffer by up to a stride.
    this.tracks = this.tracks.filter((t) => frameIdx - t.lastFrame <= o.trackBuffer);
    for (const t of this.tracks) t.kf.predict(dt, t.lost);

    // 1. High detections ↔ all confirmed tracks, lost ones included (re-identification).
    const pool = this.tracks.filter((t) => t.confirmed);
    const unconfirmed = this.tracks.filter((t) => !t.confirmed);
    const first = associate(pool.map((t) => t.kf.bbox()), high, o.matchThresh, o.fuseScore);
    for (const [ti, di] of first.matches) hit(pool[ti], high[di]);

    // 2. Low detections ↔ tracks that were tracked until now and missed above. A lost track
    // is not revived by a low-score box: that would too easily latch onto a false positive.
    const stillTracked = first.unmatchedRows.map((i) => pool[i]).filter((t) => !t.lost);
    const second = associate(stillTracked.map((t) => t.kf.bbox()), low, LOW_MATCH_THRESH);
    for (const [ti, di] of second.matches) hit(stillTracked[ti], low[di]);
    for (const ti of second.unmatchedRows) stillTracked[ti].lost = true;

    // 3. One-hit tracks ↔ high detections left over; an unconfirmed track that misses dies.
    const leftHigh = first.unmatchedCols.map((i) => high[i]);
    const third = associate(unconfirmed.map((t) => t.kf.bbox()), leftHigh, UNCONFIRMED_MATCH_THRESH, o.fuseScore);
    for (const [ti, di] of third.matches) hit(unconfirmed[ti], leftHigh[di]);
    const dead = new Set(third.unmatchedRows.map((i) => unconfirmed[i]));

    // 4. Births from confident leftovers. Unless confirmAtBirth, only the first frame after a
    // reset confirms at once; later a second hit is required so one-frame false positives never surface.
    const births: Track[] = [];
    const confirmNow = firstFrame || !!o.confirmAtBirth;
    for (const di of third.unmatchedCols) {
      const d = leftHigh[di];
      if (d.conf < o.newTrackThresh) continue;
      const t: Track = { id: this.nextId++, kf: new KalmanBoxFilter(d.bbox), lost: false, confirmed: confirmNow, lastFrame: frameIdx };
      births.push(t);
      if (confirmNow) out.push({ trackerId: t.id, bbox: [...d.bbox] as BBox, conf: d.conf });
    }

    this.tracks = this.tracks.filter((t) => !dead.has(t)).concat(births);
    return out;
  }
}
