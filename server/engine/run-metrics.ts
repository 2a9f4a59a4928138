// track_metrics.json from what one run counted: the one place its shape (TrackMetrics) is filled.
import type { AnalysisCost, AnalysisSummary } from './analysis/analysis-source';
import type { RunState } from './events';
import type { RecorderMetrics } from './manifests/manifest-types';
import type { CacheReport, DetectionMetrics, DetectionStats, ExportStats, TrackMetrics } from './manifests/track-metrics';
import type { RunPlan } from './run-plan';
import type { StageTimes } from './stage-times';

export interface RunCounts {
  state: RunState;
  wallS: number;
  framesDecoded: number;
  framesAnalysed: number;
  /** Sum of the written tracks' spans in frames, for the mean track length. */
  trackFrames: number;
  recorded: RecorderMetrics;
  cuts: AnalysisSummary['cuts'];
  exportStats: ExportStats;
  times: StageTimes;
  decodeWarning?: string;
  detection?: DetectionStats;
  /**
   * How a standalone run of this config would fare: 'measured' when this run was one; else the
   * live cost of the analysis it replayed or was served by, to predict from (standaloneSeconds).
   */
  standalone?: 'measured' | AnalysisCost;
  /** Seconds before the first frame (see AnalysisCost.setup_s). */
  setupS?: number;
}

export interface RunIdentity {
  run_id: string;
  started_at: string;
  cache: CacheReport & { size_bytes: number };
  sweep?: TrackMetrics['sweep'];
  ffmpeg: TrackMetrics['ffmpeg'];
  detector: string;
}

export function buildTrackMetrics(plan: RunPlan, run: RunIdentity, c: RunCounts): TrackMetrics {
  const { config: cfg, video } = plan;
  const videoS = c.framesDecoded / video.fps;
  const { recorded, cuts } = c;
  return {
    ep_id: cfg.ep_id,
    state: c.state,
    run_id: run.run_id,
    started_at: run.started_at,
    cache: run.cache,
    ...(run.sweep ? { sweep: run.sweep } : {}),
    ...recorded,
    mean_track_length_s: recorded.tracks_written ? round(c.trackFrames / recorded.tracks_written / video.fps, 3) : 0,
    tracks_per_minute: videoS > 0 ? round((recorded.tracks_written * 60) / videoS, 2) : 0,
    scene_cuts: {
      count: cuts.cuts.length, indices: cuts.cuts, resets: cuts.resets.length,
      suppressed_by_cooldown: cuts.suppressed.length, suppressed_indices: cuts.suppressed,
      fades: cuts.fades?.length ?? 0, fade_resets: cuts.fadeResets?.length ?? 0, dissolves: cuts.dissolves?.length ?? 0,
    },
    stats: {
      frames_decoded: c.framesDecoded,
      frames_analysed: c.framesAnalysed,
      effective_stride: plan.stride,
      sampling: plan.sampling,
      full_frames: plan.needsFullFrames ? plan.fullFormat : 'none',
      wall_time_s: round(c.wallS, 3),
      video_duration_s: round(videoS, 3),
      realtime_factor: round(videoS / c.wallS, 2),
      fps_processed: round(c.framesDecoded / c.wallS, 1),
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      engine_thread_s: c.times.seconds(),
      ...standaloneStats(c, videoS),
      decode_warning: c.decodeWarning,
    },
    ...(c.detection ? { detection: detectionMetrics(c.detection, c.times.seconds().detection) } : {}),
    export: c.exportStats,
    video: {
      path: video.path, width: video.width, height: video.height, rotation: video.rotation, fps: video.fps, codec: video.codec, pix_fmt: video.pixFmt, color: video.color,
    },
    ffmpeg: run.ffmpeg,
    detector: run.detector,
    optimizations: cfg.optimizations,
    config: cfg,
  };
}

function detectionMetrics(s: DetectionStats, detectionS: number | undefined): DetectionMetrics {
  const per = (n: number) => (s.frames ? round(n / s.frames, 3) : 0);
  return {
    ...s,
    per_frame: {
      tile_inferences: per(s.tile_inferences),
      check_view_inferences: per(s.check_view_inferences),
      check_landmark_runs: per(s.check_landmark_runs),
      ...(detectionS === undefined ? {} : { detection_ms: per(detectionS * 1000) }),
    },
  };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/**
 * A standalone run's seconds: this run's wall time less its own setup and analysis stages (a
 * replay's reading, or a shared pass's decoding, detection and embedding), plus the serving
 * pass's setup, decoding and scene detection, and its detection (and embedding) cost per analysed
 * frame times this run's analysed frames. Decoding is taken as stride-independent: ffmpeg
 * decodes every frame for the cut detector.
 */
export function standaloneSeconds(wallS: number, setupS: number, own: Partial<Record<string, number>>, framesAnalysed: number, cost: AnalysisCost): number {
  const ownAnalysis = setupS + (own.waiting_for_frames ?? 0) + (own.scenes ?? 0) + (own.detection ?? 0) + (own.embedding ?? 0);
  const perFrame = cost.frames_analysed ? cost.detection_s / cost.frames_analysed : 0;
  return Math.max(0, wallS - ownAnalysis) + (cost.setup_s ?? setupS) + cost.decode_s + cost.scenes_s + perFrame * framesAnalysed;
}

function standaloneStats(c: RunCounts, videoS: number): Pick<TrackMetrics['stats'], 'standalone'> {
  if (!c.standalone || c.state !== 'completed') return {};
  const predicted = c.standalone !== 'measured';
  const s = predicted ? standaloneSeconds(c.wallS, c.setupS ?? 0, c.times.seconds(), c.framesAnalysed, c.standalone as AnalysisCost) : c.wallS;
  return { standalone: { wall_time_s: round(s, 3), realtime_factor: round(videoS / s, 2), predicted } };
}
