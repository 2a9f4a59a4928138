// A sweep's grid and its CSV. Pure functions.
import { setPath, type EpisodeConfig } from '../../config/episode-config';
import { SUMMARY_METRICS, type RunSummary } from '../history/run-summary';

export type GridPoint = Record<string, unknown>;

/** Every combination of the swept values, the first key varying slowest (config order). */
export function expandGrid(sweep: Record<string, readonly unknown[]>): GridPoint[] {
  let points: GridPoint[] = [{}];
  for (const [key, values] of Object.entries(sweep)) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  }
  return Object.keys(sweep).length ? points : [];
}

/** The config of one grid point: a deep copy with the point's values set. */
export function configAt(base: EpisodeConfig, point: GridPoint): EpisodeConfig {
  const cfg = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(point)) setPath(cfg, key, value);
  return cfg as unknown as EpisodeConfig;
}

/** Scores in the CSV (fractions), empty for runs without a ground truth. */
const CSV_SCORES = ['HOTA', 'IDF1', 'MOTA'] as const;

/** Header: run_id, the swept keys, the summary metrics, the analysis stage's status, then the scores and the cut scores. */
export function sweepCsv(keys: readonly string[], runs: readonly RunSummary[]): string {
  const header = ['run_id', ...keys, ...SUMMARY_METRICS, 'analysis', ...CSV_SCORES, 'cut_precision', 'cut_recall'];
  const rows = runs.map((r) => [
    r.run_id, ...keys.map((k) => r.sweep?.values[k]), ...SUMMARY_METRICS.map((m) => r[m]), r.cache.analysis, ...CSV_SCORES.map((k) => r.scores?.[k]),
    r.cut_precision, r.cut_recall,
  ]);
  return [header, ...rows].map((cells) => cells.map(csvCell).join(',')).join('\n') + '\n';
}

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
