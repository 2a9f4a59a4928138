// One episode run: analysis (decode → scene cuts → detect, or its cached output replayed) →
// ByteTrack → gate → record → export → manifests, kept under a run id in the episode's history.
// Streaming throughout: memory depends on the number of live tracks, not the episode length.
import { mkdir, stat } from 'node:fs/promises';
import type { EpisodeConfig } from '../config/episode-config';
import { resolveFfmpeg } from './decode/ffmpeg-path';
import { checkVideoFile, probeVideo } from './decode/probe';
import { checkOutputRoot, writeFailure } from './output-root';
import { ensureModels } from './models/ensure-models';
import { FaceDetector } from './detect/face-detector';
import { ByteTracker } from './track/byte-tracker';
import { TrackRecorder } from './record/track-recorder';
import { FrameExporter } from './export/frame-exporter';
import { JsonlWriter } from './manifests/jsonl-writer';
import { writeFileAtomic, writeJsonAtomic } from './manifests/atomic-file';
import { EpisodeLayout } from './manifests/layout';
import { describeHolder, EpisodeLock } from './manifests/episode-lock';
import { clearOutputs, removeLeftovers } from './manifests/episode-folder';
import { ProgressWriter } from './manifests/progress-file';
import type { FacesEmbedSummary, IdentitySummary, TrackMetrics } from './manifests/track-metrics';
import { runIdentityStage } from './identity/identity-stage';
import { scoreIdentities } from './identity/evaluate-identities';
import { faceCheckRuns, planRun, type RunPlan } from './run-plan';
import { FaceCheck } from './detect/face-check';
import { FrameDetection } from './detect/frame-detection';
import { buildTrackMetrics, type RunIdentity } from './run-metrics';
import { ProgressMeter } from './progress-meter';
import { AppearanceGate } from './gate/appearance-gate';
import { gatePrototype } from './embed/track-prototype';
import { GateFacesWriter } from './embed/gate-faces';
import { gateFacesKept } from './embed/sample-plan';
import { GatePipeline, type GatedFrame } from './gate/gate-pipeline';
import { EmbedWorker } from './embed/embed-worker';
import { EMBEDDING_DIM, FaceEmbedder } from './embed/face-embedder';
import { runFacesEmbed } from './embed/faces-embed';
import type { AnalysisEvent, AnalysisSource } from './analysis/analysis-source';
import { LiveAnalysis } from './analysis/live-analysis';
import { ReplayedAnalysis } from './analysis/replayed-analysis';
import { AnalysisRecording, lookupAnalysis, markUsed, type AnalysisLookup } from './cache/analysis-cache';
import { dirSize } from './cache/stage-store';
import { indexRun, newRunId, recordRun } from './history/run-history';
import { settleInterruptedRuns } from './history/interrupted-runs';
import { summarizeMetrics } from './history/run-summary';
import type { EventSink, Phase, ProgressCounters, RunState } from './events';
import { StageTimes } from './stage-times';
import { checkGroundTruth, loadGroundTruth, evaluate, writeEvaluation } from './eval/evaluate-run';
import { readCutList, scoreCuts } from './eval/cut-score';
import { readRunRows } from './eval/run-rows';
import type { GroundTruth } from './eval/ground-truth';
import type { EvalSummary } from './eval/scores';
import { SubsetAnalysis, whyNotServable } from './analysis/subset-analysis';

/** The cooldown a run's cut policy applies (F1 off: none). */
const cooldownOf = (c: EpisodeConfig) => (c.optimizations.f1 ? c.scene.cooldown : 0);

export interface RunOptions {
  signal?: AbortSignal;
  onEvent?: EventSink;
  /** Names the run's folder under <ep_id>/runs/; default a new time-based id. */
  runId?: string;
  /** Set by a sweep: recorded in the run's metrics and history. */
  sweep?: { id: string; values: Record<string, unknown> };
  /** The episode's lock, when the caller holds it already (a sweep); else the run takes it. */
  lock?: EpisodeLock;
  /**
   * A sweep's serving analysis: this config at a divisor of the run's stride and cooldown 0
   * (DESIGN §12). Its pass (cached or live) serves this run through a SubsetAnalysis when
   * whyNotServable allows; otherwise the run uses its own analysis.
   */
  servedBy?: EpisodeConfig;
}

