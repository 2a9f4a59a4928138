// The identity stage, after faces_embed, over a finished run's manifests only (no pixels, no
// ffmpeg): so a change of `identity.*` or of the cast replays it from the files.
//   reads   tracks.jsonl, face_tracks.jsonl (prototypes), faces.jsonl (quality, best faces),
//           scene_cuts.json, the labels file, the cast folder (photos embedded once, cached)
//   writes  identities.json, screentime.json, screentime.csv, and tracks.jsonl again with an
//           `identity_id` on each row (null: unassigned)
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { IdentityConfig } from '../../config/schema-identity';
import { writeFileAtomic, writeJsonAtomic } from '../manifests/atomic-file';
import { JsonlWriter } from '../manifests/jsonl-writer';
import { frameFileName, MANIFEST_FILES, type EpisodeLayout } from '../manifests/layout';
import type { TrackRow } from '../manifests/manifest-types';
import type { IdentitySummary } from '../manifests/track-metrics';
import type { FaceRow, FaceTrackRow } from '../embed/faces-embed';
import { l2Normalise } from '../embed/face-embedder';
import { loadCast, nameIdentities, type CastModels } from './cast';
import { clusterTracks, type ClusterItem } from './cluster';
import { readLabels } from './labels';
import { screenTime, screenTimeCsv, type ScreenTimeRow } from './screen-time';

/** How many representative faces an identity lists. */
const REPRESENTATIVES = 5;

export interface IdentityFace {
  track_id: number;
  frame_idx: number;
  ts: number;
  bbox_xyxy: FaceRow['bbox_xyxy'];
  score: number;
  /** The exported crop of that face, when there is one (export.crops). */
  crop?: string;
}

export interface IdentityRecord {
  identity_id: number;
  name: string;
  /** True when the cast named it. */
  named: boolean;
  track_ids: number[];
  /** Unit-length mean of its tracks' prototypes, weighted by their kept faces. */
  prototype: number[];
  faces: IdentityFace[];
}

export interface IdentitiesFile {
  ep_id: string;
  model: string;
  threshold: number;
  identities: IdentityRecord[];
  unassigned_track_ids: number[];
}

export interface IdentityStageOptions {
  layout: EpisodeLayout;
  /** The manifests folder to read and write (the latest run's). */
  manifestsDir?: string;
  cfg: IdentityConfig;
  fps: number;
  /** Frames in the episode, for each person's share. */
  episodeFrames: number;
  /** The detector and embedder, loaded only when a cast photo is not in the cache. */
  castModels: () => Promise<CastModels>;
}

interface TrackFacts {
  span: [number, number];
  prototype?: Float32Array;
  kept: number;
  qualitySum: number;
  faces: number;
  best: IdentityFace[];
}

