// TrackRecorder: turns the tracker's per-frame output into export tracks and manifest rows.
// Tracker ids map to export ids (1, 2, ...); a track is emitted as soon as it closes and then
// forgotten, so memory holds only the open tracks, whatever the episode length.
import type { EmbeddedFace } from '../embed/quality';
import { EvenSubset } from '../embed/sample-plan';
import type { GateFace, GateFields } from '../embed/track-prototype';
import type { BBox } from '../types';
import {
  roundBBox,
  roundConf,
  roundPx,
  roundTs,
  type BBoxSample,
  type DetectionRow,
  type RecorderMetrics,
  type SplitReason,
  type TrackRow,
} from '../manifests/manifest-types';

export interface RecorderOptions {
  epId: string;
  /** A tracker id unseen for more than this many frames comes back as a new export track. */
  maxGap: number;
  /**
   * Tracks spanning fewer source frames (last − first + 1) are dropped together with their
   * detection rows. A span, not a record count, so the meaning does not change with the stride.
   */
  minTrackLength: number;
  /** Cap on bboxes_sampled per track. */
  trackSampleLimit: number;
  /** B4: skip the sample (and tell the caller to skip the crop) for boxes that barely moved. */
  skipUnchanged: boolean;
  onDetection: (row: DetectionRow) => void;
  onTrack: (row: TrackRow) => void;
  /** A track was dropped as too short: its crops, if any, should go. */
  onDropTrack?: (exportId: number) => void;
  /** G3: a closing track's gate fields, from the faces the appearance gate embedded in it… */
  gateFields?: (faces: readonly GateFace[], trackId: number) => GateFields;
  /** …of which an open track keeps at most about this many, evenly spread (gateFacesKept). */
  gateFacesKept?: number;
}

export interface RecordInput {
  trackerId: number;
  frameIdx: number;
  ts: number;
  bbox: BBox;
  conf: number;
  /** Close this tracker id's export track and start a new one (the appearance gate's split). */
  forceNew?: boolean;
  splitReason?: SplitReason;
  landmarks?: number[];
  /** The face the appearance gate embedded on this frame, if any. */
  face?: EmbeddedFace;
}

export interface RecordResult {
  exportId: number;
  /** False when B4 skipped the box: the caller skips the crop too. */
  recorded: boolean;
}

/** B4: a box counts as unchanged only if the last recorded one is fewer than this many frames old. */
export const B4_MAX_AGE_FRAMES = 5;
/** B4: relative tolerance, see isUnchangedBox. */
export const B4_REL_TOL = 0.05;

/**
 * B4's "within 5% relative": each x edge moved by at most 5% of the reference box's width and
 * each y edge by at most 5% of its height. The tolerance is relative to the box size on
 * purpose: the seed's numpy allclose(rtol) scales with the distance from the image origin, so
 * a box at x=1000 could drift 50 px and still count as unchanged.
 */
export function isUnchangedBox(box: BBox, ref: BBox, tol = B4_REL_TOL): boolean {
  const tx = tol * (ref[2] - ref[0]);
  const ty = tol * (ref[3] - ref[1]);
  return (
    Math.abs(box[0] - ref[0]) <= tx &&
    Math.abs(box[2] - ref[2]) <= tx &&
    Math.abs(box[1] - ref[1]) <= ty &&
    Math.abs(box[3] - ref[3]) <= ty
  );
}

interface Sample {
  /** Ordinal among the track's recorded (not B4-skipped) boxes. */
  ord: number;
  row: BBoxSample;
}

interface OpenTrack {
  exportId: number;
  trackerId: number;
  splitReason?: SplitReason;
  firstFrame: number;
  firstTs: number;
  lastFrame: number;
  lastTs: number;
  frameCount: number;
  confSum: number;
  /** Detection rows held back until the track reaches minTrackLength; null once released. */
  heldRows: DetectionRow[] | null;
  samples: Sample[];
  sampleStride: number;
  recordedCount: number;
  lastSample?: Sample;
  /** B4 reference: the last box of this tracker id that was recorded, not skipped. */
  lastRecorded?: { frameIdx: number; bbox: BBox };
  /** Bounded: a face seen for an hour would otherwise hold thousands of embeddings. */
  gateFaces: EvenSubset<GateFace>;
}