export interface RunResult {
  state: RunState;
  outDir: string;
  runId: string;
  metrics: TrackMetrics;
  /** The decoder's one line when the video is damaged: the frames before it were processed. */
  damaged?: string;
  error?: string;
}

/**
 * Runs one episode. The episode's lock is held throughout: a second run of the same episode, in
 * this process or another, is refused with an EpisodeBusyError that names this one.
 */
export async function runEpisode(config: EpisodeConfig, opts: RunOptions = {}): Promise<RunResult> {
  const layout = new EpisodeLayout(config.output_root, config.ep_id);
  const runId = opts.runId ?? newRunId();
  // Before the lock (which writes) and the cache (which reads the file), so a bad path gets its one clear line.
  await checkVideoFile(config.video);
  if (opts.lock) return runLocked(config, layout, runId, opts.lock, opts);
  const lock = await lockEpisode(layout, { purpose: 'run', runId }, opts.onEvent);
  try {
    return await runLocked(config, layout, runId, lock, opts);
  } finally {
    await lock.release();
  }
}

/**
 * Takes the episode's lock for a run or a sweep, says so when it took over from a dead holder,
 * and settles what a killed run left behind: its entry and files (marked interrupted) and its
 * temp files.
 */
export async function lockEpisode(layout: EpisodeLayout, what: { purpose: string; runId?: string }, onEvent?: EventSink): Promise<EpisodeLock> {
  const warn = (message: string) => onEvent?.({ type: 'log', ep_id: layout.epId, level: 'warn', message });
  await checkOutputRoot(layout.outputRoot);
  const lock = await EpisodeLock.acquire(layout, what);
  try {
    if (lock.tookOver) warn(`took over the lock of ${describeHolder(lock.tookOver)}: that process is gone`);
    for (const run of await settleInterruptedRuns(lock, layout)) {
      warn(`run ${run.run_id} was ${run.state}: it ended without writing its end (killed?); what it wrote is kept in ${layout.runManifestsDir(run.run_id)}`);
    }
    await removeLeftovers(layout);
    return lock;
  } catch (e) {
    await lock.release();
    throw e;
  }
}

