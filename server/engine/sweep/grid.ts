// A sweep's grid and its CSV. Pure functions.
import { setPath, type EpisodeConfig } from '../../config/episode-config';
import { SUMMARY_METRICS, standaloneSpeed, type RunSummary } from '../history/run-summary';
import { canonicalJson } from '../cache/canonical-json';

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

/**
 * Each point's serving analysis (DESIGN §12): points whose analysis settings differ at most in
 * stride and scene.cooldown share one pass, at the greatest common divisor of their strides and,
 * when their cooldowns differ, cooldown 0 (warm-up after every cut). Undefined for a point alone
 * in its group, and with the cache off (nothing is shared then). The run checks that the pass
 * can serve the point (whyNotServable) and falls back to the point's own analysis.
 */
export function servingConfigs(points: readonly EpisodeConfig[]): (EpisodeConfig | undefined)[] {
  const groups = new Map<string, EpisodeConfig[]>();
  const keyOf = (c: EpisodeConfig) => canonicalJson({
    video: c.video, fps: c.fps ?? null, sampling: c.sampling, scene: { ...c.scene, cooldown: 0 }, f1: c.optimizations.f1, detector: c.detector,
    gate: c.gate.enabled, cache: c.cache.enabled, pixels: c.export.crops || c.export.frames,
  });
  for (const c of points) groups.set(keyOf(c), [...(groups.get(keyOf(c)) ?? []), c]);
  const serving = new Map<string, EpisodeConfig | undefined>();
  for (const [key, members] of groups) {
    if (members.length < 2 || !members[0].cache.enabled) continue;
    const cooldowns = new Set(members.map((c) => c.scene.cooldown));
    const s = structuredClone(members[0]);
    s.stride = members.map((c) => c.stride).reduce(gcd);
    s.scene.cooldown = cooldowns.size === 1 ? members[0].scene.cooldown : 0;
    serving.set(key, s);
  }
  return points.map((c) => serving.get(keyOf(c)));
}

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

/** Scores in the CSV (fractions), empty for runs without a ground truth. */
const CSV_SCORES = ['HOTA', 'IDF1', 'MOTA'] as const;

/**
 * Header: run_id, the swept keys, the summary metrics, a standalone run's speed and seconds and
 * whether they are `measured` or `predicted`, the analysis stage's status, then the scores and the cut scores.
 */
export function sweepCsv(keys: readonly string[], runs: readonly RunSummary[]): string {
  const header = ['run_id', ...keys, ...SUMMARY_METRICS, 'speed', 'standalone_s', 'speed_source', 'analysis', ...CSV_SCORES, 'cut_precision', 'cut_recall'];
  const rows = runs.map((r) => {
    const alone = standaloneSpeed(r);
    return [
      r.run_id, ...keys.map((k) => r.sweep?.values[k]), ...SUMMARY_METRICS.map((m) => r[m]),
      alone.speed, alone.seconds, alone.predicted ? 'predicted' : 'measured', r.cache.analysis, ...CSV_SCORES.map((k) => r.scores?.[k]),
      r.cut_precision, r.cut_recall,
    ];
  });
  return [header, ...rows].map((cells) => cells.map(csvCell).join(',')).join('\n') + '\n';
}

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
