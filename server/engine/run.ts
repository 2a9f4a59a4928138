// One episode run: decode → scene cuts → detect → ByteTrack → record → export → manifests.
// Streaming throughout: memory depends on the number of live tracks, not the episode length.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EpisodeConfig } from '../config/episode-config';
import { resolveFfmpeg } from './decode/ffmpeg-path';
import { probeVideo } from './decode/probe';
import { openFrameSource, SMALL_HEIGHT, SMALL_WIDTH } from './decode/frame-source';
import { HistogramSceneDetector } from './scenes/histogram-detector';
import { ensureModels } from './models/ensure-models';
import { FaceDetector } from './detect/face-detector';
import { ByteTracker } from './track/byte-tracker';
import { TrackRecorder } from './record/track-recorder';
import { FrameExporter } from './export/frame-exporter';
import { JsonlWriter } from './manifests/jsonl-writer';
import { writeJsonAtomic } from './manifests/atomic-file';
import { planRun, type RunPlan } from './run-plan';
import { ProgressMeter } from './progress-meter';
import { CutPolicy } from './scenes/cut-policy';
import { AppearanceGate } from './gate/appearance-gate';
import { GatePipeline, type GatedFrame } from './gate/gate-pipeline';
import { EmbedWorker } from './embed/embed-worker';
import { FaceEmbedder } from './embed/face-embedder';
import { FACES_FILES, runFacesEmbed } from './embed/faces-embed';
import type { EventSink, Phase, ProgressCounters, RunEvent, RunState } from './events';

export interface RunOptions {
  signal?: AbortSignal;
  onEvent?: EventSink;
}

