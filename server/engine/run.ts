// One episode run: analysis (decode → scene cuts → detect, or its cached output replayed) →
// ByteTrack → gate → record → export → manifests, kept under a run id in the episode's history.
// Streaming throughout: memory depends on the number of live tracks, not the episode length.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EpisodeConfig } from '../config/episode-config';
import { resolveFfmpeg } from './decode/ffmpeg-path';
import { probeVideo } from './decode/probe';
import { ensureModels } from './models/ensure-models';
import { FaceDetector } from './detect/face-detector';
import { ByteTracker } from './track/byte-tracker';
import { TrackRecorder } from './record/track-recorder';
import { FrameExporter } from './export/frame-exporter';
import { JsonlWriter } from './manifests/jsonl-writer';
import { writeJsonAtomic } from './manifests/atomic-file';
import { faceCheckRuns, planRun, type RunPlan } from './run-plan';
import { FaceCheck } from './detect/face-check';
import { FrameDetection } from './detect/frame-detection';
import { ProgressMeter } from './progress-meter';
import { AppearanceGate } from './gate/appearance-gate';
import { gateFields } from './embed/track-prototype';
import { GatePipeline, type GatedFrame } from './gate/gate-pipeline';
import { EmbedWorker } from './embed/embed-worker';
import { EMBEDDING_DIM, FaceEmbedder } from './embed/face-embedder';
import { FACES_FILES, runFacesEmbed } from './embed/faces-embed';
import type { AnalysisEvent, AnalysisSource } from './analysis/analysis-source';
import { LiveAnalysis } from './analysis/live-analysis';
import { ReplayedAnalysis } from './analysis/replayed-analysis';
import { AnalysisRecording, cacheRootOf, lookupAnalysis, markUsed, type AnalysisLookup } from './cache/analysis-cache';
import { dirSize } from './cache/stage-store';
import { newRunId, recordRun } from './history/run-history';
import type { StageStatus } from './history/run-summary';
import type { EventSink, Phase, ProgressCounters, RunEvent, RunState } from './events';
import type { DetectionStats } from './detect/frame-detection';
import { StageTimes } from './stage-times';

export interface RunOptions {
  signal?: AbortSignal;
  onEvent?: EventSink;
  /** Names the run's folder under <ep_id>/runs/; default a new time-based id. */
  runId?: string;
  /** Set by a sweep: recorded in the run's metrics and history. */
  sweep?: { id: string; values: Record<string, unknown> };
}

export interface RunResult {
  state: RunState;
  outDir: string;
  runId: string;
  metrics: Record<string, unknown>;
  /** The decoder's one line when the video is damaged: the frames before it were processed. */
  damaged?: string;
  error?: string;
}

/** Output files of a run, relative to <output_root>/<ep_id>/manifests. */
export const MANIFESTS = {
  detections: 'detections.jsonl',
  tracks: 'tracks.jsonl',
  metrics: 'track_metrics.json',
  cuts: 'scene_cuts.json',
  progress: 'progress.json',
} as const;

/** How the run got its analysis stage; becomes metrics.cache. */
interface CacheReport {
  analysis: StageStatus;
  key?: string;
  reason?: string;
}

