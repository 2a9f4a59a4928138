// The Compare and Sweep pages' data, read from an episode's run history. No `vscode` import.
import { compareGtLanes } from '../server/engine/eval/gt-lanes';
import { diffConfigs, diffMetrics, diffScores, listRuns, readRunConfig, type RunSummary } from '../server/engine/history';
import type { RunsHostMessage } from '../webview/runs-protocol';
import { readRunSnapshot } from './manifests';
import type { RunFolder } from './run-folder';

/**
 * Config keys left out of a comparison: `sweep` is the grid a sweep ran, the same on each of its
 * runs and no setting of any one of them (a point's values are in the keys they set).
 */
export const CONFIG_DIFF_IGNORE = ['sweep'];

export type CompareMessage = Extract<RunsHostMessage, { type: 'compare' }>;
export type SweepMessage = Extract<RunsHostMessage, { type: 'sweep' }>;

/** Two runs side by side, the older as `a`, so deltas read as what the newer run changed. */
export async function compareRuns(folder: RunFolder, runIds: readonly [string, string]): Promise<CompareMessage> {
  if (runIds[0] === runIds[1]) throw new Error(`Compare needs two different runs (got ${runIds[0]} twice)`);
  const runs = await listRuns(folder.layout);
  const [a, b] = runIds
    .map((id) => {
      const i = runs.findIndex((r) => r.run_id === id);
      if (i < 0) throw new Error(`Run ${id} is not in the history of ${folder.epId} (${folder.outDir})`);
      return { i, summary: runs[i] };
    })
    .sort((x, y) => x.i - y.i)
    .map((x) => x.summary);
  const compared = async (summary: RunSummary) => ({
    summary, snapshot: await readRunSnapshot(folder.layout, folder.video, summary.run_id),
  });
  const [ca, cb, configA, configB] = await Promise.all([
    compared(a), compared(b), readRunConfig(folder.layout, a.run_id), readRunConfig(folder.layout, b.run_id),
  ]);
  const [gtA, gtB] = [ca.snapshot.gt, cb.snapshot.gt];
  return {
    type: 'compare', epId: folder.epId, a: ca, b: cb, metrics: diffMetrics(a, b), scores: diffScores(a, b), config: diffConfigs(configA, configB, CONFIG_DIFF_IGNORE),
    ...(gtA && gtB ? { gt: compareGtLanes(gtA.lanes, gtB.lanes) } : {}),
  };
}

/** A sweep's runs in grid order and its swept keys in config order. */
export async function sweepRuns(folder: RunFolder, sweepId: string): Promise<SweepMessage> {
  const runs = (await listRuns(folder.layout)).filter((r) => r.sweep?.id === sweepId);
  if (!runs.length) throw new Error(`No runs of sweep ${sweepId} in the history of ${folder.epId} (${folder.outDir})`);
  return { type: 'sweep', epId: folder.epId, sweepId, keys: Object.keys(runs[0].sweep!.values), runs };
}