export class TrackRecorder {
  private readonly m: RecorderMetrics = {
    tracks_born: 0,
    tracks_lost: 0,
    id_switches: 0,
    forced_splits: 0,
    splits_by_reason: {},
    short_tracks_dropped: 0,
    tracks_written: 0,
    detections_written: 0,
    b4_skipped: 0,
  };
  /** Open export tracks by tracker id: B4 state lives here, so it is keyed by tracker id too. */
  private readonly open = new Map<number, OpenTrack>();
  /**
   * Tracker ids whose track endUnseen() closed in the current scene. Only the ids are kept, so
   * that one coming back still counts as an id switch, as it would without endUnseen().
   */
  private readonly unseen = new Set<number>();
  private nextExportId = 1;
  private watermark = -Infinity;

  constructor(private readonly opts: RecorderOptions) {}

  /** A snapshot of the counters. */
  get metrics(): RecorderMetrics {
    return { ...this.m, splits_by_reason: { ...this.m.splits_by_reason } };
  }

  record(r: RecordInput): RecordResult {
    this.advance(r.frameIdx);
    let t = this.open.get(r.trackerId);
    if (t && r.forceNew) {
      const reason = r.splitReason ?? 'forced';
      this.close(t);
      this.m.forced_splits++;
      this.m.splits_by_reason[reason] = (this.m.splits_by_reason[reason] ?? 0) + 1;
      t = this.start(r, reason);
    } else if (t && r.frameIdx - t.lastFrame > this.opts.maxGap) {
      this.close(t);
      this.m.id_switches++;
      t = this.start(r, 'max_gap');
    } else if (!t) {
      const cameBack = this.unseen.delete(r.trackerId);
      if (cameBack) this.m.id_switches++;
      t = this.start(r, cameBack ? 'max_gap' : undefined);
    }

    const skip =
      this.opts.skipUnchanged &&
      t.lastRecorded !== undefined &&
      r.frameIdx - t.lastRecorded.frameIdx < B4_MAX_AGE_FRAMES &&
      isUnchangedBox(r.bbox, t.lastRecorded.bbox);

    // The span, count and detection row are updated either way: B4 must not change what users read.
    t.lastFrame = r.frameIdx;
    t.lastTs = r.ts;
    t.frameCount++;
    t.confSum += r.conf;
    const row: DetectionRow = {
      ep_id: this.opts.epId,
      frame_idx: r.frameIdx,
      ts: roundTs(r.ts),
      class: 'face',
      conf: roundConf(r.conf),
      bbox_xyxy: roundBBox(r.bbox),
      track_id: t.exportId,
      ...(r.landmarks ? { landmarks: r.landmarks.map(roundPx) } : {}),
      ...(r.face ? { gate_embedded: true as const } : {}),
    };
    if (r.face) t.gateFaces.offer({ frame_idx: row.frame_idx, conf: row.conf, face: r.face, ts: row.ts, bbox_xyxy: row.bbox_xyxy });
    if (skip) {
      this.m.b4_skipped++;
    } else {
      // A copy: the tracker may update its box arrays in place.
      t.lastRecorded = { frameIdx: r.frameIdx, bbox: [...r.bbox] };
      this.addSample(t, { frame_idx: row.frame_idx, ts: row.ts, bbox_xyxy: row.bbox_xyxy, conf: row.conf });
    }
    this.emitDetection(t, row);
    return { exportId: t.exportId, recorded: !skip };
  }

  /** A scene cut ends every track. */
  onCut(frameIdx: number): void {
    this.advance(frameIdx);
    this.closeAll();
  }

  /** Close tracks not seen for more than maxGap frames, so memory stays flat even if the tracker never reports them again. */
  endUnseen(frameIdx: number): void {
    this.advance(frameIdx);
    for (const t of [...this.open.values()]) {
      if (frameIdx - t.lastFrame > this.opts.maxGap) {
        this.close(t);
        this.unseen.add(t.trackerId);
      }
    }
  }

