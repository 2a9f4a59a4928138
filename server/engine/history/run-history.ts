// Run history of an episode (paths from manifests/layout.ts):
//   runs/<run_id>/manifests/   a finished run's manifests (hard links to the files in manifests/)
//   runs.json                  index: { ep_id, runs: RunSummary[] }, oldest first
//   manifests/                 the latest run, where earlier issues read it
// A run is indexed when it starts (state running) and again when it ends. The index is written
// only by the holder of the episode's lock (each writer takes an EpisodeLock as proof), always
// atomically. It is a convenience: the runs' own track_metrics.json files are the truth, and
// listRuns rebuilds it from them when it is missing or unreadable.
import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../manifests/atomic-file';
import type { EpisodeLock } from '../manifests/episode-lock';
import { PARTIAL_SUFFIX, type EpisodeLayout } from '../manifests/layout';
import { readProgress, stateNow } from '../manifests/progress-file';
import type { TrackMetrics } from '../manifests/track-metrics';
import { summarizeMetrics, type RunSummary } from './run-summary';

/** Sortable by time and unique: 20250102-134501-3fa2 (UTC). */
export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-${randomBytes(2).toString('hex')}`;
}

/**
 * Keeps the finished files of manifests/ under the run id, then indexes the run. Hard links
 * cost no space, and stay valid: every later write to manifests/ replaces a file (write +
 * rename, or unlink first), never rewrites one in place. Copies where links fail.
 */
export async function recordRun(lock: EpisodeLock, layout: EpisodeLayout, runId: string): Promise<RunSummary> {
  const tmp = layout.runTempDir(runId);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(join(tmp, 'manifests'), { recursive: true });
  for (const name of await readdir(layout.manifestsDir)) {
    if (name.startsWith('.') || name.endsWith(PARTIAL_SUFFIX)) continue;
    const from = join(layout.manifestsDir, name);
    const to = join(tmp, 'manifests', name);
    await link(from, to).catch(() => copyFile(from, to));
  }
  await lock.check();
  await rm(layout.runDir(runId), { recursive: true, force: true });
  await rename(tmp, layout.runDir(runId));
  const summary = summarizeMetrics(await readRunMetrics(layout, runId));
  await indexRun(lock, layout, summary);
  return summary;
}

/** Adds a run to runs.json, or replaces its entry. */
export async function indexRun(lock: EpisodeLock, layout: EpisodeLayout, summary: RunSummary): Promise<void> {
  const runs = (await readIndex(layout)) ?? (await scanRuns(layout));
  const at = runs.findIndex((r) => r.run_id === summary.run_id);
  if (at >= 0) runs[at] = summary;
  else runs.push(summary);
  await lock.check();
  await writeJsonAtomic(layout.runsIndex, { ep_id: layout.epId, runs });
}

/**
 * The episode's runs, oldest first, from runs.json or, failing that, from the run folders.
 * A run indexed as running whose process is gone reads as interrupted.
 */
export async function listRuns(layout: EpisodeLayout): Promise<RunSummary[]> {
  const runs = (await readIndex(layout)) ?? (await scanRuns(layout));
  for (const r of runs) r.state = await stateNow(layout, r.state);
  return runs;
}

async function readIndex(layout: EpisodeLayout): Promise<RunSummary[] | undefined> {
  try {
    const index = JSON.parse(await readFile(layout.runsIndex, 'utf8'));
    if (Array.isArray(index?.runs)) return index.runs as RunSummary[];
  } catch {
    // rebuilt by scanRuns
  }
  return undefined;
}

/** Summaries from the run folders: their metrics, else their progress.json (an interrupted run's). */
async function scanRuns(layout: EpisodeLayout): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  for (const id of (await readdir(layout.runsDir).catch(() => [] as string[])).sort()) {
    if (id.startsWith('.')) continue;
    const m = await readRunMetrics(layout, id).catch(() => undefined);
    const p = m ? undefined : await readProgress(layout.runManifest(id, 'progress'));
    if (m || p) runs.push(summarizeMetrics({ run_id: id, ...(m ?? p) }));
  }
  return runs;
}

/** A run's full track_metrics.json (its resolved config is under `config`). */
export async function readRunMetrics(layout: EpisodeLayout, runId: string): Promise<TrackMetrics> {
  return JSON.parse(await readFile(layout.runManifest(runId, 'metrics'), 'utf8')) as TrackMetrics;
}

/** A run's resolved config, as it ran. */
export async function readRunConfig(layout: EpisodeLayout, runId: string): Promise<TrackMetrics['config']> {
  return (await readRunMetrics(layout, runId)).config;
}