async function runLocked(config: EpisodeConfig, layout: EpisodeLayout, runId: string, lock: EpisodeLock, opts: RunOptions): Promise<RunResult> {
  const emit = opts.onEvent ?? (() => {});
  const epId = config.ep_id;
  const phase = (p: Phase, message?: string) => emit({ type: 'phase', phase: p, ep_id: epId, message });
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  phase('init');

  const ffmpeg = resolveFfmpeg(config.ffmpeg.path);
  const identity = config.gate.enabled || config.embed.enabled || config.identity.enabled;
  const checks = faceCheckRuns(config.detector);
  const models = config.detector.model === 'default' || identity || checks ? await ensureModels() : undefined;
  const detectorPath = config.detector.model === 'default' ? models!.detect : config.detector.model;
  if (!(await fileExists(detectorPath))) {
    throw new Error(`Detector model not found: ${detectorPath} (set detector.model to an ONNX file, or to "default")`);
  }
  const lookupFor = (c: EpisodeConfig) => lookupAnalysis({
    config: c, cacheRoot: layout.cacheDir, ffmpegPath: ffmpeg.path, detectorPath, embedder: c.gate.enabled ? models : undefined,
    landmarkPath: checks ? models!.landmark : undefined,
  });
  let lookup = await lookupFor(opts.servedBy ?? config);
  // A replay knows the video from the entry (probing would start ffmpeg); the entry's key says
  // the file at the config's path has the same content, wherever it was when it was cached.
  const video = lookup.hit ? { ...lookup.hit.video, path: config.video } : await probeVideo(ffmpeg.path, config.video);
  const plan = planRun(config, video);
  let analysisPlan = opts.servedBy ? planRun(opts.servedBy, video) : plan;
  const notServable = opts.servedBy && whyNotServable(analysisPlan, plan);
  if (notServable) {
    emit({ type: 'log', ep_id: epId, level: 'info', message: `run ${runId}: own analysis pass: the sweep's shared one cannot serve it (${notServable})` });
    analysisPlan = plan;
    lookup = await lookupFor(config);
  }
  if (lookup.corrupt) emit({ type: 'log', ep_id: epId, level: 'warn', message: `analysis cache entry ${lookup.key.slice(0, 12)} is corrupt (${lookup.corrupt}); recomputing it` });
  // Before the analysis, so a bad ground truth is refused at once rather than after the work.
  // The frame count is an estimate until decoding ends: a second's slack here, exact at scoring.
  const groundTruth = await loadGroundTruth(config.evaluation, video.framesEstimate ? video.framesEstimate + Math.ceil(video.fps) : undefined);
  const cutList = config.evaluation.cuts ? await readCutList(config.evaluation.cuts) : undefined;
  const times = new StageTimes();
  const analysis = await openAnalysis(analysisPlan, lookup, detectorPath, models, ffmpeg.path, times, opts.signal);
  // The shared pass's own run (same stride and cooldown) needs no filter.
  const subset = analysisPlan !== plan && (analysisPlan.stride !== plan.stride || cooldownOf(analysisPlan.config) !== cooldownOf(config));
  if (subset) analysis.source = new SubsetAnalysis(analysis.source, { stride: plan.stride, cooldown: cooldownOf(config), warmup: config.scene.warmup });
  const cache = {
    analysis: lookup.hit ? 'reused' : lookup.key ? 'computed' : 'off', key: lookup.key || undefined, reason: lookup.reason,
    ...(subset ? { served_by: { stride: analysisPlan.stride, cooldown: cooldownOf(analysisPlan.config) } } : {}),
  } as const;
  emit({ type: 'stage', ep_id: epId, stage: 'analysis', status: cache.analysis, key: cache.key, reason: cache.reason });
  emit({
    type: 'log', ep_id: epId, level: 'info',
    message: `run ${runId}: analysis ${cache.analysis}${cache.reason ? ` (${cache.reason})` : ''}; ffmpeg: ${ffmpeg.path} (${ffmpeg.source}); detector ${analysis.detectorId}; stride ${plan.stride}; sampling ${plan.sampling}`,
  });
  if (plan.samplingNote) emit({ type: 'log', ep_id: epId, level: 'warn', message: plan.samplingNote });

  const progress = new ProgressWriter(layout.manifest('progress'), { ep_id: epId, run_id: runId, started_at: startedAt });
  const emitAndKeep: EventSink = (e) => {
    progress.observe(e);
    emit(e);
  };
  let run: EpisodeRun | undefined;
  try {
    await clearOutputs(layout);
    await mkdir(layout.manifestsDir, { recursive: true });
    await progress.started();
    await indexRun(lock, layout, summarizeMetrics({ run_id: runId, ep_id: epId, state: 'running', started_at: startedAt, sweep: opts.sweep }));
    run = new EpisodeRun(plan, analysis.source, times, emitAndKeep);
    const setupS = (performance.now() - t0) / 1000;
    if (analysis.live) analysis.live.setupS = setupS;
    phase('detect_track');
    await run.processFrames(opts.signal);
    let state: RunState = opts.signal?.aborted ? 'cancelled' : 'completed';
    // A damaged decode is not cached: a replay would hide the damage.
    const cacheProblem = await analysis.close(state === 'completed' && !run.decodeWarning);
    if (cacheProblem) emit({ type: 'log', ep_id: epId, level: 'warn', message: cacheProblem });
    const cacheBytes = lookup.key ? await dirSize(lookup.cacheRoot) : 0;
    if (lookup.key) emit({ type: 'log', ep_id: epId, level: 'info', message: `cache: ${(cacheBytes / 1e6).toFixed(1)} MB in ${lookup.cacheRoot}` });
    phase('export_flush');
    await lock.check();
    // A live pass of exactly this run's analysis is what a standalone run does: measured.
    const measured = !lookup.hit && !subset;
    const metrics = await run.finish(state, (performance.now() - t0) / 1000, { measured, setupS }, {
      run_id: runId, started_at: startedAt, cache: { ...cache, size_bytes: cacheBytes }, sweep: opts.sweep,
      ffmpeg, detector: analysis.detectorId,
    });
    if ((groundTruth || cutList) && state === 'completed') {
      phase('evaluate');
      if (groundTruth) metrics.evaluation = await evaluateRun(plan, groundTruth, run.analysedFrames, metrics);
      if (cutList) metrics.cut_scores = scoreCuts(metrics.scene_cuts.indices, cutList, config.evaluation.cuts!);
      await writeJsonAtomic(layout.manifest('metrics'), metrics);
    }
    if ((config.embed.enabled || config.identity.enabled) && state === 'completed') {
      phase('faces_embed');
      metrics.faces_embed = await facesEmbed(plan, ffmpeg.path, models!, opts.signal, emitAndKeep);
      if (opts.signal?.aborted) state = metrics.state = 'cancelled';
      if (config.identity.enabled && state === 'completed') {
        phase('identities');
        await lock.check();
        metrics.identities = await identities(plan, metrics.stats.frames_decoded, models!, emitAndKeep, groundTruth);
      }
      await lock.check();
      await writeJsonAtomic(layout.manifest('metrics'), metrics);
    }
    await progress.finished(state);
    await recordRun(lock, layout, runId);
    phase(state === 'completed' ? 'done' : 'cancelled');
    emit({ type: 'summary', ep_id: epId, state, out_dir: layout.dir, metrics_path: layout.manifest('metrics'), run_id: runId });
    return { state, outDir: layout.dir, runId, metrics, damaged: run.decodeWarning };
  } catch (err) {
    const full = writeFailure(err, layout.dir);
    const message = full ?? (err as Error).message;
    await analysis.close(false).catch(() => undefined);
    await run?.abandon();
    // A run that lost its lock leaves the episode to its new holder.
    if (await lock.check().then(() => true, () => false)) {
      await progress.finished('failed', message).catch(() => undefined);
      await indexRun(lock, layout, summarizeMetrics({ run_id: runId, ep_id: epId, state: 'failed', started_at: startedAt, sweep: opts.sweep, error: message }))
        .catch(() => undefined);
    }
    phase('error', message);
    throw full ? new Error(full) : err;
  }
}

