// A run killed outright (kill -9, a crash of the machine) writes no end: runs.json keeps it as
// running and manifests/ holds what it wrote, `.partial` files included. The next run of the
// episode, holding the lock, settles it before it starts: the killed run's files move to
// runs/<run_id>/manifests/ (a rename: nothing is copied, nothing lost, and its timeline can be
// opened), its progress.json there says interrupted, and so does its entry in runs.json.
import { mkdir, readdir, rename } from 'node:fs/promises';
import * as path from 'node:path';
import type { EpisodeLock } from '../manifests/episode-lock';
import { remove } from '../manifests/episode-folder';
import type { EpisodeLayout } from '../manifests/layout';
import { readProgress, type ProgressFile } from '../manifests/progress-file';
import { writeJsonAtomic } from '../manifests/atomic-file';
import { indexRun, listRuns, readRunMetrics, recordRun } from './run-history';
import { summarizeMetrics, type RunSummary } from './run-summary';

/** Settles the runs a killed process left as running; returns them, now interrupted (or recorded). */
export async function settleInterruptedRuns(lock: EpisodeLock, layout: EpisodeLayout): Promise<RunSummary[]> {
  const progress = await readProgress(layout.manifest('progress'));
  // We hold the lock: whatever is still indexed as running was killed.
  const stale = (await listRuns(layout)).filter((r) => r.state === 'running');
  if (progress?.state === 'running' && !stale.some((r) => r.run_id === progress.run_id)) {
    stale.push(summarizeMetrics({ ...progress, state: 'interrupted' }));
  }
  const settled: RunSummary[] = [];
  for (const run of stale) {
    const mine = progress?.run_id === run.run_id ? progress : undefined;
    if (mine && mine.state !== 'running') {
      // It ended, and was killed while it was being recorded: finish that.
      settled.push(await recordRun(lock, layout, run.run_id));
      continue;
    }
    if (mine) await keepPartialRun(layout, mine);
    const metrics = mine ? await readRunMetrics(layout, run.run_id).catch(() => undefined) : undefined;
    const summary = metrics ? summarizeMetrics({ ...metrics, state: 'interrupted' }) : { ...run, state: 'interrupted' as const };
    await indexRun(lock, layout, summary);
    settled.push(summary);
  }
  return settled;
}

/** Moves what the killed run wrote into its own run folder, marked interrupted. */
async function keepPartialRun(layout: EpisodeLayout, progress: ProgressFile): Promise<void> {
  const dir = layout.runManifestsDir(progress.run_id);
  await remove(layout, layout.runDir(progress.run_id));
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(layout.manifestsDir)) {
    if (name.startsWith('.')) continue;
    await rename(path.join(layout.manifestsDir, name), path.join(dir, name));
  }
  await writeJsonAtomic(layout.runManifest(progress.run_id, 'progress'), {
    ...progress, state: 'interrupted', found_interrupted_at: new Date().toISOString(),
  } satisfies ProgressFile);
}
