// The analysis stage computed: ffmpeg decodes, the histogram detector finds cuts (F1 cooldown and
// warm-up frames by CutPolicy), the face detector runs on sampled and warm-up frames. With a cache
// writer it also records every event, and with the gate on it embeds *every* detection of each
// full frame, not only those the gate asks for: a later run with other tracker settings follows
// other tracks and asks for other faces, and the cached entry must answer all of them without
// decoding. Without a writer it embeds lazily, only what the gate asks for (as before the cache).
import type { FrameDetection } from '../detect/frame-detection';
import type { EmbedWorker } from '../embed/embed-worker';
import { SMALL_HEIGHT, SMALL_WIDTH, smallFrameColor, type FrameSource } from '../decode/frame-source';
import { yuv420pRectToRgb } from '../decode/yuv';
import { openFrameSourceInWorker } from '../decode/decode-worker';
import { HistogramSceneDetector } from '../scenes/histogram-detector';
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
  /** Set by the run before iterating: its seconds from start to the first frame (models, probe, cache lookup). */
  setupS = 0;
  private summary: AnalysisSummary | undefined;
  private source: FrameSource | undefined;
  /** The writer's rows, chained in frame order; each waits for its frame's embeddings. */
  private recorded: Promise<void> = Promise.resolve();
  /** The first failure of a recorded step (an embedding or a write); the chain itself never rejects. */
  private failure: Error | undefined;

  constructor(private readonly opts: LiveAnalysisOptions) {
    this.embedderId = opts.embedder?.modelId ?? '';
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AnalysisEvent> {
    const { plan, detection, embedder, writer, times, signal } = this.opts;
    const cfg = plan.config;
    const { width, height } = plan.video;
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
    const scenes = new HistogramSceneDetector({ threshold: cfg.scene.threshold, minLen: cfg.scene.min_len, color: smallColor });
    const policy = new CutPolicy({ cooldown: cfg.optimizations.f1 ? cfg.scene.cooldown : 0, warmup: cfg.scene.warmup });
    // Reset after each yield: the consumer's time is its own.
    let mark = performance.now();
    let analysed = 0;
    for await (const frame of source) {
      try {
        mark = times.add('waiting_for_frames', mark);
        const idx = frame.index;
        this.framesDone = idx + 1;
        const cut = cfg.scene.enabled && scenes.push(idx, frame.small, SMALL_WIDTH, SMALL_HEIGHT);
        mark = times.add('scenes', mark);
        if (cut) {
          detection.onCut();
          const reset = policy.onCut(idx);
          this.record(async () => void (writer!.cut(idx, reset) || (await writer!.drain())));
          yield { kind: 'cut', idx, reset };
          mark = performance.now();
        }
        const warm = policy.consumeWarmup();
        if (!frame.sampled && !warm) continue;
        analysed++;
        const full = frame.full;
        const small = yuv420pRectToRgb(frame.small, SMALL_WIDTH, SMALL_HEIGHT, SMALL_RECT, smallColor);
        const { dets, rejected } = await detection.detect(small, full);
        mark = times.add('detection', mark);
        let faces: FaceLookup | undefined;
        if (full && embedder && writer) {
          const jobs = dets.map((d) => embedder.embedFace(full, width, height, d.bbox));
          jobs.forEach((j) => j.catch(() => undefined)); // awaited through `recorded`
          // At most this frame and the one before are in flight: the previous frame's row is
          // written (its embeddings done) while this frame was being detected.
          const before = this.recorded;
          this.record(async () => void (writer.frame(idx, frame.ts, dets, await Promise.all(jobs), rejected) || (await writer.drain())));
          mark = performance.now();
          await before;
          times.add('embedding', mark);
          if (this.failure) throw this.failure;
          faces = lookupByBox(dets, jobs);
        } else {
          if (writer) this.record(async () => void (writer.frame(idx, frame.ts, dets, undefined, rejected) || (await writer.drain())));
          if (full && embedder) faces = (bbox) => embedder.embedFace(full, width, height, bbox);
        }
        yield { kind: 'frame', idx, ts: frame.ts, dets, rejected, faces, full };
      } finally {
        source.recycle(frame.small); // nothing keeps the 320×240 frame past its iteration
        mark = performance.now();
      }
    }
    const decoded = await source.done();
    await this.recorded;
    if (this.failure) throw this.failure;
    this.framesDone = Math.max(this.framesDone, decoded.framesDecoded);
    const spent = times.seconds();
    this.summary = {
      framesDecoded: this.framesDone,
      cuts: { cuts: policy.cuts, resets: policy.resets, suppressed: policy.suppressed },
      warning: decoded.warning,
      detection: detection.stats(),
      cost: {
        setup_s: this.setupS, decode_s: spent.waiting_for_frames ?? 0, scenes_s: spent.scenes ?? 0,
        detection_s: (spent.detection ?? 0) + (spent.embedding ?? 0), frames_analysed: analysed,
      },
    };
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