export async function runEpisode(config: EpisodeConfig, opts: RunOptions = {}): Promise<RunResult> {
  const emit = opts.onEvent ?? (() => {});
  const epId = config.ep_id;
  const runId = opts.runId ?? newRunId();
  const phase = (p: Phase, message?: string) => emit({ type: 'phase', phase: p, ep_id: epId, message });
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  phase('init');

  const ffmpeg = resolveFfmpeg(config.ffmpeg.path);
  const identity = config.gate.enabled || config.embed.enabled;
  const checks = faceCheckRuns(config.detector);
  const models = config.detector.model === 'default' || identity || checks ? await ensureModels() : undefined;
  const detectorPath = config.detector.model === 'default' ? models!.detect : config.detector.model;
  if (!fs.existsSync(detectorPath)) {
    throw new Error(`Detector model not found: ${detectorPath} (set detector.model to an ONNX file, or to "default")`);
  }
  const outDir = path.join(config.output_root, epId);
  const lookup = await lookupAnalysis({
    config, cacheRoot: cacheRootOf(outDir), detectorPath, embedder: config.gate.enabled ? models : undefined,
    landmarkPath: checks ? models!.landmark : undefined,
  });
  if (lookup.corrupt) emit({ type: 'log', ep_id: epId, level: 'warn', message: `analysis cache entry ${lookup.key.slice(0, 12)} is corrupt (${lookup.corrupt}); recomputing it` });
  // A replay knows the video from the entry: probing would start ffmpeg.
  const video = lookup.hit ? lookup.hit.video : await probeVideo(ffmpeg.path, config.video);
  const plan = planRun(config, video);
  const times = new StageTimes();
  const analysis = await openAnalysis(plan, lookup, detectorPath, models, ffmpeg.path, times, opts.signal);
  const cache: CacheReport = { analysis: lookup.hit ? 'reused' : lookup.key ? 'computed' : 'off', key: lookup.key || undefined, reason: lookup.reason };
  emit({ type: 'stage', ep_id: epId, stage: 'analysis', status: cache.analysis, key: cache.key, reason: cache.reason });
  emit({
    type: 'log', ep_id: epId, level: 'info',
    message: `run ${runId}: analysis ${cache.analysis}${cache.reason ? ` (${cache.reason})` : ''}; ffmpeg: ${ffmpeg.path} (${ffmpeg.source}); detector ${analysis.detectorId}; stride ${plan.stride}; sampling ${plan.sampling}`,
  });
  if (plan.samplingNote) emit({ type: 'log', ep_id: epId, level: 'warn', message: plan.samplingNote });

  prepareOutputDir(plan);
  const progressPath = path.join(plan.manifestsDir, MANIFESTS.progress);
  let latest: RunEvent | undefined;
  const emitAndKeep: EventSink = (e) => {
    if (e.type === 'progress' || e.type === 'phase') latest = e;
    emit(e);
  };
  await writeJsonAtomic(progressPath, { ep_id: epId, run_id: runId, state: 'running', pid: process.pid, started_at: startedAt });

  const run = new EpisodeRun(plan, analysis.source, analysis.detectorId, ffmpeg, times, emitAndKeep);
  try {
    phase('detect_track');
    await run.processFrames(opts.signal);
    let state: RunState = opts.signal?.aborted ? 'cancelled' : 'completed';
    // A damaged decode is not cached: a replay would hide the damage.
    const cacheProblem = await analysis.close(state === 'completed' && !run.decodeWarning);
    if (cacheProblem) emit({ type: 'log', ep_id: epId, level: 'warn', message: cacheProblem });
    const cacheBytes = lookup.key ? await dirSize(lookup.cacheRoot) : 0;
    if (lookup.key) emit({ type: 'log', ep_id: epId, level: 'info', message: `cache: ${(cacheBytes / 1e6).toFixed(1)} MB in ${lookup.cacheRoot}` });
    phase('export_flush');
    const metrics = await run.finish(state, (performance.now() - t0) / 1000, {
      run_id: runId, started_at: startedAt, cache: { ...cache, size_bytes: cacheBytes }, ...(opts.sweep ? { sweep: opts.sweep } : {}),
    });
    if (config.embed.enabled && state === 'completed') {
      phase('faces_embed');
      metrics.faces_embed = await facesEmbed(plan, ffmpeg.path, models!, opts.signal, emitAndKeep);
      if (opts.signal?.aborted) state = metrics.state = 'cancelled';
      await writeJsonAtomic(path.join(plan.manifestsDir, MANIFESTS.metrics), metrics);
    }
    await writeJsonAtomic(progressPath, { ep_id: epId, run_id: runId, state, last_event: latest, finished_at: new Date().toISOString() });
    await recordRun(plan.outDir, runId, plan.manifestsDir);
    phase(state === 'completed' ? 'done' : 'cancelled');
    emit({ type: 'summary', ep_id: epId, state, out_dir: plan.outDir, metrics_path: path.join(plan.manifestsDir, MANIFESTS.metrics), run_id: runId });
    return { state, outDir: plan.outDir, runId, metrics, damaged: run.decodeWarning };
  } catch (err) {
    const message = (err as Error).message;
    await analysis.close(false).catch(() => undefined);
    await run.abandon();
    await writeJsonAtomic(progressPath, { ep_id: epId, run_id: runId, state: 'failed', error: message, last_event: latest, finished_at: new Date().toISOString() });
    phase('error', message);
    throw err;
  }
}

