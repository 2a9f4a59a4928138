// Runs the appearance gate one analysed frame behind detection: a frame's embeddings compute on
// the embedder (a worker thread) while the engine decodes and detects the next frame; the frame
// is then committed (recorded) in order, with its split decisions. With the gate off, frames
// commit at once.
import type { FaceLookup } from '../analysis/analysis-source';
import type { EmbeddedFace } from '../embed/quality';
import type { BBox, TrackedObject } from '../types';
import type { AppearanceGate, GateSplit } from './appearance-gate';

export interface GatedObject extends TrackedObject {
  split?: GateSplit;
  /** The face the gate embedded on this frame, if it asked for one (G3 builds on them). */
  face?: EmbeddedFace;
}

export interface GatedFrame {
  idx: number;
  ts: number;
  objects: GatedObject[];
  full?: Buffer;
}

interface Queued extends GatedFrame {
  jobs: (Promise<EmbeddedFace> | undefined)[];
}

export class GatePipeline {
  private queued: Queued | undefined;

  constructor(
    private readonly gate: AppearanceGate,
    /** Records one frame (in frame order); the recorder closes split tracks inside it. */
    private readonly commit: (frame: GatedFrame) => Promise<void>,
  ) {}

  /**
   * Queues an analysed frame after committing the one before. `faces` gives the embedding of a
   * tracked box (absent on frames without full-res pixels: warm-up frames); `full` is handed on
   * to the commit. `objects` are copied: the tracker may reuse its arrays.
   */
  async push(idx: number, ts: number, objects: readonly TrackedObject[], faces?: FaceLookup, full?: Buffer): Promise<void> {
    await this.flush();
    const copies = objects.map((o) => ({ ...o, bbox: [...o.bbox] as BBox }));
    const jobs = copies.map((o) => (faces && this.gate.wantsEmbedding(o.trackerId) ? faces(o.bbox) : undefined));
    // Failures surface in flush(); until then keep Node from calling them unhandled.
    for (const j of jobs) j?.catch(() => undefined);
    this.queued = { idx, ts, objects: copies, full, jobs };
    if (!this.gate.enabled) await this.flush();
  }

  /** Commits the queued frame, if any: before a scene cut and at the end of the run. */
  async flush(): Promise<void> {
    const q = this.queued;
    if (!q) return;
    this.queued = undefined;
    const faces = await Promise.all(q.jobs);
    q.objects.forEach((o, i) => {
      o.split = this.gate.update(o.trackerId, q.idx, o.bbox, faces[i]?.embedding).split;
      o.face = faces[i];
    });
    await this.commit({ idx: q.idx, ts: q.ts, objects: q.objects, full: q.full });
  }

  /** A scene cut: commit what is queued, let the caller close every track, then clear the gate. */
  async cut(closeTracks: () => void): Promise<void> {
    await this.flush();
    closeTracks();
    this.gate.reset();
  }
}