interface OpenedAnalysis {
  source: AnalysisSource;
  /** The live stage, when it runs live. */
  live?: LiveAnalysis;
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
    live: source,
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

/** The evaluation stage: the run's rows against the ground truth, into eval.json and eval_frames.jsonl. */
async function evaluateRun(plan: RunPlan, gt: GroundTruth, analysedFrames: number[], metrics: TrackMetrics): Promise<EvalSummary> {
  const { layout, config } = plan;
  // Sampled decoding skips frames, so only an exact decode counts the video's frames.
  const frameCount = metrics.stats.sampling === 'exact' ? metrics.stats.frames_decoded : Math.max(plan.video.framesEstimate, metrics.stats.frames_decoded);
  checkGroundTruth(gt, config.evaluation.frame_base, frameCount);
  const result = evaluate({ gt, cfg: config.evaluation, tracks: await readRunRows(layout.manifest('detections')), analysedFrames, frameCount });
  return writeEvaluation({ report: layout.manifest('evaluation'), frames: layout.manifest('evalFrames') }, result);
}

/** faces_embed after tracking; G3 reuses the gate's embedding of tracks it already has. */
async function facesEmbed(
  plan: RunPlan, ffmpegPath: string, models: { landmark: string; feature: string }, signal: AbortSignal | undefined, emit: EventSink,
): Promise<FacesEmbedSummary> {
  const embedder = await FaceEmbedder.load({ landmark: models.landmark, feature: models.feature, threads: plan.threads });
  try {
    const s = await runFacesEmbed({
      manifestsDir: plan.layout.manifestsDir, scratchDir: plan.layout.scratchDir, video: plan.video, ffmpegPath, embedder,
      cfg: plan.config.embed, g3: plan.config.optimizations.g3, signal,
    });
    emit({ type: 'log', ep_id: plan.config.ep_id, level: 'info', message: `faces_embed: reused ${s.reused} of ${s.tracks} tracks' gate embeddings (G3), embedded ${s.embedded} faces` });
    return s;
  } finally {
    await embedder.close();
  }
}

/** The identity stage after faces_embed, with its warnings and top identities logged. */
async function identities(
  plan: RunPlan, frames: number, models: { detect: string; landmark: string; feature: string }, emit: EventSink, gt: GroundTruth | undefined,
): Promise<IdentitySummary> {
  const s = await runIdentityStage({
    layout: plan.layout, cfg: plan.config.identity, fps: plan.video.fps, episodeFrames: frames, castModels: async () => models,
  });
  s.evaluation = await scoreIdentities(plan.layout, plan.config.evaluation, plan.video.fps, gt);
  logIdentities(plan.config.ep_id, s, emit);
  return s;
}

export function logIdentities(epId: string, s: IdentitySummary, emit: EventSink): void {
  for (const w of s.warnings) emit({ type: 'log', ep_id: epId, level: 'warn', message: w });
  const unassigned = s.tracks_unassigned.no_prototype + s.tracks_unassigned.low_quality;
  emit({
    type: 'log', ep_id: epId, level: 'info',
    message: `identities: ${s.identities} from ${s.tracks_assigned} of ${s.tracks} tracks (${unassigned} unassigned), ${s.named} named from a cast of ${s.cast_members}` +
      (s.evaluation ? `; against the ground truth: B-cubed F1 ${s.evaluation.f1}, screen time within ${s.evaluation.screen_time_max_error_pct}%` : ''),
  });
}

/** The per-frame loop and its state; kept apart from runEpisode's setup and error handling. */
class EpisodeRun {
  private readonly cfg: EpisodeConfig;
  private readonly detectionsOut: JsonlWriter;
  private readonly tracksOut: JsonlWriter;
  /** The gate's sampled faces of each written track (G3), when the gate runs. */
  private readonly gateFacesOut: GateFacesWriter | undefined;
  private readonly recorder: TrackRecorder;
  private readonly exporter: FrameExporter;
  private readonly tracker: ByteTracker;
  private readonly gate: GatePipeline;
  private readonly meter = new ProgressMeter();
  private framesDecoded = 0;
  private framesAnalysed = 0;
  /** The analysed frames in order: what `evaluation.frames: analysed` scores. */
  readonly analysedFrames: number[] = [];
  private cuts = 0;
  private cutsSuppressed = 0;
  /** Sum of the written tracks' spans in frames, for the mean track length. */
  private trackFrames = 0;
  /** The decoder's warning when the video is damaged. */
  decodeWarning: string | undefined;
  /** Set when a manifest writer is over its high-water mark; the frame loop then waits for it. */
  private backlogged = false;

