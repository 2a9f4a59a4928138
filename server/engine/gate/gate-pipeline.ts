// Runs the appearance gate one analysed frame behind detection: a frame's embeddings compute on
// the embedder (a worker thread) while the engine decodes and detects the next frame; the frame
// is then committed (recorded) in order, with its split decisions. With the gate off, frames
// commit at once.
import type { FaceLookup } from '../analysis/analysis-source';
import type { BBox, TrackedObject } from '../types';
import type { AppearanceGate, GateSplit, Prototype } from './appearance-gate';

export interface GatedObject extends TrackedObject {
  split?: GateSplit;
}

export interface GatedFrame {
  idx: number;
  ts: number;
  objects: GatedObject[];
  full?: Buffer;
}

interface Queued extends GatedFrame {
  jobs: (Promise<Float32Array> | undefined)[];
}

export class GatePipeline {
  private queued: Queued | undefined;
  /** Ended prototypes of the splits being committed, by tracker id (see closingPrototype). */
  private readonly ended = new Map<number, Prototype | undefined>();

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
    const embeddings = await Promise.all(q.jobs);
    q.objects.forEach((o, i) => {
      const d = this.gate.update(o.trackerId, q.idx, o.bbox, embeddings[i]);
      o.split = d.split;
      if (d.split) this.ended.set(o.trackerId, d.ended);
    });
    try {
      await this.commit({ idx: q.idx, ts: q.ts, objects: q.objects, full: q.full });
    } finally {
      this.ended.clear();
    }
  }

  /**
   * The prototype of the export track that the recorder is closing for `trackerId` (G3): during
   * a split commit the one that just ended, otherwise the gate's current one.
   */
  closingPrototype(trackerId: number): Prototype | undefined {
    return this.ended.has(trackerId) ? this.ended.get(trackerId) : this.gate.prototypeOf(trackerId);
  }

  /** A scene cut: commit what is queued, let the caller close every track, then clear the gate. */
  async cut(closeTracks: () => void): Promise<void> {
    await this.flush();
    closeTracks();
    this.gate.reset();
  }
}
