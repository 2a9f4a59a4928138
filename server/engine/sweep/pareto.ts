// Tuning over a sweep's points: their numeric values by name, which way each metric is better,
// the Pareto front on two metrics and the best point on one. Pure and free of Node imports: the
// CLI, the extension and the sweep page share it. Metric-generic: any number a point carries (the
// summary's metrics, a standalone run's speed, scores such as HOTA, the swept values) can be an
// axis or the objective.
import { SUMMARY_METRICS, standaloneSpeed, type RunSummary } from '../history/run-summary';

export type Direction = 'max' | 'min';

/** Lower is better for these (by the name's last dotted part, case-insensitive); higher for the rest listed in HIGHER. */
const LOWER = new Set(['fp', 'fn', 'idsw', 'id_switches', 'frag', 'ml', 'forced_splits', 'wall_time_s', 'standalone_s', 'motp_distance']);
const HIGHER = new Set([
  'speed', 'realtime_factor', 'hota', 'deta', 'assa', 'loca', 'detre', 'detpr', 'assre', 'asspr', 'mota', 'motp', 'mt', 'idf1', 'idp', 'idr',
]);

/** Which way a metric is better; undefined when it has no better side (tracks, cuts, swept values). */
export function directionOf(metric: string): Direction | undefined {
  const name = metric.toLowerCase().split('.').pop()!;
  if (LOWER.has(name)) return 'min';
  if (HIGHER.has(name)) return 'max';
  return undefined;
}

/**
 * A point's numbers by name: the summary's top-level numbers (wall_time_s, tracks, …), `speed`
 * and `standalone_s` of a standalone run, the numbers of any object it holds one level down
 * (`scores.hota` as `hota`, unless the name is taken), and the swept values by their keys.
 */
export function pointValues(r: RunSummary): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (k: string, v: unknown) => {
    if (typeof v === 'number' && Number.isFinite(v) && !(k in out)) out[k] = v;
  };
  for (const [k, v] of Object.entries(r)) {
    if (k === 'sweep') continue;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) put(k2, v2);
    } else put(k, v);
  }
  const alone = standaloneSpeed(r);
  out.speed = alone.speed;
  out.standalone_s = alone.seconds;
  for (const [k, v] of Object.entries(r.sweep?.values ?? {})) put(k, v);
  return out;
}

/** The metric names every point has, objective-worthy ones (with a direction) first, in a stable order. */
export function metricNames(points: readonly Record<string, number>[]): string[] {
  if (!points.length) return [];
  const names = Object.keys(points[0]).filter((k) => points.every((p) => k in p));
  return [...names.filter((n) => directionOf(n)), ...names.filter((n) => !directionOf(n))];
}

/** Default axes: HOTA against speed when the points are scored, else tracks per minute against speed. */
export function defaultAxes(names: readonly string[]): { x: string; y: string } {
  const hota = names.find((n) => n.toLowerCase() === 'hota');
  return { x: 'speed', y: hota ?? 'tracks_per_minute' };
}

/** Whether a is at least as good as b on both axes and better on one (directionless axes count as higher-better). */
function dominates(a: Record<string, number>, b: Record<string, number>, axes: readonly string[]): boolean {
  let better = false;
  for (const m of axes) {
    const sign = directionOf(m) === 'min' ? -1 : 1;
    const d = sign * (a[m] - b[m]);
    if (d < 0) return false;
    if (d > 0) better = true;
  }
  return better;
}

/** Indices of the points no other point dominates on the axes, ordered along the first axis. */
export function paretoFront(points: readonly Record<string, number>[], axes: readonly [string, string]): number[] {
  const front = points.map((_, i) => i).filter((i) => !points.some((q, j) => j !== i && dominates(q, points[i], axes)));
  return front.sort((i, j) => points[i][axes[0]] - points[j][axes[0]] || points[i][axes[1]] - points[j][axes[1]]);
}

/**
 * The best point on `objective` (higher-better unless directionOf says lower), ties going to the
 * faster point, then the earlier one. Undefined without points.
 */
export function bestPoint(points: readonly Record<string, number>[], objective: string): number | undefined {
  if (!points.length) return undefined;
  if (!points.every((p) => objective in p)) throw new Error(`objective "${objective}" is not a number every point has; choose one of: ${metricNames(points).join(', ')}`);
  const sign = directionOf(objective) === 'min' ? -1 : 1;
  let best = 0;
  for (let i = 1; i < points.length; i++) {
    const d = sign * (points[i][objective] - points[best][objective]);
    if (d > 0 || (d === 0 && (points[i].speed ?? 0) > (points[best].speed ?? 0))) best = i;
  }
  return best;
}

/** Finds a metric by name, case-insensitively (`--objective hota` finds `HOTA`). */
export function resolveMetric(names: readonly string[], wanted: string): string | undefined {
  return names.find((n) => n === wanted) ?? names.find((n) => n.toLowerCase() === wanted.toLowerCase());
}

export interface TunedPoint {
  run_id: string;
  values: Record<string, unknown>;
  /** The objective's value and the other front axis's (speed). */
  objective: number;
  speed: number;
  speed_predicted: boolean;
}

export interface Tuning {
  objective: string;
  direction: Direction;
  best: TunedPoint;
  /** The Pareto front of the objective against a standalone run's speed, slowest first. */
  front: TunedPoint[];
}

/** The best point on `objective` (matched case-insensitively) and the objective-vs-speed front of a sweep's completed runs. */
export function tune(runs: readonly RunSummary[], objective: string): Tuning {
  const done = runs.filter((r) => r.state === 'completed');
  const values = done.map(pointValues);
  const name = resolveMetric(metricNames(values), objective);
  if (!name) throw new Error(`--objective ${objective}: not a number of these runs; choose one of: ${metricNames(values).join(', ')}`);
  const at = (i: number): TunedPoint => {
    const alone = standaloneSpeed(done[i]);
    return { run_id: done[i].run_id, values: done[i].sweep?.values ?? {}, objective: values[i][name], speed: alone.speed, speed_predicted: alone.predicted };
  };
  return {
    objective: name,
    direction: directionOf(name) ?? 'max',
    best: at(bestPoint(values, name)!),
    front: paretoFront(values, ['speed', name]).map(at),
  };
}

/** Throws unless `objective` names a metric a sweep's points can have: a summary metric, a known score, speed or a swept key. */
export function checkObjective(objective: string, sweptKeys: readonly string[]): void {
  const names = [...SUMMARY_METRICS, 'speed', 'standalone_s', ...LOWER, ...HIGHER, ...sweptKeys];
  if (!resolveMetric(names, objective)) throw new Error(`--objective ${objective}: unknown metric; choose one of: ${[...new Set(names)].join(', ')}`);
}
