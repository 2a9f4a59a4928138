// The analysis stage computed: ffmpeg decodes, the transition detector finds cuts and fades (F1
// cooldown and warm-up frames by CutPolicy), the face detector runs on sampled and warm-up
// frames. Frames wait for the scene detector's look-ahead (scene.window frames) before they go on. With a cache
// writer it also records every event, and with the gate on it embeds *every* detection of each
// full frame, not only those the gate asks for: a later run with other tracker settings follows
// other tracks and asks for other faces, and the cached entry must answer all of them without
// decoding. Without a writer it embeds lazily, only what the gate asks for (as before the cache).
import type { FrameDetection } from '../detect/frame-detection';
import type { EmbedWorker } from '../embed/embed-worker';
import { SMALL_HEIGHT, SMALL_WIDTH, smallFrameColor, type DecodedFrame, type FrameSource } from '../decode/frame-source';
import { yuv420pRectToRgb, type YuvColor } from '../decode/yuv';
import { openFrameSourceInWorker } from '../decode/decode-worker';
import { TransitionDetector, transitionOptions } from '../scenes/transition-detector';
import type { SceneEvent } from '../scenes/scene-detector';
import { downsampleScores } from '../scenes/score-series';
import { CutPolicy } from '../scenes/cut-policy';
import type { RunPlan } from '../run-plan';
import type { AnalysisWriter } from '../cache/analysis-file';
import type { StageTimes } from '../stage-times';
import { lookupByBox, type AnalysisEvent, type AnalysisSource, type AnalysisSummary, type FaceLookup } from './analysis-source';

/** The whole small frame: analysed frames are converted to rgb24 for the detector. */
const SMALL_RECT = { left: 0, top: 0, width: SMALL_WIDTH, height: SMALL_HEIGHT };

export interface LiveAnalysisOptions {
  plan: RunPlan;
  ffmpegPath: string;
  /** The whole-frame pass, tiles and the face check. */
  detection: FrameDetection;
  /** The gate's embedder; absent with the gate off. */
  embedder?: EmbedWorker;
  /** Records the stage into a cache entry being built. */
  writer?: AnalysisWriter;
  /** Receives the time spent waiting for frames, on histograms and on detection. */
  times: StageTimes;
  signal?: AbortSignal;
}

export class LiveAnalysis implements AnalysisSource {
  framesDone = 0;
  readonly embedderId: string;
  private summary: AnalysisSummary | undefined;
  private source: FrameSource | undefined;
  /** The writer's rows, chained in frame order; each waits for its frame's embeddings. */
  private recorded: Promise<void> = Promise.resolve();
  /** The first failure of a recorded step (an embedding or a write); the chain itself never rejects. */
  private failure: Error | undefined;
  /** Frames the detector ran on (sampled and warm-up), for the sweep's cost model. */
  private analysed = 0;
  /** Set by the run before iterating: its seconds from start to the first frame (models, probe, cache lookup). */
  setupS = 0;

