// `episode-run --sweep`: one run per point of the config's `sweep` grid, one after another in this
// process. Points that differ only outside the analysis key (tracker, gate) replay one cached
// analysis; points that differ in stride or scene.cooldown are served by one shared pass at the
// strides' common divisor with cooldown 0 (servingConfigs, SubsetAnalysis). The first point of
// each group computes that pass when it is not cached yet and every other point replays it. Writes <output_root>/<ep_id>/sweep.csv. The sweep holds the episode's lock from its
// first point to its last: no other run slips in between.
import type { EpisodeConfig } from '../../config/episode-config';
import { writeFileAtomic } from '../manifests/atomic-file';
import { EpisodeLayout } from '../manifests/layout';
import { newRunId } from '../history/run-history';
import { summarizeMetrics, type RunSummary } from '../history/run-summary';
import { lockEpisode, runEpisode, type RunOptions } from '../run';
import type { RunState } from '../events';
import { configAt, expandGrid, servingConfigs, sweepCsv } from './grid';

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
    const configs = points.map((values) => configAt(config, values));
    const serving = servingConfigs(configs);
    for (const [i, values] of points.entries()) {
      const runId = `${sweepId}-p${String(i + 1).padStart(2, '0')}`;
      const label = Object.entries(values).map(([k, v]) => `${k}=${v}`).join(' ');
      emit({ type: 'log', ep_id: config.ep_id, level: 'info', message: `sweep ${sweepId}: point ${i + 1}/${points.length}: ${label}` });
      const result = await runEpisode(configs[i], { ...opts, runId, lock, sweep: { id: sweepId, values }, servedBy: serving[i] });
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
