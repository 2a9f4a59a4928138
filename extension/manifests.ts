// Reads a run's manifests into what the timeline page needs. No `vscode` import, so tests and
// other hosts can use it. Every file is found through the episode's layout, and what a file
// names (a crop listed in an index.json) is read only when it resolves, symlinks followed, to a
// file inside the episode folder.
import { readFile, realpath } from 'node:fs/promises';
import * as path from 'node:path';
import { frameFileName, INDEX_FILE, isWithin, MANIFEST_FILES, PARTIAL_SUFFIX, type EpisodeLayout } from '../server/engine/manifests/layout';
import { readEvalFrames } from '../server/engine/eval/eval-frames';
import type { EvalReport } from '../server/engine/eval/evaluate-run';
import { gtTimeline } from '../server/engine/eval/gt-lanes';
import { readProgress, stateNow } from '../server/engine/manifests/progress-file';
import type { TrackMetrics } from '../server/engine/manifests/track-metrics';
import type { RunSnapshot, SceneScoreCurve } from '../webview/protocol';
import { parseTracksJsonl } from '../webview/tracks';

/** tracks.jsonl of a recorded run, or without an id of the latest run. */
export const tracksPath = (layout: EpisodeLayout, runId?: string) => path.join(layout.manifestsOf(runId), MANIFEST_FILES.tracks);

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The state, the frame rate and the video of a run, from its track_metrics.json. */
type MetricsView = Partial<Pick<TrackMetrics, 'state'>> & { stats?: Partial<TrackMetrics['stats']>; video?: Partial<TrackMetrics['video']> };

/**
 * Whatever of the run is on disk; a missing file just leaves its part empty. `runId` reads a
 * recorded run from the history instead of the latest one. A run left `running` by a process
 * that is gone reads as interrupted.
 */
export async function readRunSnapshot(layout: EpisodeLayout, video?: string, runId?: string): Promise<RunSnapshot> {
  const dir = layout.manifestsOf(runId);
  // A failed or interrupted run leaves tracks.jsonl.partial; still worth drawing.
  const tracks = tracksPath(layout, runId);
  const [full, partial] = await Promise.all([readFile(tracks, 'utf8').catch(() => undefined), readFile(tracks + PARTIAL_SUFFIX, 'utf8').catch(() => undefined)]);
  const tracksText = full ?? partial;
  const [cuts, metrics, progress, scores, evalFrames, report] = await Promise.all([
    readJson<{ cuts?: number[]; suppressed?: number[]; fps?: number }>(path.join(dir, MANIFEST_FILES.cuts)),
    readJson<MetricsView>(path.join(dir, MANIFEST_FILES.metrics)),
    readProgress(path.join(dir, MANIFEST_FILES.progress)),
    readJson<unknown>(path.join(dir, MANIFEST_FILES.sceneScores)),
    readEvalFrames(path.join(dir, MANIFEST_FILES.evalFrames)),
    readJson<Partial<EvalReport>>(path.join(dir, MANIFEST_FILES.evaluation)),
  ]);
  const recorded = progress?.state ?? metrics?.state ?? (tracksText !== undefined ? 'completed' : 'none');
  return {
    epId: layout.epId,
    state: await stateNow(layout, recorded),
    tracks: parseTracksJsonl(tracksText ?? ''),
    cuts: cuts?.cuts ?? [],
    suppressed: cuts?.suppressed ?? [],
    fps: metrics?.video?.fps ?? cuts?.fps,
    framesTotal: metrics?.stats?.frames_decoded,
    attribution: attributionFor(metrics?.video?.path ?? video),
    sceneScores: scoreCurve(scores),
    ...(evalFrames ? { gt: gtTimeline(evalFrames.rows, validPairs(report?.identity?.pairs)) } : {}),
  };
}

/** eval.json's Identity pairs, the well-formed ones. */
function validPairs(v: unknown): Array<[number, number]> {
  const id = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
  return Array.isArray(v) ? v.filter((p): p is [number, number] => Array.isArray(p) && p.length === 2 && id(p[0]) && id(p[1])) : [];
}

/** scene_scores.json as the page draws it; anything malformed reads as absent. */
export function scoreCurve(raw: unknown): SceneScoreCurve | undefined {
  const r = raw as { step?: unknown; content?: unknown; histogram?: unknown; min_content?: unknown; threshold?: unknown } | undefined;
  const numbers = (xs: unknown): xs is number[] => Array.isArray(xs) && xs.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!r || !Number.isSafeInteger(r.step) || (r.step as number) < 1 || !numbers(r.content) || !numbers(r.histogram) || r.content.length !== r.histogram.length) return undefined;
  if (typeof r.min_content !== 'number' || typeof r.threshold !== 'number') return undefined;
  return { step: r.step as number, content: r.content, histogram: r.histogram, minContent: r.min_content, threshold: r.threshold };
}

export interface CropFile {
  file: string;
  frame_idx: number;
}

/** Up to `max` crops of a track, spread evenly over its index.json; entries that name anything but a crop of that folder are skipped. */
export async function readCrops(layout: EpisodeLayout, trackId: number, max = 24): Promise<CropFile[]> {
  const dir = layout.trackCropsDir(trackId);
  const indexFile = await resolvedInside(layout, path.join(dir, INDEX_FILE));
  const index = indexFile && (await readJson<unknown>(indexFile));
  if (!Array.isArray(index)) return [];
  const valid = index.filter((c): c is CropFile => Number.isSafeInteger(c?.frame_idx) && c.frame_idx >= 0 && c.file === frameFileName(c.frame_idx));
  const step = Math.max(1, valid.length / max);
  const picked: CropFile[] = [];
  for (let i = 0; i < valid.length && picked.length < max; i += step) {
    const c = valid[Math.floor(i)];
    const file = await resolvedInside(layout, path.join(dir, c.file));
    if (file) picked.push({ file, frame_idx: c.frame_idx });
  }
  return picked;
}

/** The 1-based line of a track's row in the tracks.jsonl of a run (default the latest), if it is there. */
export async function trackLine(layout: EpisodeLayout, trackId: number, runId?: string): Promise<number | undefined> {
  if (!Number.isSafeInteger(trackId)) return undefined;
  const text = await readFile(tracksPath(layout, runId), 'utf8').catch(() => '');
  // Rows are written by JSON.stringify: no spaces, and track_id right after ep_id.
  const key = `"track_id":${trackId}`;
  const i = text.split('\n').findIndex((l) => l.includes(`${key},`) || l.includes(`${key}}`));
  return i < 0 ? undefined : i + 1;
}

/** `file` with symlinks resolved, when it exists inside the episode folder; else undefined. */
async function resolvedInside(layout: EpisodeLayout, file: string): Promise<string | undefined> {
  try {
    const [real, root] = await Promise.all([realpath(layout.inside(file)), realpath(layout.dir)]);
    return isWithin(root, real) ? real : undefined;
  } catch {
    return undefined;
  }
}

/** Footage with a licence that asks for credit wherever it is shown. */
export function attributionFor(video: string | undefined): string | undefined {
  if (video && /tears[\s_-]*of[\s_-]*steel/i.test(path.basename(video))) return 'Tears of Steel (c) Blender Foundation, CC-BY 3.0 (mango.blender.org)';
  return undefined;
}
