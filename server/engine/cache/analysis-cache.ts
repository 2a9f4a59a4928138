// The analysis stage's cache entry: finding a valid one to replay, and building a new one while
// the stage runs live. See stage-key.ts for what the key covers and stage-store.ts for the
// on-disk safety (temp folder + rename, checksums).
import { rm } from 'node:fs/promises';
import type { EpisodeConfig } from '../../config/episode-config';
import type { AnalysisSummary } from '../analysis/analysis-source';
import type { VideoInfo } from '../types';
import { AnalysisWriter } from './analysis-file';
import { analysisInputs, binaryIdentity, engineCodeHash, fileIdentity, stageKey, type AnalysisInputs } from './stage-key';
import { beginEntry, checkEntry, commitEntry, entryDir, evictEntries, sha256Of, touchEntry, type StageManifest } from './stage-store';

export const ANALYSIS_STAGE = 'analysis';

export interface AnalysisManifest extends StageManifest {
  inputs: AnalysisInputs;
  rows: number;
  embeddings: number;
  embedding_dim: number;
  /** The embedder's model id, as the gate's prototypes carry it ('' without embeddings). */
  embedder_id: string;
  /** The probed video: a replay does not probe (probing starts ffmpeg). Its `path` is where it was then. */
  video: VideoInfo;
  summary: AnalysisSummary;
}

/** What the cache can do for this run's analysis stage. */
export interface AnalysisLookup {
  /** '' when the cache is off for this run. */
  key: string;
  dir: string;
  cacheRoot: string;
  inputs?: AnalysisInputs;
  /** A verified entry to replay. */
  hit?: AnalysisManifest;
  /** Whether the live stage should record a new entry. */
  record: boolean;
  /** Why the stage is not replayed; one line for the log. */
  reason?: string;
  /** A corrupt entry that was found (and removed): worth a warning. */
  corrupt?: string;
}

export interface LookupOptions {
  config: EpisodeConfig;
  /** The episode's cache folder (EpisodeLayout.cacheDir); the caller holds the episode's lock. */
  cacheRoot: string;
  /** The ffmpeg the stage would decode with. */
  ffmpegPath: string;
  detectorPath: string;
  /** The gate's models, when the gate is on. */
  embedder?: { landmark: string; feature: string };
  /** The face check's landmark model, when the check runs. */
  landmarkPath?: string;
}

export async function lookupAnalysis(o: LookupOptions): Promise<AnalysisLookup> {
  const { config, cacheRoot } = o;
  const off = (reason: string): AnalysisLookup => ({ key: '', dir: '', cacheRoot, record: false, reason });
  if (!config.cache.enabled) return off('--no-cache');
  // A missing or unreadable video is reported by the probe, with its usual message.
  const video = await fileIdentity(config.video).catch(() => undefined);
  if (!video) return off('video unreadable');
  const embedderSha = o.embedder ? `${await sha256Of(o.embedder.landmark)}+${await sha256Of(o.embedder.feature)}` : null;
  const ffmpeg = await binaryIdentity(o.ffmpegPath);
  const landmarkSha = o.landmarkPath ? await sha256Of(o.landmarkPath) : null;
  const inputs = analysisInputs(config, await engineCodeHash(), video, ffmpeg, await sha256Of(o.detectorPath), embedderSha, landmarkSha);
  const key = stageKey(inputs);
  const dir = entryDir(cacheRoot, ANALYSIS_STAGE, key);
  const check = await checkEntry<AnalysisManifest>(dir, key);
  // Crops and frames are JPEGs of decoded pixels, which the entry does not hold.
  const pixels = config.export.crops || config.export.frames;
  if (check.ok) {
    return pixels
      ? { key, dir, cacheRoot, inputs, record: false, reason: 'export.crops/export.frames need decoded frames' }
      : { key, dir, cacheRoot, inputs, record: false, hit: check.manifest };
  }
  if (check.absent) return { key, dir, cacheRoot, inputs, record: true, reason: 'not cached yet' };
  await rm(dir, { recursive: true, force: true });
  return { key, dir, cacheRoot, inputs, record: true, reason: `cache entry corrupt (${check.reason}), recomputing`, corrupt: check.reason };
}

/** A new entry being built in a temp folder; nothing is visible under the key until commit(). */
export class AnalysisRecording {
  private constructor(private readonly lookup: AnalysisLookup, private readonly tmp: string, readonly writer: AnalysisWriter) {}

  static async begin(lookup: AnalysisLookup): Promise<AnalysisRecording> {
    const tmp = await beginEntry(lookup.cacheRoot, ANALYSIS_STAGE, lookup.key);
    return new AnalysisRecording(lookup, tmp, new AnalysisWriter(tmp));
  }

  /** Publishes the entry, then evicts the least recently used beyond `keep`. */
  async commit(m: { video: VideoInfo; summary: AnalysisSummary; embedderId: string; embeddingDim: number; keep: number }): Promise<void> {
    const files = await this.writer.close();
    const manifest: AnalysisManifest = {
      stage: ANALYSIS_STAGE, key: this.lookup.key, inputs: this.lookup.inputs!, files, created_at: new Date().toISOString(),
      rows: this.writer.rows, embeddings: this.writer.embeddings, embedding_dim: m.embeddingDim, embedder_id: m.embedderId,
      video: m.video, summary: m.summary,
    };
    await commitEntry(this.tmp, this.lookup.dir, manifest);
    await evictEntries(this.lookup.cacheRoot, ANALYSIS_STAGE, m.keep);
  }

  /** A cancelled or failed stage: its partial rows are dropped. */
  async abandon(): Promise<void> {
    await this.writer.abandon();
    await rm(this.tmp, { recursive: true, force: true });
  }
}

/** A replayed entry counts as used now, so eviction keeps it. */
export const markUsed = (lookup: AnalysisLookup) => touchEntry(lookup.dir);
