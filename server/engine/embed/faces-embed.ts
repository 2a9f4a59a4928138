// The faces_embed stage, over a finished run's manifests: sample faces per track, gate them on
// quality, embed the kept ones, and write
//   faces.jsonl        one row per sampled face: quality, a skip reason, or its embedding row
//   faces.f32(.json)   the embeddings, float32 little-endian, [rows, dim]
//   face_tracks.jsonl  one prototype per track: quality-weighted mean of its kept faces + spread
// A track the appearance gate embedded faces of (gate_span on its row) is sampled among those
// faces only, so that G3 on and off pick the same faces. G3: a track whose row carries a
// gate_embedding of this embedder's model reuses it as its prototype — the recorder computed it
// with this stage's own code (track-prototype.ts) on those faces — and its sampled faces come
// from gate_faces.jsonl as rows and vectors, as without G3; none of its frames is decoded.
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { EmbedConfig } from '../../config/schema-identity';
import { tempPathFor, writeJsonAtomic } from '../manifests/atomic-file';
import { JsonlWriter } from '../manifests/jsonl-writer';
import { MANIFEST_FILES } from '../manifests/layout';
import { roundConf, type BBoxSample, type DetectionRow, type TrackRow } from '../manifests/manifest-types';
import type { VideoInfo } from '../types';
import { cropRegion } from './align';
import type { FaceEmbedder } from './face-embedder';
import { pickFrames, type PickedFrame } from './frame-picker';
import { readGateFaces, type StoredGateFace } from './gate-faces';
import { faceQuality, qualityScore, type FaceQuality } from './quality';
import { EvenSubset, gateFacesKept, TrackSampler } from './sample-plan';
import { faceWeight, skipReason, weightedPrototype, type FaceSkip } from './track-prototype';
import type { FacesEmbedSummary } from '../manifests/track-metrics';

export interface FaceRow {
  face_id: number;
  track_id: number;
  frame_idx: number;
  ts: number;
  bbox_xyxy: BBoxSample['bbox_xyxy'];
  conf: number;
  /** score (the prototype weight, 0–1), contrast, sharpness; absent when not decoded. */
  quality?: { score: number; contrast: number; sharpness: number };
  skip?: FaceSkip;
  /** Row of faces.f32 holding this face's embedding. */
  embedding_row?: number;
}

export interface FaceTrackRow {
  track_id: number;
  source: 'faces' | 'gate';
  model: string;
  /** Faces sampled (faces) or embeddings merged by the gate (gate). */
  samples: number;
  kept: number;
  embedding?: number[];
  /** Mean (1 − cosine) of the kept faces to the prototype; 0 for one face; absent for reused tracks. */
  spread?: number;
  skip?: 'no_usable_faces';
}

export interface FacesEmbedOptions {
  /** <output_root>/<ep_id>/manifests of a finished run. */
  manifestsDir: string;
  /** Where temp files go (pickFrames); default the system temp folder. */
  scratchDir?: string;
  video: VideoInfo;
  ffmpegPath: string;
  embedder: Pick<FaceEmbedder, 'modelId' | 'embed'>;
  cfg: EmbedConfig;
  /** G3: reuse gate embeddings of the same model. */
  g3: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { frames_done: number; frames_total: number }) => void;
}


interface TrackInfo {
  row: Pick<TrackRow, 'track_id' | 'gate_embedding' | 'gate_samples'>;
  sampler?: TrackSampler<DetectionRow>;
  /** Sample only the faces the gate embedded, among those the recorder kept of them (the same EvenSubset). */
  gateFaces?: EvenSubset<DetectionRow>;
  /** G3: the gate's sampled faces of a reused track, written as rows without decoding. */
  stored?: StoredGateFace[];
  /** Sampled faces not handled yet; the prototype is written when it reaches 0. */
  remaining: number;
  kept: { e: Float32Array; w: number }[];
}