  /** Opens the manifest writers in manifests/, which the caller has cleared. */
  constructor(
    private readonly plan: RunPlan,
    private readonly source: AnalysisSource,
    private readonly times: StageTimes,
    readonly emit: EventSink,
  ) {
    const cfg = (this.cfg = plan.config);
    const epId = cfg.ep_id;
    this.detectionsOut = new JsonlWriter(plan.layout.manifest('detections'));
    this.tracksOut = new JsonlWriter(plan.layout.manifest('tracks'));
    const gateFacesOut = (this.gateFacesOut = cfg.gate.enabled ? new GateFacesWriter(plan.layout.manifest('gateFaces')) : undefined);
    this.exporter = new FrameExporter({
      layout: plan.layout,
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
      gateFields: (faces, trackId) => {
        const { fields, picks } = gatePrototype(faces, cfg.embed, source.embedderId);
        if (gateFacesOut && !gateFacesOut.add(trackId, picks)) this.backlogged = true;
        return fields;
      },
      gateFacesKept: gateFacesKept(cfg.embed),
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
      else if (event.kind === 'fade') await this.onFade(event.idx);
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

  /** The black frame of a fade-out: one tracker reset, not counted as a cut. */
  private async onFade(idx: number): Promise<void> {
    await this.gate.cut(() => {
      this.tracker.reset();
      this.recorder.onCut(idx);
    });
  }

  private async analyse({ idx, ts, dets, rejected, faces, full }: Extract<AnalysisEvent, { kind: 'frame' }>): Promise<void> {
    this.framesAnalysed++;
    this.analysedFrames.push(idx);
    if (rejected?.length) this.emit({ type: 'rejected', ep_id: this.cfg.ep_id, frame_idx: idx, boxes: rejected });
    const t = performance.now();
    const tracked = this.tracker.update(idx, dets);
    this.times.add('tracking', t);
    // The gate commits each frame one analysed frame later, once its embeddings are back.
    await this.gate.push(idx, ts, tracked, faces, full);
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
      await Promise.all([this.detectionsOut.drain(), this.tracksOut.drain(), this.gateFacesOut?.drain()]);
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
  async finish(state: RunState, wallS: number, alone: { measured: boolean; setupS: number }, run: RunIdentity): Promise<TrackMetrics> {
    const { plan, cfg } = this;
    this.recorder.finalize();
    const exportStats = await this.exporter.close();
    await this.detectionsOut.close();
    await this.tracksOut.close();
    await this.gateFacesOut?.close();
    const { cuts, detection, cost, sceneScores } = await this.source.done();
    await writeJsonAtomic(plan.layout.manifest('cuts'), {
      ep_id: cfg.ep_id, fps: plan.video.fps, cuts: cuts.cuts, resets: cuts.resets, suppressed: cuts.suppressed,
      fades: cuts.fades ?? [], fade_resets: cuts.fadeResets ?? [], dissolves: cuts.dissolves ?? [],
      ...cfg.scene,
    });
    if (sceneScores) {
      // One line: up to 3 × 2,000 numbers, which an indented file would spread over 6,000 lines.
      await writeFileAtomic(plan.layout.manifest('sceneScores'), JSON.stringify({
        ep_id: cfg.ep_id, fps: plan.video.fps, min_content: cfg.scene.min_content, threshold: cfg.scene.threshold, fade_floor: cfg.scene.fade_floor, ...sceneScores,
      }) + '\n');
    }
    const metrics = buildTrackMetrics(plan, run, {
      state, wallS, framesDecoded: this.framesDecoded, framesAnalysed: this.framesAnalysed, trackFrames: this.trackFrames,
      recorded: this.recorder.metrics, cuts, exportStats, times: this.times, decodeWarning: this.decodeWarning, detection,
      standalone: alone.measured ? 'measured' : cost, setupS: alone.setupS,
    });
    await writeJsonAtomic(plan.layout.manifest('metrics'), metrics);
    return metrics;
  }

  /** After a failure: flush what was queued, and leave the .partial manifests to mark the run incomplete. */
  async abandon(): Promise<void> {
    await this.exporter.close().catch(() => undefined);
    await Promise.all([this.detectionsOut.abandon(), this.tracksOut.abandon(), this.gateFacesOut?.abandon()]);
  }
}

const fileExists = (p: string) => stat(p).then((st) => st.isFile(), () => false);