export interface RunResult {
  state: RunState;
  outDir: string;
  metrics: Record<string, unknown>;
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

export async function runEpisode(config: EpisodeConfig, opts: RunOptions = {}): Promise<RunResult> {
  const emit = opts.onEvent ?? (() => {});
  const epId = config.ep_id;
  const phase = (p: Phase, message?: string) => emit({ type: 'phase', phase: p, ep_id: epId, message });
  const t0 = performance.now();
  phase('init');

  const ffmpeg = resolveFfmpeg(config.ffmpeg.path);
  const video = await probeVideo(ffmpeg.path, config.video);
  const plan = planRun(config, video);
  const identity = config.gate.enabled || config.embed.enabled;
  const models = config.detector.model === 'default' || identity ? await ensureModels() : undefined;
  const detectorPath = config.detector.model === 'default' ? models!.detect : config.detector.model;
  if (!fs.existsSync(detectorPath)) {
    throw new Error(`Detector model not found: ${detectorPath} (set detector.model to an ONNX file, or to "default")`);
  }
  const detector = await FaceDetector.load(detectorPath, {
    confThreshold: config.detector.conf_threshold,
    nmsIou: config.detector.nms_iou,
    minSize: config.detector.min_size,
    threads: plan.threads,
  });
  // The gate embeds faces on a worker thread so it overlaps decoding and detection.
  const worker = config.gate.enabled ? await EmbedWorker.start({ landmark: models!.landmark, feature: models!.feature, threads: 1 }) : undefined;
  emit({ type: 'log', ep_id: epId, level: 'info', message: `ffmpeg: ${ffmpeg.path} (${ffmpeg.source}); detector ${detector.modelId}; stride ${plan.stride}` });

  prepareOutputDir(plan);
  const progressPath = path.join(plan.manifestsDir, MANIFESTS.progress);
  let latest: RunEvent | undefined;
  const emitAndKeep: EventSink = (e) => {
    if (e.type === 'progress' || e.type === 'phase') latest = e;
    emit(e);
  };
  await writeJsonAtomic(progressPath, { ep_id: epId, state: 'running', pid: process.pid, started_at: new Date().toISOString() });

  const run = new EpisodeRun(plan, detector, worker, ffmpeg, emitAndKeep);
  try {
    phase('detect_track');
    await run.processFrames(opts.signal);
    let state: RunState = opts.signal?.aborted ? 'cancelled' : 'completed';
    phase('export_flush');
    const metrics = await run.finish(state, (performance.now() - t0) / 1000);
    if (config.embed.enabled && state === 'completed') {
      phase('faces_embed');
      metrics.faces_embed = await facesEmbed(plan, ffmpeg.path, models!, opts.signal, emitAndKeep);
      if (opts.signal?.aborted) state = metrics.state = 'cancelled';
      await writeJsonAtomic(path.join(plan.manifestsDir, MANIFESTS.metrics), metrics);
    }
    await writeJsonAtomic(progressPath, { ep_id: epId, state, last_event: latest, finished_at: new Date().toISOString() });
    phase(state === 'completed' ? 'done' : 'cancelled');
    emit({ type: 'summary', ep_id: epId, state, out_dir: plan.outDir, metrics_path: path.join(plan.manifestsDir, MANIFESTS.metrics) });
    return { state, outDir: plan.outDir, metrics };
  } catch (err) {
    const message = (err as Error).message;
    await run.abandon();
    await writeJsonAtomic(progressPath, { ep_id: epId, state: 'failed', error: message, last_event: latest, finished_at: new Date().toISOString() });
    phase('error', message);
    throw err;
  }
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
  private readonly scenes: HistogramSceneDetector;
  private readonly cuts: CutPolicy;
  private readonly gate: GatePipeline;
  private readonly meter = new ProgressMeter();
  private framesDecoded = 0;
  private framesAnalysed = 0;
  private detections = 0;
  private tracksWritten = 0;
  private decodeWarning: string | undefined;
  /** Set when a manifest writer is over its high-water mark; the frame loop then waits for it. */
  private backlogged = false;

  constructor(
    private readonly plan: RunPlan,
    private readonly detector: FaceDetector,
    private readonly embedWorker: EmbedWorker | undefined,
    private readonly ffmpeg: { path: string; source: string },
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
      queueSize: cfg.export.queue_size,
      async: cfg.optimizations.c3,
      width: plan.video.width,
      height: plan.video.height,
    });
    this.recorder = new TrackRecorder({
      epId,
      maxGap: plan.maxGap,
      minTrackLength: cfg.tracker.min_track_length,
      trackSampleLimit: cfg.tracker.track_sample_limit,
      skipUnchanged: cfg.optimizations.b4,
      onDetection: (row) => {
        this.detections++;
        if (!this.detectionsOut.write(row)) this.backlogged = true;
      },
      onTrack: (row) => {
        this.tracksWritten++;
        if (!this.tracksOut.write(row)) this.backlogged = true;
        this.exporter.finishTrack(row.track_id);
        this.emit({
          type: 'track', ep_id: epId, track_id: row.track_id, first_frame_idx: row.first_frame_idx,
          last_frame_idx: row.last_frame_idx, frame_count: row.frame_count, mean_conf: row.mean_conf,
          split_reason: row.split_reason,
        });
      },
      onDropTrack: (exportId) => this.exporter.dropTrack(exportId),
      trackEmbedding: (trackerId) => this.gate.closingPrototype(trackerId),
    });
    const appearance = new AppearanceGate(cfg.gate, embedWorker?.modelId ?? '', cfg.tracker.track_buffer, plan.stride);
    this.gate = new GatePipeline(appearance, embedWorker, plan.video, (f) => this.commitFrame(f));
    this.tracker = new ByteTracker({
      trackThresh: cfg.tracker.track_thresh,
      lowThresh: cfg.tracker.low_thresh,
      newTrackThresh: cfg.tracker.new_track_thresh,
      matchThresh: cfg.tracker.match_thresh,
      trackBuffer: cfg.tracker.track_buffer,
      confirmAtBirth: true,
    });
    this.scenes = new HistogramSceneDetector({ threshold: cfg.scene.threshold, minLen: cfg.scene.min_len });
    this.cuts = new CutPolicy({ cooldown: cfg.optimizations.f1 ? cfg.scene.cooldown : 0, warmup: cfg.scene.warmup });
  }

  async processFrames(signal?: AbortSignal): Promise<void> {
    const { plan, cfg } = this;
    const source = openFrameSource({
      ffmpegPath: this.ffmpeg.path,
      info: plan.video,
      fullEvery: plan.needsFullFrames ? plan.stride : 0,
      d1: cfg.optimizations.d1,
      threads: plan.threads,
      signal,
    });
    const [cols, rows] = cfg.detector.tiles;
    const tiled = cols * rows > 1;
    for await (const frame of source) {
      const idx = frame.index;
      this.framesDecoded = idx + 1;
      if (cfg.scene.enabled && this.scenes.push(idx, frame.small, SMALL_WIDTH, SMALL_HEIGHT)) await this.onCut(idx);
      const warm = this.cuts.consumeWarmup();
      if (idx % plan.stride === 0 || warm) await this.analyse(idx, frame.small, frame.full, tiled);
      if (this.meter.due()) this.emitProgress();
    }
    await this.gate.flush();
    const summary = await source.done();
    this.framesDecoded = Math.max(this.framesDecoded, summary.framesDecoded);
    if (summary.warning && !signal?.aborted) {
      this.decodeWarning = summary.warning;
      this.emit({ type: 'log', ep_id: cfg.ep_id, level: 'warn', message: summary.warning });
    }
    this.emitProgress();
  }

  private async onCut(idx: number): Promise<void> {
    const reset = this.cuts.onCut(idx);
    if (reset) {
      await this.gate.cut(() => {
        this.tracker.reset();
        this.recorder.onCut(idx);
      });
    }
    this.emit({ type: 'cut', ep_id: this.cfg.ep_id, frame_idx: idx, suppressed: !reset });
  }

  private async analyse(idx: number, small: Buffer, full: Buffer | undefined, tiled: boolean): Promise<void> {
    const { width, height, fps } = this.plan.video;
    const dets = tiled && full
      ? await this.detector.detectTiled(full, width, height, small, this.cfg.detector.tiles)
      : await this.detector.detectSmall(small, width, height);
    this.framesAnalysed++;
    // The gate commits each frame one analysed frame later, once its embeddings are back.
    await this.gate.push(idx, idx / fps, this.tracker.update(idx, dets), full);
  }

  /** Records one analysed frame, with the gate's split decisions, and exports its crops. */
  private async commitFrame({ idx, ts, objects, full }: GatedFrame): Promise<void> {
    for (const obj of objects) {
      const { exportId, recorded } = this.recorder.record({
        trackerId: obj.trackerId, frameIdx: idx, ts, bbox: obj.bbox, conf: obj.conf, forceNew: !!obj.split, splitReason: obj.split,
      });
      if (recorded && full && this.cfg.export.crops) await this.exporter.addCrop(exportId, idx, ts, full, obj.bbox);
    }
    this.recorder.endUnseen(idx);
    if (full && this.cfg.export.frames) await this.exporter.addFrame(idx, ts, full);
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
      cuts: this.cuts.cuts.length,
      cuts_suppressed: this.cuts.suppressed.length,
      tracks: this.recorder.metrics.tracks_born,
    };
  }

  private emitProgress(): void {
    this.emit({ type: 'progress', ep_id: this.cfg.ep_id, ...this.counters() });
  }

  /** Closes tracks, drains the exporter and writes every manifest atomically. */
  async finish(state: RunState, wallS: number): Promise<Record<string, unknown>> {
    const { plan, cfg } = this;
    this.recorder.finalize();
    await this.embedWorker?.close();
    const exportStats = await this.exporter.close();
    await this.detectionsOut.close();
    await this.tracksOut.close();
    const cuts = this.cuts;
    await writeJsonAtomic(path.join(plan.manifestsDir, MANIFESTS.cuts), {
      ep_id: cfg.ep_id, fps: plan.video.fps, cuts: cuts.cuts, resets: cuts.resets, suppressed: cuts.suppressed,
      threshold: cfg.scene.threshold, min_len: cfg.scene.min_len, cooldown: cfg.scene.cooldown, enabled: cfg.scene.enabled,
    });
    const videoS = this.framesDecoded / plan.video.fps;
    const metrics = {
      ep_id: cfg.ep_id,
      state,
      ...this.recorder.metrics,
      tracks_written: this.tracksWritten,
      detections: this.detections,
      scene_cuts: {
        count: cuts.cuts.length, indices: cuts.cuts, resets: cuts.resets.length,
        suppressed_by_cooldown: cuts.suppressed.length, suppressed_indices: cuts.suppressed,
      },
      stats: {
        frames_decoded: this.framesDecoded,
        frames_analysed: this.framesAnalysed,
        effective_stride: plan.stride,
        wall_time_s: round(wallS, 3),
        video_duration_s: round(videoS, 3),
        realtime_factor: round(videoS / wallS, 2),
        fps_processed: round(this.framesDecoded / wallS, 1),
        // The engine process only; ffmpeg's own memory is separate and flat (it streams).
        peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
        decode_warning: this.decodeWarning,
      },
      export: exportStats,
      video: { path: plan.video.path, width: plan.video.width, height: plan.video.height, fps: plan.video.fps, codec: plan.video.codec },
      ffmpeg: this.ffmpeg,
      detector: this.detector.modelId,
      optimizations: cfg.optimizations,
      config: cfg,
    };
    await writeJsonAtomic(path.join(plan.manifestsDir, MANIFESTS.metrics), metrics);
    return metrics;
  }

  /** After a failure: flush what was queued, and leave the .partial manifests to mark the run incomplete. */
  async abandon(): Promise<void> {
    await this.embedWorker?.close().catch(() => undefined);
    await this.exporter.close().catch(() => undefined);
    await Promise.all([this.detectionsOut.abandon(), this.tracksOut.abandon()]);
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
