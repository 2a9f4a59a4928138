// Row shapes of the manifest files (DESIGN §4) and the precision their numbers are written with.
// Free of Node, like track-metrics.ts.
import type { BBox } from '../types';

/**
 * Why a track row starts a new export track although its tracker id continued:
 * "max_gap" (the tracker id came back after more than max_gap frames), "forced" (a split
 * without a named reason), or a gate split kind. `string & {}` keeps the known names as
 * suggestions while letting the gate add kinds without touching this file.
 */
export type SplitReason = 'max_gap' | 'forced' | (string & {});

/** One line of detections.jsonl. */
export interface DetectionRow {
  ep_id: string;
  frame_idx: number;
  ts: number;
  class: 'face';
  conf: number;
  bbox_xyxy: BBox;
  track_id: number;
  /** Flat [x0, y0, x1, y1, ...] in source pixels. */
  landmarks?: number[];
  /** The appearance gate embedded this face; faces_embed samples among such faces (G3). */
  gate_embedded?: true;
}

export interface BBoxSample {
  frame_idx: number;
  ts: number;
  bbox_xyxy: BBox;
  conf: number;
}

/** One line of tracks.jsonl. */
export interface TrackRow {
  ep_id: string;
  track_id: number;
  class: 'face';
  first_frame_idx: number;
  last_frame_idx: number;
  first_ts: number;
  last_ts: number;
  frame_count: number;
  mean_conf: number;
  /** At most track_sample_limit samples spread from the first to the last recorded box. */
  bboxes_sampled: BBoxSample[];
  split_reason?: SplitReason;
  /**
   * G3: faces_embed's prototype computed at the track's close from the faces the appearance gate
   * embedded (see track-prototype.ts); faces_embed reuses it when the model matches.
   */
  gate_embedding?: number[];
  gate_model?: string;
  /** Faces kept in gate_embedding. */
  gate_samples?: number;
  /** First and last frame the gate embedded a face of this track on. */
  gate_span?: [number, number];
}

/** Why faces_embed left a sampled face out of its track's prototype (faces.jsonl `skip`). */
export type FaceSkip = 'conf' | 'contrast' | 'sharpness' | 'not_decoded';

/** The TrackRecorder's counters, written into track_metrics.json as they are. */
export interface RecorderMetrics {
  /** Export tracks started (including splits and tracks later dropped as too short). */
  tracks_born: number;
  /** Export tracks closed, for any reason (gap, split, cut, unseen, end of run). */
  tracks_lost: number;
  /** A tracker id came back after more than max_gap frames and got a new export id. */
  id_switches: number;
  /** Splits asked for by the caller (the appearance gate). */
  forced_splits: number;
  /** forced_splits by split reason. */
  splits_by_reason: Record<string, number>;
  /** Tracks shorter than min_track_length: neither their track row nor their detections are written. */
  short_tracks_dropped: number;
  tracks_written: number;
  detections_written: number;
  /** B4: records that skipped the bbox sample and the crop because the box barely moved. */
  b4_skipped: number;
}

// Precision on disk: 0.1 px is far below detector jitter; 4 decimals keep ts unique per frame
// up to 1000 fps and conf finer than any threshold anyone tunes.
const round = (v: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
};
export const roundPx = (v: number): number => round(v, 1);
export const roundBBox = (b: BBox): BBox => [roundPx(b[0]), roundPx(b[1]), roundPx(b[2]), roundPx(b[3])];
export const roundConf = (v: number): number => round(v, 4);
export const roundTs = (v: number): number => round(v, 4);