interface OpenedAnalysis {
  source: AnalysisSource;
  detectorId: string;
  /**
   * Releases the models; commits the cache entry being recorded when `complete`, else drops it.
   * Resolves with a warning when the entry could not be kept: a cache problem never fails a run.
   */
  close(complete: boolean): Promise<string | undefined>;
}

/** The analysis stage: a replay of the cached entry, or live (recording a new entry when asked). */
async function openAnalysis(
  plan: RunPlan, lookup: AnalysisLookup, detectorPath: string, models: { landmark: string; feature: string } | undefined,
  ffmpegPath: string, times: StageTimes, signal: AbortSignal | undefined,
): Promise<OpenedAnalysis> {
  const cfg = plan.config;
  const hit = lookup.hit;
  if (hit) {
    await markUsed(lookup);
    const source = new ReplayedAnalysis({ dir: lookup.dir, summary: hit.summary, embedderId: hit.embedder_id, embeddingDim: hit.embedding_dim, signal });
    return { source, detectorId: `rfb320:${hit.inputs.detector.sha256.slice(0, 12)}`, close: async () => undefined };
  }
  const d = cfg.detector;
  const detector = await FaceDetector.load(detectorPath, { confThreshold: d.conf_threshold, nmsIou: d.nms_iou, minSize: d.min_size, threads: plan.threads });
  const check = faceCheckRuns(d)
    ? await FaceCheck.load(models!.landmark, plan.threads, detector, {
      minRedetect: d.verify.min_redetect, maxLandmarkError: d.verify.max_landmark_error, minContrast: d.verify.min_contrast, minSharpness: d.verify.min_sharpness,
    })
    : undefined;
  const detection = new FrameDetection(detector, check, {
    frame: { width: plan.video.width, height: plan.video.height }, tiles: d.tiles, auto: d.auto_tiles,
    verify: check ? d.verify.scope : 'off', nmsIou: d.nms_iou, minSize: d.min_size,
  });
  // The gate embeds faces on a worker thread so it overlaps decoding and detection.
  const embedder = cfg.gate.enabled ? await EmbedWorker.start({ landmark: models!.landmark, feature: models!.feature, threads: 1 }) : undefined;
  const recording = lookup.record ? await AnalysisRecording.begin(lookup) : undefined;
  const source = new LiveAnalysis({ plan, ffmpegPath, detection, embedder, writer: recording?.writer, times, signal });
  let closed = false;
  return {
    source,
    detectorId: detector.modelId,
    async close(complete) {
      if (closed) return;
      closed = true;
      await embedder?.close();
      await check?.release();
      await detector.close();
      if (!recording) return;
      try {
        if (!complete) return void (await recording.abandon());
        await recording.commit({
          video: plan.video, summary: await source.done(), embedderId: source.embedderId, embeddingDim: EMBEDDING_DIM, keep: cfg.cache.max_entries,
        });
      } catch (e) {
        return `analysis stage not cached: ${(e as Error).message}`;
      }
    },
  };
}

/** faces_embed after tracking; G3 reuses the gate's embedding of tracks it already has. */
async function facesEmbed(
  plan: RunPlan, ffmpegPath: string, models: { landmark: string; feature: string }, signal: AbortSignal | undefined, emit: EventSink,
): Promise<Record<string, unknown>> {
  const embedder = await FaceEmbedder.load({ landmark: models.landmark, feature: models.feature, threads: plan.threads });
  try {
    const s = await runFacesEmbed({
      manifestsDir: plan.manifestsDir, video: plan.video, ffmpegPath, embedder, cfg: plan.config.embed, g3: plan.config.optimizations.g3, signal,
    });
    emit({ type: 'log', ep_id: plan.config.ep_id, level: 'info', message: `faces_embed: reused ${s.reused} of ${s.tracks} tracks' gate embeddings (G3), embedded ${s.embedded} faces` });
    return { ...s };
  } finally {
    await embedder.close();
  }
}

