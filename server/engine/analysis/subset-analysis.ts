// One analysis serving another config's run (DESIGN §12): an analysis at stride s with warm-up
// after every cut (cooldown 0) holds every frame that a run at a multiple of s, with any cooldown,
// would analyse. SubsetAnalysis replays the serving source's cuts and fades through the point's own
// CutPolicy and passes on only the frames the point's standalone run would have analysed, with
// embeddings only where that run has full frames (its sampled frames). Detection is per frame
// (servable() rules out the stateful detectors), so the point tracks exactly as it would alone.
import type { DetectorConfig } from '../../config/episode-config';
import { CutPolicy } from '../scenes/cut-policy';
import { detectorReadsFullFrames, faceCheckRuns, type RunPlan } from '../run-plan';
import type { AnalysisEvent, AnalysisSource, AnalysisSummary } from './analysis-source';

export interface SubsetOptions {
  /** The point's effective stride: a multiple of the serving analysis's. */
  stride: number;
  /** The point's effective cooldown (0 with F1 off). */
  cooldown: number;
  warmup: number;
}

export class SubsetAnalysis implements AnalysisSource {
  private readonly policy: CutPolicy;

  constructor(private readonly inner: AnalysisSource, private readonly opts: SubsetOptions) {
    this.policy = new CutPolicy({ cooldown: opts.cooldown, warmup: opts.warmup });
  }

  get framesDone(): number {
    return this.inner.framesDone;
  }

  get embedderId(): string {
    return this.inner.embedderId;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AnalysisEvent> {
    const { stride } = this.opts;
    // Each decoded frame the point's run would see: cuts come first in a frame, then its frame
    // event when the serving analysis analysed it. Warm-up is consumed once per decoded frame,
    // so frames between analysed ones are counted from the gap in indices.
    let next = 0;
    const consumeUpTo = (idx: number) => {
      for (; next < idx; next++) this.policy.consumeWarmup();
    };
    for await (const e of this.inner) {
      if (e.kind === 'cut') {
        consumeUpTo(e.idx);
        yield { kind: 'cut', idx: e.idx, reset: this.policy.onCut(e.idx) };
        continue;
      }
      if (e.kind === 'fade') {
        consumeUpTo(e.idx);
        this.policy.onFade(e.idx);
        yield e;
        continue;
      }
      consumeUpTo(e.idx);
      const warm = this.policy.consumeWarmup();
      next = e.idx + 1;
      const sampled = e.idx % stride === 0;
      if (!sampled && !warm) continue;
      // A frame the point's run would not sample has no full frame there, hence no embeddings.
      // (Dropped full frames are left to the GC: an embedding may still be reading them.)
      yield sampled ? e : { kind: 'frame', idx: e.idx, ts: e.ts, dets: e.dets, rejected: e.rejected };
    }
  }

  recycle(full: Buffer): void {
    this.inner.recycle?.(full);
  }

  async done(): Promise<AnalysisSummary> {
    const s = await this.inner.done();
    const { cuts, resets, suppressed, fadeResets } = this.policy;
    return { ...s, cuts: { ...s.cuts, cuts: [...cuts], resets: [...resets], suppressed: [...suppressed], fadeResets: [...fadeResets] } };
  }
}

/**
 * Why `serving` cannot serve `point` (both planned on the same video), or undefined when it can.
 * The two configs differ at most in stride and scene.cooldown (the caller's grouping).
 */
export function whyNotServable(serving: RunPlan, point: RunPlan): string | undefined {
  const d: DetectorConfig = point.config.detector;
  const sameStride = serving.stride === point.stride;
  if (point.stride % serving.stride) return `stride ${point.stride} is not a multiple of ${serving.stride}`;
  const cd = (p: RunPlan) => (p.config.optimizations.f1 ? p.config.scene.cooldown : 0);
  if (cd(serving) !== 0 && cd(serving) !== cd(point)) return `the serving analysis suppresses cuts (cooldown ${cd(serving)})`;
  if (sameStride && cd(serving) === cd(point)) return undefined;
  // `auto` tiles and the face check carry state from one analysed frame to the next.
  if (d.tiles === 'auto' || faceCheckRuns(d)) return 'detection carries state across frames (tiles: auto or the face check)';
  // Tiles read full frames, which only sampled frames have: a warm-up frame sampled at the
  // serving stride was detected with tiles, and the point's own run would detect it without.
  if (!sameStride && detectorReadsFullFrames(d)) return 'tiles read full frames, which differ between strides';
  // Other modes skip frames and sample by time: the frames between analysed ones are unknown.
  if (serving.sampling !== 'exact') return `sampling ${serving.sampling} decodes only some frames`;
  const c = point.config;
  if (c.export.crops || c.export.frames) return 'export.crops/export.frames need decoded frames';
  return undefined;
}