  constructor(private readonly opts: LiveAnalysisOptions) {
    this.embedderId = opts.embedder?.modelId ?? '';
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AnalysisEvent> {
    const { plan, times, signal } = this.opts;
    const cfg = plan.config;
    const source = (this.source = openFrameSourceInWorker({
      ffmpegPath: this.opts.ffmpegPath,
      info: plan.video,
      stride: plan.stride,
      full: plan.needsFullFrames,
      sampling: plan.sampling,
      fullFormat: plan.fullFormat,
      d1: cfg.optimizations.d1,
      threads: plan.decodeThreads,
      signal,
    }));
    const smallColor = smallFrameColor(plan.video);
    const scenes = cfg.scene.enabled ? new TransitionDetector(transitionOptions(cfg.scene, smallColor)) : undefined;
    const policy = new CutPolicy({ cooldown: cfg.optimizations.f1 ? cfg.scene.cooldown : 0, warmup: cfg.scene.warmup });
    // Frames wait here for the scene detector's look-ahead, with the events decided for them.
    const waiting: DecodedFrame[] = [];
    const events: SceneEvent[] = [];
    // Reset after each yield: the consumer's time is its own.
    let mark = performance.now();
    for await (const frame of source) {
      mark = times.add('waiting_for_frames', mark);
      this.framesDone = frame.index + 1;
      waiting.push(frame);
      if (scenes) events.push(...scenes.push(frame.index, frame.small, SMALL_WIDTH, SMALL_HEIGHT));
      const through = scenes ? scenes.decidedThrough : frame.index;
      mark = times.add('scenes', mark);
      while (waiting.length && waiting[0].index <= through) {
        yield* this.analyse(waiting.shift()!, events, policy, smallColor);
        mark = performance.now();
      }
    }
    if (scenes) {
      events.push(...scenes.finish());
      mark = times.add('scenes', mark);
    }
    while (waiting.length) yield* this.analyse(waiting.shift()!, events, policy, smallColor);
    const decoded = await source.done();
    await this.recorded;
    if (this.failure) throw this.failure;
    this.framesDone = Math.max(this.framesDone, decoded.framesDecoded);
    const spent = times.seconds();
    this.summary = {
      framesDecoded: this.framesDone,
      cuts: {
        cuts: policy.cuts, resets: policy.resets, suppressed: policy.suppressed,
        fades: scenes?.fades ?? [], fadeResets: policy.fadeResets, dissolves: scenes?.dissolves ?? [],
      },
      sceneScores: scenes && downsampleScores(scenes.indices, scenes.content, scenes.histogram, scenes.brightness),
      warning: decoded.warning,
      detection: this.opts.detection.stats(),
      cost: {
        setup_s: this.setupS, decode_s: spent.waiting_for_frames ?? 0, scenes_s: spent.scenes ?? 0,
        detection_s: (spent.detection ?? 0) + (spent.embedding ?? 0), frames_analysed: this.analysed,
      },
    };
  }

  /** One decided frame: its scene events first (tracker resets), then detection when it is sampled or warming up. */
  private async *analyse(frame: DecodedFrame, events: SceneEvent[], policy: CutPolicy, smallColor: YuvColor): AsyncGenerator<AnalysisEvent> {
    const { plan, detection, embedder, writer, times } = this.opts;
    const { width, height } = plan.video;
    const idx = frame.index;
    try {
      while (events.length && events[0].idx <= idx) {
        const e = events.shift()!;
        detection.onCut();
        if (e.kind === 'cut') {
          const reset = policy.onCut(e.idx);
          this.record(async () => void (writer!.cut(e.idx, reset) || (await writer!.drain())));
          yield { kind: 'cut', idx: e.idx, reset };
        } else {
          policy.onFade(e.idx);
          this.record(async () => void (writer!.fade(e.idx) || (await writer!.drain())));
          yield { kind: 'fade', idx: e.idx };
        }
      }
      const warm = policy.consumeWarmup();
      if (!frame.sampled && !warm) return;
      this.analysed++;
      const mark = performance.now();
      const full = frame.full;
      const small = yuv420pRectToRgb(frame.small, SMALL_WIDTH, SMALL_HEIGHT, SMALL_RECT, smallColor);
      const { dets, rejected } = await detection.detect(small, full);
      const detected = times.add('detection', mark);
      let faces: FaceLookup | undefined;
      if (full && embedder && writer) {
        const jobs = dets.map((d) => embedder.embedFace(full, width, height, d.bbox));
        jobs.forEach((j) => j.catch(() => undefined)); // awaited through `recorded`
        // At most this frame and the one before are in flight: the previous frame's row is
        // written (its embeddings done) while this frame was being detected.
        const before = this.recorded;
        this.record(async () => void (writer.frame(idx, frame.ts, dets, await Promise.all(jobs), rejected) || (await writer.drain())));
        await before;
        times.add('embedding', detected);
        if (this.failure) throw this.failure;
        faces = lookupByBox(dets, jobs);
      } else {
        if (writer) this.record(async () => void (writer.frame(idx, frame.ts, dets, undefined, rejected) || (await writer.drain())));
        if (full && embedder) faces = (bbox) => embedder.embedFace(full, width, height, bbox);
      }
      yield { kind: 'frame', idx, ts: frame.ts, dets, rejected, faces, full };
    } finally {
      this.source?.recycle(frame.small); // nothing keeps the 320×240 frame past its iteration
    }
  }

  /** Hands back a full frame nobody reads any more (see FrameSource.recycle). */
  recycle(full: Buffer): void {
    this.source?.recycle(full);
  }

  private record(step: () => Promise<void>): void {
    if (!this.opts.writer) return;
    this.recorded = this.recorded.then(() => (this.failure ? undefined : step())).catch((e: Error) => void (this.failure ??= e));
  }

  async done(): Promise<AnalysisSummary> {
    if (!this.summary) throw new Error('the analysis stage did not finish');
    return this.summary;
  }
}
