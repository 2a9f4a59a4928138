// Run history on disk, per episode:
//   <output_root>/<ep_id>/runs/<run_id>/manifests/   a finished run's manifests (hard links)
//   <output_root>/<ep_id>/runs.json                  index: { ep_id, runs: RunSummary[] }, oldest first
//   <output_root>/<ep_id>/manifests/                 the latest run, where earlier issues read it
// The index is a convenience; the runs' own track_metrics.json files are the truth, and listRuns
// rebuilds the index from them when it is missing or unreadable.
import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../manifests/atomic-file';
import { summarizeMetrics, type RunSummary } from './run-summary';

export const RUNS_DIR = 'runs';
export const RUNS_INDEX = 'runs.json';
const METRICS_FILE = 'track_metrics.json';
/** Also what --run-id accepts: no leading dot, so never `.` or `..`. */
export const RUN_ID_PATTERN = '^[A-Za-z0-9_-][A-Za-z0-9._-]*$';

/** Sortable by time and unique: 20250102-134501-3fa2 (UTC). */
export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-${randomBytes(2).toString('hex')}`;
}

/** Where a run's manifests are kept. */
export const runManifestsDir = (epDir: string, runId: string) => join(epDir, RUNS_DIR, runId, 'manifests');

/**
 * Keeps the finished files of `manifestsDir` under the run id, then adds the run to runs.json.
 * Hard links cost no space, and stay valid: every later write to manifests/ replaces a file
 * (write + rename, or unlink first), never rewrites one in place. Copies where links fail.
 */
export async function recordRun(epDir: string, runId: string, manifestsDir: string): Promise<RunSummary> {
  const final = join(epDir, RUNS_DIR, runId);
  const tmp = join(epDir, RUNS_DIR, `.${runId}.tmp`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(join(tmp, 'manifests'), { recursive: true });
  for (const name of await readdir(manifestsDir)) {
    if (name.startsWith('.') || name.endsWith('.partial')) continue;
    const from = join(manifestsDir, name);
    const to = join(tmp, 'manifests', name);
    await link(from, to).catch(() => copyFile(from, to));
  }
  await rm(final, { recursive: true, force: true });
  await rename(tmp, final);
  const summary = summarizeMetrics(JSON.parse(await readFile(join(final, 'manifests', METRICS_FILE), 'utf8')));
  const runs = (await listRuns(epDir)).filter((r) => r.run_id !== runId);
  await writeJsonAtomic(join(epDir, RUNS_INDEX), { ep_id: summary.ep_id, runs: [...runs, summary] });
  return summary;
}

/** The episode's runs, oldest first, from runs.json or, failing that, from the run folders. */
export async function listRuns(epDir: string): Promise<RunSummary[]> {
  try {
    const index = JSON.parse(await readFile(join(epDir, RUNS_INDEX), 'utf8'));
    if (Array.isArray(index?.runs)) return index.runs as RunSummary[];
  } catch {
    // rebuilt below
  }
  const runs: RunSummary[] = [];
  for (const id of (await readdir(join(epDir, RUNS_DIR)).catch(() => [] as string[])).sort()) {
    if (id.startsWith('.')) continue;
    const m = await readRunMetrics(epDir, id).catch(() => undefined);
    if (m) runs.push(summarizeMetrics({ ...m, run_id: m.run_id ?? id }));
  }
  return runs;
}

/** A run's full track_metrics.json (its resolved config is under `config`). */
export async function readRunMetrics(epDir: string, runId: string): Promise<any> {
  return JSON.parse(await readFile(join(runManifestsDir(epDir, runId), METRICS_FILE), 'utf8'));
}

/** A run's resolved config, as it ran. */
export async function readRunConfig(epDir: string, runId: string): Promise<Record<string, unknown>> {
  return (await readRunMetrics(epDir, runId)).config;
}
