// Reads a run's manifests into what the timeline page needs. No `vscode` import, so tests and
// other hosts can use it.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { RunState } from '../server/engine/events';
import { runManifestsDir } from '../server/engine/history/run-history';
import type { RunSnapshot } from '../webview/protocol';
import { parseTracksJsonl } from '../webview/tracks';

/** A recorded run's manifests (runs/<id>/manifests), or without an id the latest run's (manifests/). */
export const manifestsDir = (outDir: string, runId?: string) => (runId ? runManifestsDir(outDir, runId) : path.join(outDir, 'manifests'));

export const tracksPath = (outDir: string, runId?: string) => path.join(manifestsDir(outDir, runId), 'tracks.jsonl');

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

interface MetricsFile {
  state?: RunState;
  stats?: { frames_decoded?: number };
  video?: { fps?: number; path?: string };
}

/**
 * Whatever of the run is on disk; a missing file just leaves its part empty. `runId` reads a
 * recorded run from the history instead of the latest one.
 */
export async function readRunSnapshot(outDir: string, epId: string, video?: string, runId?: string): Promise<RunSnapshot> {
  const dir = manifestsDir(outDir, runId);
  // A failed run leaves tracks.jsonl.partial; still worth drawing.
  const tracks = tracksPath(outDir, runId);
  const tracksFile = [tracks, tracks + '.partial'].find((f) => existsSync(f));
  const [tracksText, cuts, metrics, progress] = await Promise.all([
    tracksFile ? readFile(tracksFile, 'utf8') : '',
    readJson<{ cuts?: number[]; suppressed?: number[]; fps?: number }>(path.join(dir, 'scene_cuts.json')),
    readJson<MetricsFile>(path.join(dir, 'track_metrics.json')),
    readJson<{ state?: RunState }>(path.join(dir, 'progress.json')),
  ]);
  return {
    epId,
    state: progress?.state ?? metrics?.state ?? (tracksFile ? 'completed' : 'none'),
    tracks: parseTracksJsonl(tracksText),
    cuts: cuts?.cuts ?? [],
    suppressed: cuts?.suppressed ?? [],
    fps: metrics?.video?.fps ?? cuts?.fps,
    framesTotal: metrics?.stats?.frames_decoded,
    attribution: attributionFor(metrics?.video?.path ?? video),
  };
}

export interface CropFile {
  file: string;
  frame_idx: number;
}

/** Up to `max` crops of a track, spread evenly over its index.json. */
export async function readCrops(outDir: string, trackId: number, max = 24): Promise<CropFile[]> {
  const dir = path.join(outDir, 'crops', `track_${String(trackId).padStart(4, '0')}`);
  const index = await readJson<{ file: string; frame_idx: number }[]>(path.join(dir, 'index.json'));
  if (!Array.isArray(index)) return [];
  const step = Math.max(1, index.length / max);
  const picked: CropFile[] = [];
  for (let i = 0; i < index.length && picked.length < max; i += step) {
    const c = index[Math.floor(i)];
    picked.push({ file: path.join(dir, c.file), frame_idx: c.frame_idx });
  }
  return picked;
}

/** The 1-based line of a track's row in the tracks.jsonl of a run (default the latest), if it is there. */
export async function trackLine(outDir: string, trackId: number, runId?: string): Promise<number | undefined> {
  const text = await readFile(tracksPath(outDir, runId), 'utf8').catch(() => '');
  const re = new RegExp(`"track_id":\\s*${trackId}[,}]`);
  const i = text.split('\n').findIndex((l) => re.test(l));
  return i < 0 ? undefined : i + 1;
}

/** Footage with a licence that asks for credit wherever it is shown. */
export function attributionFor(video: string | undefined): string | undefined {
  if (video && /tears[\s_-]*of[\s_-]*steel/i.test(path.basename(video))) return 'Tears of Steel (c) Blender Foundation, CC-BY 3.0 (mango.blender.org)';
  return undefined;
}