/** Removes the outputs of an earlier run of the same episode, so nothing stale mixes in. */
function prepareOutputDir(plan: RunPlan): void {
  for (const sub of ['crops', 'frames']) fs.rmSync(path.join(plan.outDir, sub), { recursive: true, force: true });
  fs.mkdirSync(plan.manifestsDir, { recursive: true });
  // Unlinked, never truncated: the run history holds hard links to these files.
  for (const name of [...Object.values(MANIFESTS), ...Object.values(FACES_FILES)]) {
    fs.rmSync(path.join(plan.manifestsDir, name), { force: true });
    fs.rmSync(path.join(plan.manifestsDir, name + '.partial'), { force: true });
  }
}

/** The per-frame loop and its state; kept apart from runEpisode's setup and error handling. */
class EpisodeRun {
  private readonly cfg: EpisodeConfig;
  private readonly detectionsOut: JsonlWriter;
  private readonly tracksOut: JsonlWriter;
  private readonly recorder: TrackRecorder;
  private readonly exporter: FrameExporter;
  private readonly tracker: ByteTracker;
  private readonly gate: GatePipeline;
  private readonly meter = new ProgressMeter();
  private framesDecoded = 0;
  private framesAnalysed = 0;
  private cuts = 0;
  private cutsSuppressed = 0;
  /** Sum of the written tracks' spans in frames, for the mean track length. */
  private trackFrames = 0;
  /** The decoder's warning when the video is damaged. */
  decodeWarning: string | undefined;
  /** Set when a manifest writer is over its high-water mark; the frame loop then waits for it. */
  private backlogged = false;

  constructor(
    private readonly plan: RunPlan,
    private readonly source: AnalysisSource,
    private readonly detectorId: string,
    private readonly ffmpeg: { path: string; source: string },
    private readonly times: StageTimes,
    private readonly emit: EventSink,
  ) {
    const cfg = (this.cfg = plan.config);
    const epId = cfg.ep_id;
    this.detectionsOut = new JsonlWriter(path.join(plan.manifestsDir, MANIFESTS.detections));
    this.tracksOut = new JsonlWriter(path.join(plan.manifestsDir, MANIFESTS.tracks));
    this.exporter = new FrameExporter({
      outDir: plan.outDir,
      frames: cfg.export.frames,
      crops: cfg.export.crops,
      jpegQuality: cfg.export.jpeg_quality,
      cropMaxSide: cfg.export.crop_max_side,
      queueSize: cfg.export.queue_size,
      async: cfg.optimizations.c3,
      width: plan.video.width,
      height: plan.video.height,
      yuv: plan.fullFormat === 'yuv420p' ? plan.video.color : undefined,
    });
    this.recorder = new TrackRecorder({
      epId,
      maxGap: plan.maxGap,
      minTrackLength: cfg.tracker.min_track_length,
      trackSampleLimit: cfg.tracker.track_sample_limit,
      skipUnchanged: cfg.optimizations.b4,
      onDetection: (row) => {
        if (!this.detectionsOut.write(row)) this.backlogged = true;
      },
      onTrack: (row) => {
        this.trackFrames += row.last_frame_idx - row.first_frame_idx + 1;
        if (!this.tracksOut.write(row)) this.backlogged = true;
        this.exporter.finishTrack(row.track_id);
        this.emit({
          type: 'track', ep_id: epId, track_id: row.track_id, first_frame_idx: row.first_frame_idx,
          last_frame_idx: row.last_frame_idx, frame_count: row.frame_count, mean_conf: row.mean_conf,
          split_reason: row.split_reason,
        });
      },
      onDropTrack: (exportId) => this.exporter.dropTrack(exportId),
      gateFields: (faces) => gateFields(faces, cfg.embed, source.embedderId),
    });
    const appearance = new AppearanceGate(cfg.gate, source.embedderId, cfg.tracker.track_buffer, plan.stride);
    this.gate = new GatePipeline(appearance, (f) => this.commitFrame(f));
    this.tracker = new ByteTracker({
      trackThresh: cfg.tracker.track_thresh,
      lowThresh: cfg.tracker.low_thresh,
      newTrackThresh: cfg.tracker.new_track_thresh,
      matchThresh: cfg.tracker.match_thresh,
      trackBuffer: cfg.tracker.track_buffer,
      confirmAtBirth: true,
    });
  }

