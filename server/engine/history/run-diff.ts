// Differences between two runs: their resolved configs (a small diff by dotted key) and their
// metrics (both values and the delta). Pure functions, no Node imports.
import { SUMMARY_METRICS, type RunSummary, type SummaryMetric } from './run-summary';
import { SCORE_KEYS, type RunScores } from '../eval/scores';

export interface ConfigChange {
  /** Dotted path, e.g. "tracker.match_thresh". */
  key: string;
  /** undefined when the key is absent on that side. */
  a: unknown;
  b: unknown;
}

/**
 * Leaves that differ between two configs, sorted by key. Arrays (tiles, sweep values) compare
 * as whole values. Keys named in `ignore` (and everything under them) are left out.
 */
export function diffConfigs(a: unknown, b: unknown, ignore: readonly string[] = []): ConfigChange[] {
  const out: ConfigChange[] = [];
  const walk = (x: unknown, y: unknown, prefix: string) => {
    if (prefix && ignore.some((k) => prefix === k || prefix.startsWith(k + '.'))) return;
    if (isObject(x) && isObject(y)) {
      for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) walk(x[k], y[k], prefix ? `${prefix}.${k}` : k);
    } else if (JSON.stringify(x) !== JSON.stringify(y)) {
      out.push({ key: prefix, a: x, b: y });
    }
  };
  walk(a, b, '');
  return out;
}

export interface MetricDelta {
  metric: SummaryMetric;
  a: number;
  b: number;
  /** b − a */
  delta: number;
  /** (b − a) / a; null when a is 0. */
  relative: number | null;
}

/** Every summary metric of two runs, with b − a. */
export function diffMetrics(a: RunSummary, b: RunSummary): MetricDelta[] {
  return SUMMARY_METRICS.map((metric) => {
    const delta = round(b[metric] - a[metric]);
    return { metric, a: a[metric], b: b[metric], delta, relative: a[metric] === 0 ? null : round(delta / a[metric]) };
  });
}

export interface ScoreDelta {
  key: keyof RunScores;
  /** undefined when that run was not scored. */
  a?: number;
  b?: number;
  /** b − a, when both were scored. */
  delta?: number;
}

/** Every score of two runs with b − a; empty when neither was scored against a ground truth. */
export function diffScores(a: RunSummary, b: RunSummary): ScoreDelta[] {
  if (!a.scores && !b.scores) return [];
  return SCORE_KEYS.map((key) => {
    const va = a.scores?.[key];
    const vb = b.scores?.[key];
    return { key, a: va, b: vb, delta: va === undefined || vb === undefined ? undefined : round(vb - va) };
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const round = (v: number) => Math.round(v * 1e6) / 1e6;
