// AppearanceGate: per tracker id, compares the face's embedding with the track's prototype and
// says when the exported track must split because the person changed (or the box jumped),
// although the tracker kept its id. Pure state machine: embeddings come from the caller.
import type { GateConfig } from '../../config/schema-identity';
import { iou } from '../detect/nms';
import { cosine } from '../embed/face-embedder';
import type { BBox } from '../types';

export type GateSplit = 'hard' | 'streak' | 'iou';

/** A track's appearance. */
export interface Prototype {
  /** Unit-length momentum average: what the gate compares new faces with. */
  embedding: Float32Array;
  /** Embeddings merged into it. */
  samples: number;
  model: string;
}

export interface GateDecision {
  split?: GateSplit;
  /** Cosine of this frame's embedding to the prototype, when both existed. */
  sim?: number;
}

/** Faces a prototype must hold before the gate embeds only every emb_every frames. */
export const TRUSTED_SAMPLES = 3;

interface TrackState {
  proto?: Prototype;
  streak: number;
  /** Analysed frames since the last embedding. */
  sinceEmbed: number;
  lastBox: BBox;
  lastFrame: number;
}

export class AppearanceGate {
  private readonly tracks = new Map<number, TrackState>();
  private prunedAt = -1;

  /**
   * `model` names the embedder on the prototypes. `forgetAfter` (frames; the tracker's
   * track_buffer) drops ids unseen that long: the tracker has dropped them too.
   */
  /**
   * @param iouWithin the IoU rule applies only between observations at most this many frames
   *   apart (the stride): a track the tracker re-finds after losing it has moved on, and only
   *   its appearance can tell whether it is the same face.
   */
  constructor(
    private readonly cfg: GateConfig,
    private readonly model: string,
    private readonly forgetAfter = Infinity,
    private readonly iouWithin = Infinity,
  ) {}

  get enabled(): boolean {
    return this.cfg.enabled;
  }

  /**
   * Whether this analysed frame should embed the tracker's face: every emb_every frames, and on
   * every frame while the prototype holds fewer than TRUSTED_SAMPLES faces. A young track is
   * where a tracker most often latches onto the wrong face (a morph, a face entering beside it),
   * and a short track would otherwise get only its first face checked.
   */
  wantsEmbedding(trackerId: number): boolean {
    if (!this.cfg.enabled) return false;
    const t = this.tracks.get(trackerId);
    return !t?.proto || t.proto.samples < TRUSTED_SAMPLES || t.sinceEmbed + 1 >= this.cfg.emb_every;
  }

  /** One analysed frame of a tracker id, in frame order; `embedding` (unit length) when one was computed. */
  update(trackerId: number, frameIdx: number, bbox: BBox, embedding?: Float32Array): GateDecision {
    if (!this.cfg.enabled) return {};
    this.forgetBefore(frameIdx - this.forgetAfter);
    const box: BBox = [...bbox];
    const t = this.tracks.get(trackerId);
    if (!t) {
      const proto = embedding && this.fresh(embedding);
      this.tracks.set(trackerId, { proto, streak: 0, sinceEmbed: 0, lastBox: box, lastFrame: frameIdx });
      return {};
    }
    const decision: GateDecision = {};
    t.sinceEmbed = embedding ? 0 : t.sinceEmbed + 1;
    if (embedding && t.proto) {
      const sim = (decision.sim = cosine(embedding, t.proto.embedding));
      if (sim < this.cfg.appear_hard) decision.split = 'hard';
      else if (sim < this.cfg.appear_soft) {
        if (++t.streak >= this.cfg.streak) decision.split = 'streak';
      } else {
        t.streak = 0;
        blend(t.proto, embedding, this.cfg.proto_momentum);
      }
    } else if (embedding) {
      t.proto = this.fresh(embedding);
    }
    if (!decision.split && frameIdx - t.lastFrame <= this.iouWithin && iou(box, t.lastBox) < this.cfg.iou) decision.split = 'iou';
    t.lastBox = box;
    t.lastFrame = frameIdx;
    if (decision.split) {
      // The new track starts from this frame's face, or from the next embedding when there is none.
      t.proto = embedding && this.fresh(embedding);
      t.streak = 0;
    }
    return decision;
  }

  /** The tracker id's current prototype, if it has one. */
  prototypeOf(trackerId: number): Prototype | undefined {
    return this.tracks.get(trackerId)?.proto;
  }

  private forgetBefore(frameIdx: number): void {
    if (frameIdx === this.prunedAt) return;
    this.prunedAt = frameIdx;
    for (const [id, t] of this.tracks) if (t.lastFrame < frameIdx) this.tracks.delete(id);
  }

  /** A scene cut: every track ends, and so does its state. */
  reset(): void {
    this.tracks.clear();
  }

  private fresh(embedding: Float32Array): Prototype {
    return { embedding: Float32Array.from(embedding), samples: 1, model: this.model };
  }
}

/** proto ← normalise(m·proto + (1 − m)·e), in place. */
function blend(proto: Prototype, e: Float32Array, m: number): void {
  const v = proto.embedding;
  let s = 0;
  for (let i = 0; i < v.length; i++) {
    v[i] = m * v[i] + (1 - m) * e[i];
    s += v[i] * v[i];
  }
  const k = 1 / Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i] *= k;
  proto.samples++;
}