  async processFrames(signal?: AbortSignal): Promise<void> {
    for await (const event of this.source) {
      this.framesDecoded = this.source.framesDone;
      if (event.kind === 'cut') await this.onCut(event.idx, event.reset);
      else await this.analyse(event);
      if (this.meter.due()) this.emitProgress();
    }
    await this.gate.flush();
    const summary = await this.source.done();
    this.framesDecoded = Math.max(this.framesDecoded, summary.framesDecoded);
    if (summary.warning && !signal?.aborted) {
      this.decodeWarning = summary.warning;
      this.emit({ type: 'log', ep_id: this.cfg.ep_id, level: 'warn', message: summary.warning });
    }
    this.emitProgress();
  }

  private async onCut(idx: number, reset: boolean): Promise<void> {
    this.cuts++;
    if (reset) {
      await this.gate.cut(() => {
        this.tracker.reset();
        this.recorder.onCut(idx);
      });
    } else {
      this.cutsSuppressed++;
    }
    this.emit({ type: 'cut', ep_id: this.cfg.ep_id, frame_idx: idx, suppressed: !reset });
  }

  private async analyse({ idx, dets, rejected, faces, full }: Extract<AnalysisEvent, { kind: 'frame' }>): Promise<void> {
    this.framesAnalysed++;
    if (rejected?.length) this.emit({ type: 'rejected', ep_id: this.cfg.ep_id, frame_idx: idx, boxes: rejected });
    const t = performance.now();
    const tracked = this.tracker.update(idx, dets);
    this.times.add('tracking', t);
    // The gate commits each frame one analysed frame later, once its embeddings are back.
    await this.gate.push(idx, idx / this.plan.video.fps, tracked, faces, full);
  }

  /** Records one analysed frame, with the gate's split decisions, and exports its crops. */
  private async commitFrame({ idx, ts, objects, full }: GatedFrame): Promise<void> {
    for (const obj of objects) {
      const { exportId, recorded } = this.recorder.record({
        trackerId: obj.trackerId, frameIdx: idx, ts, bbox: obj.bbox, conf: obj.conf, forceNew: !!obj.split, splitReason: obj.split, face: obj.face,
      });
      if (recorded && full && this.cfg.export.crops) {
        const t = performance.now();
        await this.exporter.addCrop(exportId, idx, ts, full, obj.bbox);
        this.times.add('crops', t);
      }
    }
    this.recorder.endUnseen(idx);
    if (full && this.cfg.export.frames) await this.exporter.addFrame(idx, ts, full);
    // A yuv420p frame's only reader is addCrop, which copies its crops out before it returns.
    if (full && this.plan.fullFormat === 'yuv420p') this.source.recycle?.(full);
    if (this.backlogged) {
      this.backlogged = false;
      await Promise.all([this.detectionsOut.drain(), this.tracksOut.drain()]);
    }
  }

  private counters(): ProgressCounters {
    const total = Math.max(this.plan.video.framesEstimate, this.framesDecoded);
    return {
      frames_done: this.framesDecoded,
      frames_total: total,
      frames_analysed: this.framesAnalysed,
      ...this.meter.rate(this.framesDecoded, total),
      cuts: this.cuts,
      cuts_suppressed: this.cutsSuppressed,
      tracks: this.recorder.metrics.tracks_born,
    };
  }

