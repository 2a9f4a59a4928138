// The typed episode config, after defaults. Types only and free of Node, so that the webview's
// view of track_metrics.json (which embeds the config) can name it.
import type { EmbedConfig, GateConfig, IdentityConfig } from './schema-identity';

export interface EpisodeConfig {
  ep_id: string;
  video: string;
  output_root: string;
  stride: number;
  fps?: number;
  sampling: Sampling;
  threads: number;
  device: 'auto' | 'cpu';
  ffmpeg: { path?: string };
  scene: SceneConfig;
  detector: DetectorConfig;
  tracker: {
    track_thresh: number; low_thresh: number; new_track_thresh: number; match_thresh: number;
    track_buffer: number; max_gap: number; max_gap_sec: number; min_track_length: number; track_sample_limit: number;
  };
  export: { frames: boolean; crops: boolean; jpeg_quality: number; crop_max_side: number; queue_size: number };
  gate: GateConfig;
  embed: EmbedConfig;
  identity: IdentityConfig;
  optimizations: { d1: boolean; f1: boolean; b4: boolean; c3: boolean; g3: boolean };
  cache: { enabled: boolean; max_entries: number };
  evaluation: EvaluationConfig;
  /** Dotted config key → the values a sweep tries (`episode-run --sweep`). */
  sweep?: Record<string, unknown[]>;
}

export interface SceneConfig {
  enabled: boolean; threshold: number; min_len: number; warmup: number; cooldown: number;
  window: number; adaptive_ratio: number; min_content: number; fade_floor: number; fade_reset: boolean;
}

export type Sampling = 'exact' | 'refs' | 'keyframes';

export interface DetectorConfig {
  model: string;
  conf_threshold: number;
  nms_iou: number;
  min_size: number;
  /** [cols, rows] ([1, 1]: none) or `auto`. */
  tiles: [number, number] | 'auto';
  auto_tiles: { grid: [number, number]; small_face: number; refresh: number };
  verify: { scope: 'tiles' | 'all' | 'off'; min_redetect: number; max_landmark_error: number; min_contrast: number; min_sharpness: number };
}

export interface EvaluationConfig {
  /** Absolute after absolutizePaths; unset: runs are not scored. */
  ground_truth?: string;
  /** Absolute after absolutizePaths; unset: cuts are not scored. */
  cuts?: string;
  frame_base: 0 | 1;
  frames: 'analysed' | 'all';
  /** Ground-truth id → person (a JSON or CSV file), absolute after absolutizePaths; scores identities. */
  people?: string;
}
