// A track's prototype, one code path for faces_embed and for G3: which of its faces to keep and
// their quality-weighted mean. The recorder runs it on the faces the appearance gate embedded, at
// the track's close; faces_embed runs it on the same faces, decoded again (G3 off) — so a reused
// gate embedding is what faces_embed would have computed.
import type { EmbedConfig } from '../../config/schema-identity';
import type { FaceSkip, TrackRow } from '../manifests/manifest-types';
import type { BBox } from '../types';

export type { FaceSkip };
import { cosine, l2Normalise } from './face-embedder';
import { qualityScore, type EmbeddedFace, type FaceQuality } from './quality';
import { TrackSampler } from './sample-plan';


/** Why a sampled face stays out of the prototype, or undefined when it is kept. */
export function skipReason(conf: number, q: FaceQuality, cfg: EmbedConfig): FaceSkip | undefined {
  if (conf < cfg.min_conf) return 'conf';
  if (q.contrast < cfg.min_contrast) return 'contrast';
  if (q.sharpness < cfg.min_sharpness) return 'sharpness';
  return undefined;
}

/** A kept face's weight in the prototype (never 0, so one face still makes a prototype). */
export function faceWeight(conf: number, q: FaceQuality, cfg: EmbedConfig): number {
  return Math.max(qualityScore(conf, q, cfg.min_contrast, cfg.min_sharpness), 1e-6);
}

export interface WeightedFace {
  e: Float32Array;
  w: number;
}

/** Unit-length weighted mean of the kept faces, and their mean (1 − cosine) to it. */
export function weightedPrototype(kept: readonly WeightedFace[]): { embedding: Float32Array; spread: number } {
  const mean = new Float32Array(kept[0].e.length);
  for (const { e, w } of kept) for (let i = 0; i < mean.length; i++) mean[i] += w * e[i];
  l2Normalise(mean);
  const spread = kept.reduce((sum, { e }) => sum + (1 - cosine(e, mean)), 0) / kept.length;
  return { embedding: mean, spread };
}

/** A face the gate embedded on one of a track's frames; `conf` as written in detections.jsonl. */
export interface GateFace {
  frame_idx: number;
  conf: number;
  face: EmbeddedFace;
  /** As written in detections.jsonl; the recorder sets them so the face can become a faces.jsonl row (G3). */
  ts?: number;
  bbox_xyxy?: BBox;
}

/** One face of faces_embed's sample plan over a track's gate faces, and why it stays out of the prototype. */
export interface GatePick<F extends GateFace = GateFace> {
  face: F;
  skip?: FaceSkip;
}

export type GateFields = Pick<TrackRow, 'gate_embedding' | 'gate_model' | 'gate_samples' | 'gate_span'>;

/**
 * G3's fields of a track row: faces_embed's sample plan over the gate's faces (first to last),
 * its quality gates, and the weighted mean of the kept ones. `gate_span` is written even when
 * no face is kept, so that faces_embed samples the same faces and finds the same.
 */
export function gateFields(faces: readonly GateFace[], cfg: EmbedConfig, model: string): GateFields {
  return gatePrototype(faces, cfg, model).fields;
}

/** gateFields, and the sampled faces it was computed from (faces_embed writes them as rows under G3). */
export function gatePrototype<F extends GateFace>(faces: readonly F[], cfg: EmbedConfig, model: string): { fields: GateFields; picks: GatePick<F>[] } {
  if (faces.length === 0) return { fields: {}, picks: [] };
  const span: [number, number] = [faces[0].frame_idx, faces[faces.length - 1].frame_idx];
  const sampler = new TrackSampler<F>(span[0], span[1], cfg);
  for (const f of faces) sampler.offer(f);
  const picks = sampler.picks.map((face) => ({ face, skip: skipReason(face.conf, face.face.quality, cfg) }));
  const kept = picks.filter((p) => !p.skip).map(({ face: f }) => ({ e: f.face.embedding, w: faceWeight(f.conf, f.face.quality, cfg) }));
  const fields: GateFields = { gate_model: model, gate_samples: kept.length, gate_span: span };
  if (kept.length) fields.gate_embedding = Array.from(weightedPrototype(kept).embedding, (v) => Math.round(v * 1e6) / 1e6);
  return { fields, picks };
}
