// The on-disk layout of an episode, in one place. Everything a run keeps lives under
// <output_root>/<ep_id>/, and every path under it is built here:
//
//   <output_root>/<ep_id>/
//     episode.lock/owner.json        the run holding the episode (episode-lock.ts)
//     manifests/                     the latest run: MANIFEST_FILES (+ `.partial` while written)
//     runs/<run_id>/manifests/       each recorded run's manifests (hard links)
//     runs.json                      the run history's index
//     sweep.csv                      the last sweep's table
//     cache/<stage>-<key>/           stage cache entries (cache/stage-store.ts)
//     cache/cast/<sha256>.json       cast photo embeddings by content (identity/cast.ts)
//     crops/track_NNNN/frame_NNNNNN.jpg + index.json
//     frames/frame_NNNNNN.jpg + index.json
//     stills/<video key>/frame_NNNNNN.jpg   single frames decoded for the frame view (a cache)
//     .scratch/                      temp files of a run in progress (removed by the next run)
//
// The ids that name folders (ep_id, run ids) are checked here, and every path this module hands
// out is checked to lie inside the episode folder: an id such as `..` can never reach a folder
// the engine does not own. Pure path logic, no file I/O, so the extension can import it.
import * as path from 'node:path';
import { idProblem } from './ids';

export { ID_MAX_LENGTH, ID_PATTERN, ID_RULE, idProblem } from './ids';

export class LayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayoutError';
  }
}

function checkId(what: string, id: unknown): string {
  const problem = idProblem(what, id);
  if (problem) throw new LayoutError(problem);
  return id as string;
}

/**
 * The files of a manifests folder (the latest run's, and each recorded run's). A new manifest
 * file gets its name here, and only here: a run then clears it before it starts, the history
 * keeps it with the run, and readers find it by its key.
 */
export const MANIFEST_FILES = {
  detections: 'detections.jsonl',
  tracks: 'tracks.jsonl',
  metrics: 'track_metrics.json',
  cuts: 'scene_cuts.json',
  sceneScores: 'scene_scores.json',
  progress: 'progress.json',
  faces: 'faces.jsonl',
  faceVectors: 'faces.f32',
  faceVectorsShape: 'faces.f32.json',
  faceTracks: 'face_tracks.jsonl',
  evaluation: 'eval.json',
  evalFrames: 'eval_frames.jsonl',
  gateFaces: 'gate_faces.jsonl',
  identities: 'identities.json',
  screentime: 'screentime.json',
  screentimeCsv: 'screentime.csv',
  identityEval: 'identity_eval.json',
} as const;

export type ManifestKey = keyof typeof MANIFEST_FILES;

/** The suffix of a JSON-lines manifest while it is being written (jsonl-writer.ts). */
export const PARTIAL_SUFFIX = '.partial';

/** Names of what the engine writes into crops/ and frames/; nothing else there is removed. */
export const frameFileName = (frameIdx: number): string => `frame_${String(frameIdx).padStart(6, '0')}.jpg`;
export const trackDirName = (trackId: number): string => `track_${String(trackId).padStart(4, '0')}`;
export const INDEX_FILE = 'index.json';
const FRAME_FILE_RE = /^frame_\d{6,}\.jpg$/;
const TRACK_DIR_RE = /^track_\d{4,}$/;
export const isFrameFile = (name: string) => FRAME_FILE_RE.test(name) || name === INDEX_FILE;
export const isTrackDir = (name: string) => TRACK_DIR_RE.test(name);

/** Whether absolute path `p` lies strictly inside folder `dir` (by their names: symlinks are not followed). */
export function isWithin(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

export class EpisodeLayout {
  /** <output_root>/<ep_id>, absolute. */
  readonly dir: string;

  /** Throws a LayoutError when ep_id cannot name a folder. */
  constructor(outputRoot: string, readonly epId: string) {
    checkId('ep_id', epId);
    this.dir = path.join(path.resolve(outputRoot), epId);
  }

  /** The layout of an existing episode folder (its name is the ep_id). */
  static of(episodeDir: string): EpisodeLayout {
    const dir = path.resolve(episodeDir);
    return new EpisodeLayout(path.dirname(dir), path.basename(dir));
  }

  get outputRoot(): string {
    return path.dirname(this.dir);
  }

  get manifestsDir(): string {
    return this.at('manifests');
  }

  /** A file of the latest run's manifests. */
  manifest(key: ManifestKey): string {
    return this.at('manifests', MANIFEST_FILES[key]);
  }

  get runsDir(): string {
    return this.at('runs');
  }

  get runsIndex(): string {
    return this.at('runs.json');
  }

  /** runs/<run_id>; throws a LayoutError on an id that cannot name a folder. */
  runDir(runId: string): string {
    return this.at('runs', checkId('run id', runId));
  }

  runManifestsDir(runId: string): string {
    return path.join(this.runDir(runId), 'manifests');
  }

  /** A file of a recorded run's manifests. */
  runManifest(runId: string, key: ManifestKey): string {
    return path.join(this.runManifestsDir(runId), MANIFEST_FILES[key]);
  }

  /** The manifests of a recorded run, or without a run id the latest run's. */
  manifestsOf(runId?: string): string {
    return runId === undefined ? this.manifestsDir : this.runManifestsDir(runId);
  }

  /** Where a recorded run is assembled before it is renamed into runs/. */
  runTempDir(runId: string): string {
    return this.at('runs', `.${checkId('run id', runId)}.tmp`);
  }

  get sweepCsv(): string {
    return this.at('sweep.csv');
  }

  get cacheDir(): string {
    return this.at('cache');
  }

  /** Cast photo embeddings, cached by content (identity/cast.ts). */
  get castCacheDir(): string {
    return this.at('cache', 'cast');
  }

  get cropsDir(): string {
    return this.at('crops');
  }

  trackCropsDir(trackId: number): string {
    if (!Number.isSafeInteger(trackId) || trackId < 0) throw new LayoutError(`track id must be a whole number ≥ 0, got ${String(trackId)}`);
    return this.at('crops', trackDirName(trackId));
  }

  get framesDir(): string {
    return this.at('frames');
  }

  /**
   * A frame decoded on demand (the frame view's cache), keyed by the video it came from
   * (a hex digest of its path, size and mtime), so a replaced video never shows stale pixels.
   */
  still(videoKey: string, frameIdx: number): string {
    if (!/^[0-9a-f]{8,64}$/.test(videoKey)) throw new LayoutError(`video key must be 8–64 lowercase hex digits, got ${JSON.stringify(videoKey)}`);
    if (!Number.isSafeInteger(frameIdx) || frameIdx < 0) throw new LayoutError(`frame index must be a whole number ≥ 0, got ${String(frameIdx)}`);
    return this.at('stills', videoKey, frameFileName(frameIdx));
  }

  get lockDir(): string {
    return this.at('episode.lock');
  }

  /** Temp files of the run in progress; the next run removes whatever a killed one left here. */
  get scratchDir(): string {
    return this.at('.scratch');
  }

  /**
   * `p` resolved, when it lies inside the episode folder (the folder itself excluded); else a
   * LayoutError. Everything that deletes under the episode folder asks this first.
   */
  inside(p: string): string {
    const abs = path.resolve(p);
    if (!isWithin(this.dir, abs)) throw new LayoutError(`${abs} is outside the episode folder ${this.dir}`);
    return abs;
  }

  private at(...parts: string[]): string {
    return this.inside(path.join(this.dir, ...parts));
  }
}
