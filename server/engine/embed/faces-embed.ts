// The faces_embed stage, over a finished run's manifests: sample faces per track, gate them on
// quality, embed the kept ones, and write
//   faces.jsonl        one row per sampled face: quality, a skip reason, or its embedding row
//   faces.f32(.json)   the embeddings, float32 little-endian, [rows, dim]
//   face_tracks.jsonl  one prototype per track: quality-weighted mean of its kept faces + spread
// A track the appearance gate embedded faces of (gate_span on its row) is sampled among those
// faces only, so that G3 on and off pick the same faces. G3: a track whose row carries a
// gate_embedding of this embedder's model reuses it as its prototype — the recorder computed it
// with this stage's own code (track-prototype.ts) on those faces — and none of its frames is
// decoded.
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
import { pickFrames } from './frame-picker';
import { faceQuality, qualityScore } from './quality';
import { TrackSampler } from './sample-plan';
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
  /** Sample only the faces the gate embedded. */
  gateOnly: boolean;
  /** Sampled faces not handled yet; the prototype is written when it reaches 0. */
  remaining: number;
  kept: { e: Float32Array; w: number }[];
}

export async function runFacesEmbed(opts: FacesEmbedOptions): Promise<FacesEmbedSummary> {
  const t0 = performance.now();
  const { manifestsDir, cfg, embedder } = opts;
  const tracks = await readTracks(join(manifestsDir, MANIFEST_FILES.tracks), cfg, embedder.modelId, opts.g3);
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
  try {
    for (const t of tracks.values()) {
      if (t.sampler) continue;
      s.reused++;
      finishTrack(t);
    }
    const frames = [...byFrame.keys()];
    const skip = (row: FaceRow, t: TrackInfo, why: FaceSkip) => {
      row.skip = why;
      s.skipped[why] = (s.skipped[why] ?? 0) + 1;
      facesOut.write(row);
      if (--t.remaining === 0) finishTrack(t);
    };
    const handled = new Set<number>();
    for await (const f of pickFrames(opts.ffmpegPath, opts.video, frames, opts.signal, opts.scratchDir)) {
      handled.add(f.index);
      s.frames_decoded++;
      for (const det of byFrame.get(f.index) ?? []) {
        const t = tracks.get(det.track_id)!;
        const row = faceRow(s.faces++, det);
        const region = cropRegion(f.rgb, opts.video.width, opts.video.height, det.bbox_xyxy);
        const q = faceQuality(region, det.bbox_xyxy);
        const score = qualityScore(det.conf, q, cfg.min_contrast, cfg.min_sharpness);
        row.quality = { score: round3(score), contrast: round3(q.contrast), sharpness: round3(q.sharpness) };
        const why = skipReason(det.conf, q, cfg);
        if (why) skip(row, t, why);
        else {
          const e = await embedder.embed(region, det.bbox_xyxy);
          dim = e.length;
          await vectors.write(new Uint8Array(e.buffer, e.byteOffset, e.byteLength));
          row.embedding_row = s.embedded++;
          t.kept.push({ e, w: faceWeight(det.conf, q, cfg) });
          facesOut.write(row);
          if (--t.remaining === 0) finishTrack(t);
        }
      }
      opts.onProgress?.({ frames_done: s.frames_decoded, frames_total: frames.length });
    }
    // Frames past the end of a damaged or shorter video.
    for (const idx of frames) {
      if (handled.has(idx)) continue;
      for (const det of byFrame.get(idx)!) skip(faceRow(s.faces++, det), tracks.get(det.track_id)!, 'not_decoded');
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
  }
}

async function readTracks(path: string, cfg: EmbedConfig, model: string, g3: boolean): Promise<Map<number, TrackInfo>> {
  const tracks = new Map<number, TrackInfo>();
  for await (const row of readJsonl<TrackRow>(path)) {
    const reuse = g3 && row.gate_model === model && Array.isArray(row.gate_embedding) && row.gate_embedding.length > 0;
    const slim = { track_id: row.track_id, gate_embedding: reuse ? row.gate_embedding : undefined, gate_samples: row.gate_samples };
    const [first, last] = row.gate_span ?? [row.first_frame_idx, row.last_frame_idx];
    const sampler = reuse ? undefined : new TrackSampler<DetectionRow>(first, last, cfg);
    tracks.set(row.track_id, { row: slim, sampler, gateOnly: !!row.gate_span, remaining: 0, kept: [] });
  }
  return tracks;
}

/** Streams detections.jsonl once; returns the sampled rows grouped by frame, in frame order. */
async function pickSamples(path: string, tracks: Map<number, TrackInfo>): Promise<Map<number, DetectionRow[]>> {
  for await (const det of readJsonl<DetectionRow>(path)) {
    const t = tracks.get(det.track_id);
    if (t?.sampler && (det.gate_embedded || !t.gateOnly)) t.sampler.offer(det);
  }
  const all: DetectionRow[] = [];
  for (const t of tracks.values()) {
    if (!t.sampler) continue;
    t.remaining = t.sampler.picks.length;
    all.push(...t.sampler.picks);
  }
  all.sort((a, b) => a.frame_idx - b.frame_idx);
  const byFrame = new Map<number, DetectionRow[]>();
  for (const d of all) byFrame.set(d.frame_idx, [...(byFrame.get(d.frame_idx) ?? []), d]);
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

function faceRow(faceId: number, det: DetectionRow): FaceRow {
  return { face_id: faceId, track_id: det.track_id, frame_idx: det.frame_idx, ts: det.ts, bbox_xyxy: det.bbox_xyxy, conf: roundConf(det.conf) };
}

async function* readJsonl<T>(path: string): AsyncGenerator<T> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) yield JSON.parse(line) as T;
}

const round3 = (v: number) => Math.round(v * 1e3) / 1e3;
const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
