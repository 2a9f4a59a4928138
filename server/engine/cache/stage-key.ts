// The key of the "analysis" stage (decode → scene cuts → detection → face embeddings): a sha256
// over exactly the inputs that decide its output. Anything left out here must not change which
// frames are analysed, their boxes or their embeddings; anything put in only costs a recompute.
import { createHash } from 'node:crypto';
import { open, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DetectorConfig, EpisodeConfig, SceneConfig } from '../../config/episode-config';
import { faceCheckRuns } from '../run-plan';
import { canonicalJson } from './canonical-json';
import { SMALL_HEIGHT, SMALL_SWS_FLAGS, SMALL_WIDTH } from '../decode/frame-source';

/** Bump when the cache file format changes. Code changes are caught by `engine` below. */
export const ANALYSIS_VERSION = 4;

/**
 * sha256 of the engine's code: the bundle running this (dist/cli.js or dist/server.js) and the
 * worker bundles beside it. Decode, detection post-processing and face alignment
 * are code, and a change there (an upgrade, a rebuild with other sources) must not replay
 * entries made by the old code. esbuild output is deterministic, so an unchanged build keeps
 * its entries. Under tsx (sources, not bundles) this hashes only this file.
 */
export async function engineCodeHash(): Promise<string> {
  const h = createHash('sha256');
  for (const file of [__filename, ...['embed-worker.js', 'decode-worker.js'].map((w) => join(dirname(__filename), w))]) {
    h.update(await readFile(file).catch(() => Buffer.alloc(0)));
  }
  return h.digest('hex');
}

const MIB = 1 << 20;

/**
 * Identifies a file without reading all of it: a 40-minute episode is gigabytes. Any ordinary
 * write changes the mtime; a replaced file changes its size or its first or last MiB.
 */
export interface FileIdentity {
  size: number;
  mtime_ms: number;
  /** sha256 of the first and of the last MiB (the same bytes when the file is smaller). */
  head_sha256: string;
  tail_sha256: string;
}

export async function fileIdentity(file: string): Promise<FileIdentity> {
  const st = await stat(file);
  const fh = await open(file, 'r');
  try {
    const part = async (position: number) => {
      const buf = Buffer.alloc(Math.min(MIB, st.size));
      const { bytesRead } = await fh.read(buf, 0, buf.length, position);
      return createHash('sha256').update(buf.subarray(0, bytesRead)).digest('hex');
    };
    return { size: st.size, mtime_ms: st.mtimeMs, head_sha256: await part(0), tail_sha256: await part(Math.max(0, st.size - MIB)) };
  } finally {
    await fh.close();
  }
}

/** The ffmpeg that decodes: its resolved path and its file, so another build (or an upgrade in place) never replays this one's frames. */
export type BinaryIdentity = FileIdentity & { path: string };

export async function binaryIdentity(file: string): Promise<BinaryIdentity> {
  const real = await realpath(file);
  return { path: real, ...(await fileIdentity(real)) };
}

export interface AnalysisInputs {
  version: number;
  /** engineCodeHash() */
  engine: string;
  /** The video's content, not its path: a moved video still replays (the run then reads it at its new path). */
  video: FileIdentity;
  ffmpeg: BinaryIdentity;
  /**
   * Sampling as configured, not the effective stride: that one needs the probed frame rate,
   * and a cached re-run must not start ffmpeg to probe. The video identity fixes the frame rate,
   * so (stride, fps) decide the effective stride, and the mode its fallback on variable rates.
   */
  sampling: { stride: number; fps: number | null; mode: string };
  /** Small-stream geometry and scaler: the detector and the scene detector read those pixels. */
  decode: { small: [number, number]; sws_flags: string };
  /**
   * Cuts decide the warm-up frames, so every scene setting is in, F1 included. D1 is not: it
   * only changes where unsampled frames are dropped; used frames are byte-identical.
   */
  scene: SceneConfig;
  /**
   * Tile settings and the face check's, where they act: auto_tiles only with `tiles: auto`, verify
   * (with the landmark model's sha256) only when the check runs (faceCheckRuns).
   */
  detector: {
    sha256: string; conf_threshold: number; nms_iou: number; min_size: number; tiles: [number, number] | 'auto';
    auto_tiles?: DetectorConfig['auto_tiles'];
    verify?: DetectorConfig['verify'] & { landmark_sha256: string };
  };
  /**
   * sha256 of the landmark and feature models when the gate is on (the entry then holds an
   * embedding of every detection on full frames), null when the entry holds no embeddings.
   */
  embedder: string | null;
}

export function analysisInputs(
  cfg: EpisodeConfig, engine: string, video: FileIdentity, ffmpeg: BinaryIdentity, detectorSha: string, embedderSha: string | null,
  landmarkSha: string | null = null,
): AnalysisInputs {
  const s = cfg.scene;
  const d = cfg.detector;
  return {
    version: ANALYSIS_VERSION,
    engine,
    video,
    ffmpeg,
    sampling: { stride: cfg.stride, fps: cfg.fps ?? null, mode: cfg.sampling },
    decode: { small: [SMALL_WIDTH, SMALL_HEIGHT], sws_flags: SMALL_SWS_FLAGS },
    scene: { ...s, cooldown: cfg.optimizations.f1 ? s.cooldown : 0 },
    detector: {
      sha256: detectorSha, conf_threshold: d.conf_threshold, nms_iou: d.nms_iou, min_size: d.min_size,
      tiles: d.tiles === 'auto' ? 'auto' : [d.tiles[0], d.tiles[1]],
      auto_tiles: d.tiles === 'auto' ? structuredClone(d.auto_tiles) : undefined,
      verify: faceCheckRuns(d) ? { ...d.verify, landmark_sha256: landmarkSha ?? '' } : undefined,
    },
    embedder: embedderSha,
  };
}

/** sha256 of the inputs as canonical JSON (keys sorted, so field order never matters). */
export function stageKey(inputs: unknown): string {
  return createHash('sha256').update(canonicalJson(inputs)).digest('hex');
}
