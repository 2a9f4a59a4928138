// The analysis stage read back from a verified cache entry: no ffmpeg, no detector, no embedder.
import { readAnalysis } from '../cache/analysis-file';
import { lookupByBox, type AnalysisEvent, type AnalysisSource, type AnalysisSummary } from './analysis-source';

export interface ReplayedAnalysisOptions {
  dir: string;
  summary: AnalysisSummary;
  embedderId: string;
  embeddingDim: number;
  signal?: AbortSignal;
}

export class ReplayedAnalysis implements AnalysisSource {
  framesDone = 0;
  readonly embedderId: string;
  private stoppedAt: number | undefined;

  constructor(private readonly opts: ReplayedAnalysisOptions) {
    this.embedderId = opts.embedderId;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AnalysisEvent> {
    for await (const row of readAnalysis(this.opts.dir, this.opts.embeddingDim)) {
      if (this.opts.signal?.aborted) {
        this.stoppedAt = this.framesDone;
        return;
      }
      this.framesDone = row.idx + 1;
      if (row.kind === 'cut' || row.kind === 'fade') yield row;
      else yield { kind: 'frame', idx: row.idx, ts: row.ts, dets: row.dets, rejected: row.rejected, faces: row.faces && lookupByBox(row.dets, row.faces) };
    }
    this.framesDone = this.opts.summary.framesDecoded;
  }

  /** The cached summary; cut short to the frames replayed when the run was cancelled. */
  async done(): Promise<AnalysisSummary> {
    const { summary } = this.opts;
    const end = this.stoppedAt;
    if (end === undefined) return summary;
    const upTo = (xs: number[]) => xs.filter((i) => i < end);
    const { cuts, resets, suppressed, fades, fadeResets, dissolves } = summary.cuts;
    return {
      framesDecoded: end,
      cuts: {
        cuts: upTo(cuts), resets: upTo(resets), suppressed: upTo(suppressed),
        fades: fades?.filter((f) => f.end < end), fadeResets: fadeResets && upTo(fadeResets), dissolves: dissolves?.filter((d) => d.cut < end),
      },
      sceneScores: summary.sceneScores,
    };
  }
}