export async function runFacesEmbed(opts: FacesEmbedOptions): Promise<FacesEmbedSummary> {
  const t0 = performance.now();
  const { manifestsDir, cfg, embedder } = opts;
  const tracks = await readTracks(manifestsDir, cfg, embedder.modelId, opts.g3);
  const byFrame = await pickSamples(join(manifestsDir, MANIFEST_FILES.detections), tracks);

  const facesOut = new JsonlWriter<FaceRow>(join(manifestsDir, MANIFEST_FILES.faces));
  const tracksOut = new JsonlWriter<FaceTrackRow>(join(manifestsDir, MANIFEST_FILES.faceTracks));
  const vectorsPath = join(manifestsDir, MANIFEST_FILES.faceVectors);
  const vectorsTmp = tempPathFor(vectorsPath);
  const vectors = await open(vectorsTmp, 'w');
  const s: FacesEmbedSummary = { tracks: tracks.size, reused: 0, faces: 0, embedded: 0, skipped: {}, tracks_without_faces: 0, frames_decoded: 0, wall_s: 0 };
  let dim = 0;
  const finishTrack = (t: TrackInfo) => {
    const row = prototypeRow(t, embedder.modelId);
    if (row.skip) s.tracks_without_faces++;
    tracksOut.write(row);
  };
  const done = (row: FaceRow, t: TrackInfo) => {
    facesOut.write(row);
    if (--t.remaining === 0) finishTrack(t);
  };
  const skip = (row: FaceRow, t: TrackInfo, why: FaceSkip) => {
    row.skip = why;
    s.skipped[why] = (s.skipped[why] ?? 0) + 1;
    done(row, t);
  };
  const keep = async (row: FaceRow, t: TrackInfo, e: Float32Array, w: number) => {
    dim = e.length;
    await vectors.write(new Uint8Array(e.buffer, e.byteOffset, e.byteLength));
    row.embedding_row = s.embedded++;
    if (t.sampler) t.kept.push({ e, w });
    done(row, t);
  };
  // Rows go out in frame order, tracks in tracks.jsonl order within a frame, G3 or not; only
  // frames holding a face that is not reused are decoded.
  const frames = [...byFrame.keys()];
  const toDecode = frames.filter((idx) => byFrame.get(idx)!.some((p) => !p.gate));
  const decoded = pickFrames(opts.ffmpegPath, opts.video, toDecode, opts.signal, opts.scratchDir);
  try {
    for (const t of tracks.values()) {
      if (t.sampler) continue;
      s.reused++;
      if (t.remaining === 0) finishTrack(t);
    }
    let next = toDecode.length ? await decoded.next() : undefined;
    for (const idx of frames) {
      let frame: PickedFrame | undefined;
      // Frames come in ascending order; past the end of a damaged or shorter video they stop.
      while (next && !next.done && next.value.index < idx) next = await decoded.next();
      if (next && !next.done && next.value.index === idx) {
        frame = next.value;
        s.frames_decoded++;
        next = await decoded.next();
      }
      for (const { det, gate } of byFrame.get(idx)!) {
        const t = tracks.get(det.track_id)!;
        const row = faceRow(s.faces++, det);
        if (gate) {
          row.quality = qualityRow(det.conf, gate.quality, cfg);
          if (gate.skip || !gate.embedding) skip(row, t, gate.skip ?? 'conf');
          else await keep(row, t, gate.embedding, faceWeight(det.conf, gate.quality, cfg));
          continue;
        }
        if (!frame) {
          skip(row, t, 'not_decoded');
          continue;
        }
        const region = cropRegion(frame.rgb, opts.video.width, opts.video.height, det.bbox_xyxy);
        const q = faceQuality(region, det.bbox_xyxy);
        row.quality = qualityRow(det.conf, q, cfg);
        const why = skipReason(det.conf, q, cfg);
        if (why) skip(row, t, why);
        else await keep(row, t, await embedder.embed(region, det.bbox_xyxy), faceWeight(det.conf, q, cfg));
      }
      if (frame) opts.onProgress?.({ frames_done: s.frames_decoded, frames_total: toDecode.length });
    }
    await vectors.sync();
    await vectors.close();
    await Promise.all([facesOut.close(), tracksOut.close()]);
    await rename(vectorsTmp, vectorsPath);
    s.wall_s = round3((performance.now() - t0) / 1000);
    await writeJsonAtomic(join(manifestsDir, MANIFEST_FILES.faceVectorsShape), {
      dtype: 'float32', byte_order: 'little', shape: [s.embedded, dim || 512], model: embedder.modelId,
    });
    return s;
  } catch (err) {
    await vectors.close().catch(() => undefined);
    await rm(vectorsTmp, { force: true });
    await Promise.all([facesOut.abandon(), tracksOut.abandon()]);
    throw err;
  } finally {
    await decoded.return(undefined);
  }
}

/** A face to write: its detection, and under G3 the gate's quality and embedding of it. */
interface Sample {
  det: Pick<DetectionRow, 'track_id' | 'frame_idx' | 'ts' | 'bbox_xyxy' | 'conf'>;
  gate?: StoredGateFace;
}