export async function runIdentityStage(opts: IdentityStageOptions): Promise<IdentitySummary> {
  const t0 = performance.now();
  const { layout, cfg } = opts;
  const dir = opts.manifestsDir ?? layout.manifestsDir;
  const file = (name: string) => join(dir, name);
  const names = MANIFEST_FILES;
  const warnings: string[] = [];

  const tracks = new Map<number, TrackFacts>();
  let epId = layout.epId;
  for await (const row of readJsonl<TrackRow>(file(names.tracks))) {
    epId = row.ep_id;
    tracks.set(row.track_id, { span: [row.first_frame_idx, row.last_frame_idx], kept: 0, qualitySum: 0, faces: 0, best: [] });
  }
  let model = '';
  if (existsSync(file(names.faceTracks))) {
    for await (const row of readJsonl<FaceTrackRow>(file(names.faceTracks))) {
      const t = tracks.get(row.track_id);
      model ||= row.model;
      if (t && row.embedding?.length) t.prototype = Float32Array.from(row.embedding);
    }
  }
  if (existsSync(file(names.faces))) {
    for await (const f of readJsonl<FaceRow>(file(names.faces))) {
      const t = tracks.get(f.track_id);
      if (!t) continue;
      t.faces++;
      if (f.embedding_row === undefined || !f.quality) continue;
      t.kept++;
      t.qualitySum += f.quality.score;
      t.best.push({ track_id: f.track_id, frame_idx: f.frame_idx, ts: f.ts, bbox_xyxy: f.bbox_xyxy, score: f.quality.score });
      t.best.sort((a, b) => b.score - a.score);
      if (t.best.length > REPRESENTATIVES) t.best.pop();
    }
  }

  const unassigned = { no_prototype: 0, low_quality: 0 };
  const items: ClusterItem[] = [];
  for (const [id, t] of tracks) {
    if (!t.prototype) unassigned.no_prototype++;
    else if ((t.kept ? t.qualitySum / t.kept : 0) < cfg.min_track_quality) unassigned.low_quality++;
    else items.push({ id, embedding: t.prototype, span: t.span });
  }
  const labels = await readLabels(cfg.labels);
  warnings.push(...labels.warnings);
  const groups = clusterTracks(items, { threshold: cfg.threshold, mustLink: labels.must_link, cannotLink: labels.cannot_link });

  // Identities in order of first appearance, numbered from 1.
  groups.sort((a, b) => firstFrame(a, tracks) - firstFrame(b, tracks) || a[0] - b[0]);
  const records: IdentityRecord[] = groups.map((trackIds, i) => ({
    identity_id: i + 1, name: `unknown-${i + 1}`, named: false, track_ids: trackIds,
    prototype: Array.from(groupPrototype(trackIds, tracks), round6), faces: representatives(trackIds, tracks, layout),
  }));

  const cast = existsSync(cfg.cast_dir) && model
    ? await loadCast(cfg.cast_dir, { cacheDir: layout.castCacheDir, models: opts.castModels, embedderId: model })
    : { members: [], warnings: [], embedded: 0 };
  warnings.push(...cast.warnings);
  const named = nameIdentities(records.map((r) => ({ id: r.identity_id, embedding: r.prototype })), cast.members, cfg.cast_threshold);
  for (const r of records) {
    const name = named.get(r.identity_id);
    if (name) Object.assign(r, { name, named: true });
  }

  const identityOf = new Map<number, number>();
  for (const r of records) for (const t of r.track_ids) identityOf.set(t, r.identity_id);
  const cuts = await readFile(file(names.cuts), 'utf8').then((t) => (JSON.parse(t).cuts as number[]) ?? [], () => []);
  const rows = screenTime(records.map((r) => ({
    identity_id: r.identity_id, name: r.name,
    tracks: r.track_ids.map((id) => ({ first_frame_idx: tracks.get(id)!.span[0], last_frame_idx: tracks.get(id)!.span[1] })),
    faces_count: r.track_ids.reduce((n, id) => n + tracks.get(id)!.faces, 0),
  })), opts.fps, opts.episodeFrames, [...cuts].sort((a, b) => a - b));

  await writeTracksWithIdentity(file(names.tracks), identityOf);
  const doc: IdentitiesFile = {
    ep_id: epId, model, threshold: cfg.threshold, identities: records,
    unassigned_track_ids: [...tracks.keys()].filter((id) => !identityOf.has(id)),
  };
  await writeJsonAtomic(file(names.identities), doc);
  await writeJsonAtomic(file(names.screentime), { episode_id: epId, generated_at: new Date().toISOString(), fps: opts.fps, episode_s: round3(opts.episodeFrames / opts.fps), metrics: rows });
  await writeFileAtomic(file(names.screentimeCsv), screenTimeCsv(rows));
  return {
    identities: records.length, tracks: tracks.size, tracks_assigned: identityOf.size, tracks_unassigned: unassigned,
    cast_members: cast.members.length, named: named.size, cast_photos_embedded: cast.embedded, warnings,
    top: rows.slice(0, 10).map((r: ScreenTimeRow) => ({ identity_id: r.identity_id, name: r.name, visual_s: r.visual_s })),
    wall_s: round3((performance.now() - t0) / 1000),
  };
}

function firstFrame(ids: number[], tracks: Map<number, TrackFacts>): number {
  return Math.min(...ids.map((id) => tracks.get(id)!.span[0]));
}

function groupPrototype(ids: number[], tracks: Map<number, TrackFacts>): Float32Array {
  const first = tracks.get(ids[0])!.prototype!;
  const mean = new Float32Array(first.length);
  for (const id of ids) {
    const t = tracks.get(id)!;
    const w = Math.max(1, t.kept);
    for (let i = 0; i < mean.length; i++) mean[i] += w * t.prototype![i];
  }
  return l2Normalise(mean);
}

/** The best faces of an identity, one per track in turn (so they show its variety), best first. */
function representatives(ids: number[], tracks: Map<number, TrackFacts>, layout: EpisodeLayout): IdentityFace[] {
  const lists = ids.map((id) => [...tracks.get(id)!.best]).sort((a, b) => (b[0]?.score ?? 0) - (a[0]?.score ?? 0));
  const out: IdentityFace[] = [];
  for (let round = 0; out.length < REPRESENTATIVES && lists.some((l) => l.length > round); round++) {
    for (const l of lists) if (l[round] && out.length < REPRESENTATIVES) out.push(l[round]);
  }
  return out.map((f) => {
    const crop = join(layout.trackCropsDir(f.track_id), frameFileName(f.frame_idx));
    return existsSync(crop) ? { ...f, crop } : f;
  });
}

async function writeTracksWithIdentity(path: string, identityOf: Map<number, number>): Promise<void> {
  const out = new JsonlWriter<TrackRow & { identity_id: number | null }>(path);
  try {
    for await (const row of readJsonl<TrackRow>(path)) {
      if (!out.write({ ...row, identity_id: identityOf.get(row.track_id) ?? null })) await out.drain();
    }
    await out.close();
  } catch (e) {
    await out.abandon();
    throw e;
  }
}

async function* readJsonl<T>(path: string): AsyncGenerator<T> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) yield JSON.parse(line) as T;
}

const round3 = (v: number) => Math.round(v * 1e3) / 1e3;
const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
