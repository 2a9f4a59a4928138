// The shape of track_metrics.json: what a run measured, the one type its writer
// (metrics-builder.ts) and every reader (run history, CLI, extension, webview) share.
// Types only, free of Node.
import type { EpisodeConfig } from '../../config/config-types';
import type { RunState } from '../events';
import type { Stage } from '../stage-times';
import type { YuvColor } from '../types';
import type { FaceSkip, RecorderMetrics } from './manifest-types';
import type { EvalSummary } from '../eval/scores';
import type { CutScores } from '../eval/scores';

/** Whether a cached stage was replayed ('reused'), run and stored ('computed'), or the cache was off. */
export type StageStatus = 'reused' | 'computed' | 'off';

/** How the run got its analysis stage. */
export interface CacheReport {
  analysis: StageStatus;
  key?: string;
  reason?: string;
  /** Set when the analysis (at this stride and cooldown) served a sweep point as a subset. */
  served_by?: { stride: number; cooldown: number };
}

export interface ExportStats {
  /** Jobs accepted. */
  queued: number;
  written: number;
  /** Encode or write errors; counted, never thrown. */
  failed: number;
  /** Jobs not encoded: their track was dropped first, or the crop box lay outside the frame. */
  skipped: number;
  /** Highest number of jobs accepted and not yet finished; never above queueSize. */
  peakDepth: number;
  /** Encode + write time summed over jobs (they overlap, so this can exceed wall time). */
  encodeMs: number;
  /** Time callers spent waiting for queue space: high means the exporter is the bottleneck. */
  blockedMs: number;
  lastError?: string;
}

/** A gate of the face check (detect/face-check.ts). */
export type CheckFailure = 'quality' | 'landmarks' | 'alignment' | 'redetect';
export type VerifyScope = 'tiles' | 'all' | 'off';

/** What the detection stage counted over a run (detect/frame-detection.ts). */
export interface DetectionStats {
  /** `1x1`, `2x2`, … or `auto (grid 2x2)`. */
  tiles: string;
  frames: number;
  /** Tile inferences (a whole tile, or a mosaic of four regions) and what ran them. */
  tile_inferences: number;
  grid_passes: number;
  region_passes: number;
  regions: number;
  /** Model runs of the face check: landmark runs (two per box) and view inferences (four views, two per box). */
  check_landmark_runs: number;
  check_view_inferences: number;
  /** Boxes only tiles found, after merging (before the check). */
  tile_only: number;
  /** Boxes whose score a tile raised well above the whole frame's (checked like tile-only ones). */
  tile_promoted: number;
  /** Boxes cut by a tile edge that no whole box of their face absorbed: dropped. */
  cut_dropped: number;
  /** dropped: boxes removed; fell_back: failed boxes replaced by the whole frame's box of the same face. */
  verify: { scope: VerifyScope; checked: number; reused: number; dropped: number; fell_back: number; by_reason: Record<CheckFailure, number> };
}

/** metrics.detection: the counts, and what tiles and the check cost per analysed frame. */
export interface DetectionMetrics extends DetectionStats {
  per_frame: {
    tile_inferences: number;
    check_view_inferences: number;
    check_landmark_runs: number;
    /** Engine-thread milliseconds in the detection stage; absent on a replay, which detects nothing. */
    detection_ms?: number;
  };
}

export interface FacesEmbedSummary {
  tracks: number;
  /** Tracks whose gate embedding was reused (G3): "reused N of M". */
  reused: number;
  faces: number;
  embedded: number;
  skipped: Partial<Record<FaceSkip, number>>;
  tracks_without_faces: number;
  frames_decoded: number;
  wall_s: number;
}

export interface TrackMetrics extends RecorderMetrics {
  ep_id: string;
  state: RunState;
  run_id: string;
  started_at: string;
  cache: CacheReport & { size_bytes: number };
  /** Set on the runs of a sweep: its id and this point's values by dotted key. */
  sweep?: { id: string; values: Record<string, unknown> };
  mean_track_length_s: number;
  tracks_per_minute: number;
  scene_cuts: {
    count: number;
    indices: number[];
    resets: number;
    suppressed_by_cooldown: number;
    suppressed_indices: number[];
    /** Fades through black (scene_cuts.json lists them), the tracker resets at their black frames, dissolves (each also one cut). */
    fades: number;
    fade_resets: number;
    dissolves: number;
  };
  stats: {
    frames_decoded: number;
    frames_analysed: number;
    effective_stride: number;
    /** Which frames were decoded (the config's `sampling`, or `exact` where it fell back). */
    sampling: string;
    /** How full-resolution frames left ffmpeg: rgb24, yuv420p (crops converted in JS), or none. */
    full_frames: string;
    wall_time_s: number;
    video_duration_s: number;
    realtime_factor: number;
    fps_processed: number;
    /** The engine process only; ffmpeg's own memory is separate and flat (it streams). */
    peak_rss_mb: number;
    /** The engine thread's seconds per stage (waiting_for_frames: for ffmpeg's decoding). */
    engine_thread_s: Partial<Record<Stage, number>>;
    /**
     * A standalone run of this config: this run's own figures when it was one, else predicted from
     * the cached or shared analysis pass's measured stage costs (sweep points, cached re-runs).
     */
    standalone?: { wall_time_s: number; realtime_factor: number; predicted: boolean };
    /** The decoder's one line when the video is damaged. */
    decode_warning?: string;
  };
  /** Tiles and the face check (absent when the analysis was replayed from an entry that predates them). */
  detection?: DetectionMetrics;
  export: ExportStats;
  /** `rotation`: clockwise degrees of the display matrix; width, height and boxes are as displayed. */
  video: { path: string; width: number; height: number; rotation: number; fps: number; codec: string; pix_fmt: string; color: YuvColor };
  ffmpeg: { path: string; source: string };
  /** The detector's model id. */
  detector: string;
  optimizations: EpisodeConfig['optimizations'];
  /** The resolved config the run ran with. */
  config: EpisodeConfig;
  faces_embed?: FacesEmbedSummary;
  /** The run's scores against `evaluation.ground_truth` (eval.json has the details). */
  evaluation?: EvalSummary;
  /** The scene cuts against `evaluation.cuts`. */
  cut_scores?: CutScores;
  identities?: IdentitySummary;
}

/** The identity stage's counts (identity/identity-stage.ts). */
export interface IdentitySummary {
  identities: number;
  tracks: number;
  tracks_assigned: number;
  /** Tracks left out of every identity, by reason. */
  tracks_unassigned: { no_prototype: number; low_quality: number };
  cast_members: number;
  named: number;
  /** Cast photos embedded by this run (the others came from the cache). */
  cast_photos_embedded: number;
  warnings: string[];
  /** Against the ground truth's people (evaluation.people): identity_eval.json's headline. */
  evaluation?: { precision: number; recall: number; f1: number; screen_time_max_error_pct: number };
  /** Top identities by screen time: name and seconds. */
  top: { identity_id: number; name: string; visual_s: number }[];
  wall_s: number;
}
