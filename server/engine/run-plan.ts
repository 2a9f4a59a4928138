// A config plus the probed video → every number the run needs, with nothing left implicit.
import * as os from 'node:os';
import type { DetectorConfig, EpisodeConfig, Sampling } from '../config/episode-config';
import type { VideoInfo } from './types';
import type { FullFormat } from './decode/frame-source';
import { isYuv420p8 } from './decode/yuv';
import { EpisodeLayout } from './manifests/layout';

export interface RunPlan {
  config: EpisodeConfig;
  video: VideoInfo;
  /** Every path under <output_root>/<ep_id>. */
  layout: EpisodeLayout;
  /** max(stride, round(source_fps / fps)). */
  stride: number;
  /** Frames a track may go unseen before it becomes a new exported track. */
  maxGap: number;
  /** Which frames are decoded: `sampling`, or exact where a variable frame rate rules the others out. */
  sampling: Sampling;
  /** Why `sampling` differs from the config's; absent when it does not. */
  samplingNote?: string;
  /** Inference threads: `threads`, or every core when it is 0. */
  threads: number;
  /** ffmpeg decoder threads: `threads`, or undefined (ffmpeg's own choice) when it is 0. */
  decodeThreads: number | undefined;
  /** Whether the decoder must produce full-resolution frames (crops, frames, tiles, the gate's embeddings). */
  needsFullFrames: boolean;
  /**
   * yuv420p when crops are the full frames' only reader: half the bytes of rgb24 through the pipe
   * and no rgb pass in ffmpeg; the exporter converts just each crop. rgb24 for whole-frame readers
   * (frame export, detector tiles, the gate's embeddings).
   */
  fullFormat: FullFormat;
}

export function planRun(config: EpisodeConfig, video: VideoInfo): RunPlan {
  const fpsStride = config.fps ? Math.round(video.fps / config.fps) : 1;
  const wholeFrameReader = config.export.frames || detectorReadsFullFrames(config.detector) || config.gate.enabled;
  const fallback = config.sampling !== 'exact' && !video.constantRate;
  return {
    config,
    video,
    layout: new EpisodeLayout(config.output_root, config.ep_id),
    stride: Math.max(config.stride, fpsStride, 1),
    maxGap: Math.max(config.tracker.max_gap, Math.round(config.tracker.max_gap_sec * video.fps)),
    sampling: fallback ? 'exact' : config.sampling,
    samplingNote: fallback
      ? `sampling: ${config.sampling} needs a constant frame rate and ${video.path} has a variable one; decoding every frame (exact) instead`
      : undefined,
    threads: config.threads > 0 ? config.threads : os.availableParallelism(),
    decodeThreads: config.threads > 0 ? config.threads : undefined,
    needsFullFrames: config.export.crops || wholeFrameReader,
    fullFormat: !wholeFrameReader && isYuv420p8(video.pixFmt) ? 'yuv420p' : 'rgb24',
  };
}

/** Tiles (a grid or auto) and a face check on every box read the full-resolution frame. */
export function detectorReadsFullFrames(d: DetectorConfig): boolean {
  return d.tiles === 'auto' || d.tiles[0] * d.tiles[1] > 1 || d.verify.scope === 'all';
}

/** Whether the face check runs at all: on tile boxes with tiles on, or on every box. */
export function faceCheckRuns(d: DetectorConfig): boolean {
  return d.verify.scope === 'all' || (d.verify.scope === 'tiles' && (d.tiles === 'auto' || d.tiles[0] * d.tiles[1] > 1));
}