  private emitProgress(): void {
    this.emit({ type: 'progress', ep_id: this.cfg.ep_id, ...this.counters() });
  }

  /** Closes tracks, drains the exporter and writes every manifest atomically. */
  async finish(state: RunState, wallS: number, run: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { plan, cfg } = this;
    this.recorder.finalize();
    const exportStats = await this.exporter.close();
    await this.detectionsOut.close();
    await this.tracksOut.close();
    const { cuts, detection } = await this.source.done();
    const fps = plan.video.fps;
    const videoS = this.framesDecoded / fps;
    await writeJsonAtomic(path.join(plan.manifestsDir, MANIFESTS.cuts), {
      ep_id: cfg.ep_id, fps: plan.video.fps, cuts: cuts.cuts, resets: cuts.resets, suppressed: cuts.suppressed,
      threshold: cfg.scene.threshold, min_len: cfg.scene.min_len, cooldown: cfg.scene.cooldown, enabled: cfg.scene.enabled,
    });
    const recorded = this.recorder.metrics;
    const metrics = {
      ep_id: cfg.ep_id,
      state,
      ...run,
      ...recorded,
      mean_track_length_s: recorded.tracks_written ? round(this.trackFrames / recorded.tracks_written / fps, 3) : 0,
      tracks_per_minute: videoS > 0 ? round((recorded.tracks_written * 60) / videoS, 2) : 0,
      scene_cuts: {
        count: cuts.cuts.length, indices: cuts.cuts, resets: cuts.resets.length,
        suppressed_by_cooldown: cuts.suppressed.length, suppressed_indices: cuts.suppressed,
      },
      stats: {
        frames_decoded: this.framesDecoded,
        frames_analysed: this.framesAnalysed,
        effective_stride: plan.stride,
        sampling: plan.sampling,
        // How full-resolution frames left ffmpeg: rgb24, yuv420p (crops converted in JS), or none.
        full_frames: plan.needsFullFrames ? plan.fullFormat : 'none',
        wall_time_s: round(wallS, 3),
        video_duration_s: round(videoS, 3),
        realtime_factor: round(videoS / wallS, 2),
        fps_processed: round(this.framesDecoded / wallS, 1),
        // The engine process only; ffmpeg's own memory is separate and flat (it streams).
        peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
        // The engine thread's seconds per stage (waiting_for_frames: for ffmpeg's decoding).
        engine_thread_s: this.times.seconds(),
        decode_warning: this.decodeWarning,
      },
      detection: detection && describeDetection(detection, this.times.seconds().detection),
      export: exportStats,
      video: {
        path: plan.video.path, width: plan.video.width, height: plan.video.height, fps: plan.video.fps, codec: plan.video.codec,
        pix_fmt: plan.video.pixFmt, color: plan.video.color,
      },
      ffmpeg: this.ffmpeg,
      detector: this.detectorId,
      optimizations: cfg.optimizations,
      config: cfg,
    };
    await writeJsonAtomic(path.join(plan.manifestsDir, MANIFESTS.metrics), metrics);
    return metrics;
  }

  /** After a failure: flush what was queued, and leave the .partial manifests to mark the run incomplete. */
  async abandon(): Promise<void> {
    await this.exporter.close().catch(() => undefined);
    await Promise.all([this.detectionsOut.abandon(), this.tracksOut.abandon()]);
  }
}

/** metrics.detection: the stage's counts, and what tiles and the check cost per analysed frame. */
function describeDetection(s: DetectionStats, detectionS: number | undefined): Record<string, unknown> {
  const per = (n: number) => (s.frames ? round(n / s.frames, 3) : 0);
  return {
    ...s,
    per_frame: {
      tile_inferences: per(s.tile_inferences),
      check_view_inferences: per(s.check_view_inferences),
      check_landmark_runs: per(s.check_landmark_runs),
      // Engine-thread milliseconds in the detection stage (absent on a replay, which detects nothing).
      detection_ms: detectionS === undefined ? undefined : per(detectionS * 1000),
    },
  };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