  /** Close everything; all remaining rows are emitted. */
  finalize(): void {
    this.closeAll();
  }

  /** Frames must arrive in order: the gap logic and the cut boundaries depend on it. */
  private advance(frameIdx: number): void {
    if (frameIdx < this.watermark) {
      throw new RangeError(`TrackRecorder: frame ${frameIdx} arrived after frame ${this.watermark}`);
    }
    this.watermark = frameIdx;
  }

  private closeAll(): void {
    for (const t of [...this.open.values()]) this.close(t);
    this.unseen.clear();
  }

  private start(r: RecordInput, splitReason: SplitReason | undefined): OpenTrack {
    const t: OpenTrack = {
      exportId: this.nextExportId++,
      trackerId: r.trackerId,
      splitReason,
      firstFrame: r.frameIdx,
      firstTs: r.ts,
      lastFrame: r.frameIdx,
      lastTs: r.ts,
      frameCount: 0,
      confSum: 0,
      heldRows: this.opts.minTrackLength > 1 ? [] : null,
      samples: [],
      sampleStride: 1,
      recordedCount: 0,
      gateFaces: new EvenSubset(this.opts.gateFacesKept ?? Infinity),
    };
    this.open.set(r.trackerId, t);
    this.m.tracks_born++;
    return t;
  }

  private emitDetection(t: OpenTrack, row: DetectionRow): void {
    if (t.heldRows === null) {
      this.writeDetection(row);
      return;
    }
    t.heldRows.push(row);
    if (span(t) >= this.opts.minTrackLength) {
      for (const held of t.heldRows) this.writeDetection(held);
      t.heldRows = null;
    }
  }

  private writeDetection(row: DetectionRow): void {
    this.m.detections_written++;
    this.opts.onDetection(row);
  }

  /**
   * Bounded, evenly spread sampling: keep every `sampleStride`-th recorded box; when that
   * exceeds the limit, double the stride and drop the samples that are off the new stride.
   * At most limit + 1 samples are held; once the cap was hit they number at least limit/2 and
   * are evenly spaced from the first box on. toRow() adds the last recorded box, so they reach
   * the end too.
   */
  private addSample(t: OpenTrack, row: BBoxSample): void {
    const sample = { ord: t.recordedCount++, row };
    t.lastSample = sample;
    const limit = this.opts.trackSampleLimit;
    if (limit <= 0 || sample.ord % t.sampleStride !== 0) return;
    t.samples.push(sample);
    if (t.samples.length > limit) {
      t.sampleStride *= 2;
      t.samples = t.samples.filter((s) => s.ord % t.sampleStride === 0);
    }
  }

  private close(t: OpenTrack): void {
    this.open.delete(t.trackerId);
    this.m.tracks_lost++;
    if (span(t) < this.opts.minTrackLength) {
      this.m.short_tracks_dropped++;
      this.opts.onDropTrack?.(t.exportId);
      return;
    }
    this.m.tracks_written++;
    this.opts.onTrack(this.toRow(t));
  }

  private toRow(t: OpenTrack): TrackRow {
    const limit = this.opts.trackSampleLimit;
    const samples = t.samples.map((s) => s.row);
    if (limit > 0 && t.lastSample && t.samples[t.samples.length - 1] !== t.lastSample) {
      // Append the last box, or let it replace the latest sample at the cap: with a limit of 2 or
      // more, the first and the last box are both in.
      samples[Math.min(samples.length, limit - 1)] = t.lastSample.row;
    }
    return {
      ep_id: this.opts.epId,
      track_id: t.exportId,
      class: 'face',
      first_frame_idx: t.firstFrame,
      last_frame_idx: t.lastFrame,
      first_ts: roundTs(t.firstTs),
      last_ts: roundTs(t.lastTs),
      frame_count: t.frameCount,
      mean_conf: roundConf(t.confSum / t.frameCount),
      bboxes_sampled: samples,
      ...(t.splitReason ? { split_reason: t.splitReason } : {}),
      ...this.opts.gateFields?.(t.gateFaces.items, t.exportId),
    };
  }
}

function span(t: OpenTrack): number {
  return t.lastFrame - t.firstFrame + 1;
}