async function readTracks(manifestsDir: string, cfg: EmbedConfig, model: string, g3: boolean): Promise<Map<number, TrackInfo>> {
  const rows: Pick<TrackRow, 'track_id' | 'gate_embedding' | 'gate_samples' | 'gate_span' | 'first_frame_idx' | 'last_frame_idx'>[] = [];
  const reusable = new Set<number>();
  for await (const row of readJsonl<TrackRow>(join(manifestsDir, MANIFEST_FILES.tracks))) {
    const { track_id, gate_embedding, gate_samples, gate_span, first_frame_idx, last_frame_idx } = row;
    rows.push({ track_id, gate_embedding, gate_samples, gate_span, first_frame_idx, last_frame_idx });
    if (g3 && row.gate_model === model && Array.isArray(gate_embedding) && gate_embedding.length > 0) reusable.add(track_id);
  }
  // A track is reused only with its faces at hand (a run before gate_faces.jsonl existed decodes them).
  const gateFaces = reusable.size ? await readGateFaces(join(manifestsDir, MANIFEST_FILES.gateFaces), (id) => reusable.has(id)) : new Map();
  const tracks = new Map<number, TrackInfo>();
  for (const row of rows) {
    const faces = gateFaces.get(row.track_id);
    const slim = { track_id: row.track_id, gate_embedding: faces ? row.gate_embedding : undefined, gate_samples: row.gate_samples };
    const [first, last] = row.gate_span ?? [row.first_frame_idx, row.last_frame_idx];
    const sampler = faces ? undefined : new TrackSampler<DetectionRow>(first, last, cfg);
    const gateSubset = sampler && row.gate_span ? new EvenSubset<DetectionRow>(gateFacesKept(cfg)) : undefined;
    tracks.set(row.track_id, { row: slim, sampler, gateFaces: gateSubset, stored: faces, remaining: faces?.length ?? 0, kept: [] });
  }
  return tracks;
}

/** Streams detections.jsonl once; returns the faces to write grouped by frame, in frame order. */
async function pickSamples(path: string, tracks: Map<number, TrackInfo>): Promise<Map<number, Sample[]>> {
  for await (const det of readJsonl<DetectionRow>(path)) {
    const t = tracks.get(det.track_id);
    if (t?.gateFaces) {
      if (det.gate_embedded) t.gateFaces.offer(det);
    } else t?.sampler?.offer(det);
  }
  const all: Sample[] = [];
  for (const t of tracks.values()) {
    if (t.stored) {
      for (const gate of t.stored) all.push({ det: { ...gate, track_id: t.row.track_id }, gate });
      continue;
    }
    if (!t.sampler) continue;
    for (const det of t.gateFaces?.items ?? []) t.sampler.offer(det);
    t.remaining = t.sampler.picks.length;
    for (const det of t.sampler.picks) all.push({ det });
  }
  all.sort((a, b) => a.det.frame_idx - b.det.frame_idx);
  const byFrame = new Map<number, Sample[]>();
  for (const p of all) {
    const list = byFrame.get(p.det.frame_idx);
    if (list) list.push(p);
    else byFrame.set(p.det.frame_idx, [p]);
  }
  return byFrame;
}

function prototypeRow(t: TrackInfo, model: string): FaceTrackRow {
  const { row } = t;
  if (!t.sampler) {
    return { track_id: row.track_id, source: 'gate', model, samples: row.gate_samples ?? 1, kept: row.gate_samples ?? 1, embedding: row.gate_embedding };
  }
  const base = { track_id: row.track_id, source: 'faces' as const, model, samples: t.sampler.picks.length, kept: t.kept.length };
  if (t.kept.length === 0) return { ...base, skip: 'no_usable_faces' };
  const { embedding, spread } = weightedPrototype(t.kept);
  t.kept = [];
  return { ...base, embedding: Array.from(embedding, round6), spread: round3(spread) };
}

function faceRow(faceId: number, det: Sample['det']): FaceRow {
  return { face_id: faceId, track_id: det.track_id, frame_idx: det.frame_idx, ts: det.ts, bbox_xyxy: det.bbox_xyxy, conf: roundConf(det.conf) };
}

async function* readJsonl<T>(path: string): AsyncGenerator<T> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) yield JSON.parse(line) as T;
}

const qualityRow = (conf: number, q: FaceQuality, cfg: EmbedConfig) =>
  ({ score: round3(qualityScore(conf, q, cfg.min_contrast, cfg.min_sharpness)), contrast: round3(q.contrast), sharpness: round3(q.sharpness) });
const round3 = (v: number) => Math.round(v * 1e3) / 1e3;
const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
