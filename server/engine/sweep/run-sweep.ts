// `episode-run --sweep`: one run per point of the config's `sweep` grid, one after another in this
// process. Tracker and gate keys are outside the analysis key, so the first point computes the
// analysis stage when it is not cached yet and the points that differ only there replay it; each
// value of a scene key (also sweepable, by the schema) computes its own. Writes <output_root>/<ep_id>/sweep.csv. The sweep holds the episode's lock from its
// first point to its last: no other run slips in between.
import type { EpisodeConfig } from '../../config/episode-config';
import { writeFileAtomic } from '../manifests/atomic-file';
import { EpisodeLayout } from '../manifests/layout';
import { newRunId } from '../history/run-history';
import { summarizeMetrics, type RunSummary } from '../history/run-summary';
import { lockEpisode, runEpisode, type RunOptions } from '../run';
import type { RunState } from '../events';
import { configAt, expandGrid, sweepCsv } from './grid';

export interface SweepResult {
  state: RunState;
  sweepId: string;
  csvPath: string;
  runs: RunSummary[];
}

export async function runSweep(config: EpisodeConfig, opts: Omit<RunOptions, 'sweep' | 'runId' | 'lock'> & { sweepId?: string } = {}): Promise<SweepResult> {
  const sweep = config.sweep ?? {};
  const points = expandGrid(sweep);
  if (!points.length) throw new Error('--sweep needs a `sweep:` section in the config, e.g. `sweep: {tracker.match_thresh: [0.6, 0.7, 0.8]}`');
  const layout = new EpisodeLayout(config.output_root, config.ep_id);
  const sweepId = opts.sweepId ?? newRunId();
  const emit = opts.onEvent ?? (() => {});
  const lock = await lockEpisode(layout, { purpose: 'sweep', runId: sweepId }, opts.onEvent);
  try {
    const runs: RunSummary[] = [];
    let state: RunState = 'completed';
    for (const [i, values] of points.entries()) {
      const runId = `${sweepId}-p${String(i + 1).padStart(2, '0')}`;
      const label = Object.entries(values).map(([k, v]) => `${k}=${v}`).join(' ');
      emit({ type: 'log', ep_id: config.ep_id, level: 'info', message: `sweep ${sweepId}: point ${i + 1}/${points.length}: ${label}` });
      const result = await runEpisode(configAt(config, values), { ...opts, runId, lock, sweep: { id: sweepId, values } });
      runs.push(summarizeMetrics(result.metrics));
      if (result.state !== 'completed') {
        state = result.state;
        break;
      }
    }
    await lock.check();
    await writeFileAtomic(layout.sweepCsv, sweepCsv(Object.keys(sweep), runs));
    return { state, sweepId, csvPath: layout.sweepCsv, runs };
  } finally {
    await lock.release();
  }
}
