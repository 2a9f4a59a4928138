// How a recorded run reads in the Runs view, its tooltips and quick picks. Pure; no `vscode`
// import. Words and metric formats shared with the pages come from webview/run-format.ts.
import { SUMMARY_METRICS, type RunSummary } from '../server/engine/history/run-summary';
import { CACHED, formatMetric, formatValue, METRIC_FORMAT, plural } from '../webview/run-format';
import { formatScore, SCORE_KEYS } from '../server/engine/eval/scores';

/** The start time in local time, `2025-01-02 14:45:01`; the run id when the run has none. */
export function runStartLabel(r: RunSummary): string {
  const t = r.started_at ? new Date(r.started_at) : undefined;
  if (!t || Number.isNaN(t.getTime())) return r.run_id;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())} ${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}`;
}

/** A sweep point by its values: `tracker.match_thresh=0.7 gate.iou=0.2`. */
export const sweepPointLabel = (r: RunSummary): string =>
  Object.entries(r.sweep?.values ?? {}).map(([k, v]) => `${k}=${formatValue(v)}`).join(' ');

/** Wall time as the eye reads it: `0.14 s`, `6.5 s`, `2 m 05 s`. */
export function formatDuration(s: number): string {
  if (s < 1) return `${s.toFixed(2)} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  return `${Math.floor(total / 60)} m ${String(total % 60).padStart(2, '0')} s`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  for (; v >= 1024 && i < units.length - 1; i++) v /= 1024;
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** One line: the outcome when not completed, duration, tracks, id switches, and cache reuse. */
export function runDescription(r: RunSummary): string {
  // Runs without metrics: in progress, killed, or failed before they measured anything.
  if (r.state === 'running') return 'running…';
  if (r.state === 'interrupted' && !r.wall_time_s) return 'interrupted: its process ended without finishing (killed?)';
  if (r.state === 'failed' && !r.wall_time_s) return r.error ? `failed: ${r.error}` : 'failed';
  const parts = [formatDuration(r.wall_time_s), plural(r.tracks, 'track'), `${r.id_switches} id switch${r.id_switches === 1 ? '' : 'es'}`];
  if (r.state !== 'completed') parts.unshift(r.state);
  if (r.scores) parts.push(`HOTA ${formatScore('HOTA', r.scores.HOTA)}`);
  if (r.cache.analysis === 'reused') parts.push(CACHED);
  return parts.join(' · ');
}

const ANALYSIS: Record<RunSummary['cache']['analysis'], string> = {
  reused: `reused (${CACHED}: no decoding, no detection)`,
  computed: 'computed (decoded and detected, then cached)',
  off: 'not cached (cache off)',
};

/** Markdown for a run's tooltip: id, outcome, cache use, every summary metric, the sweep point. */
export function runTooltipMarkdown(r: RunSummary): string {
  const lines = [
    `**${r.ep_id}** run \`${r.run_id}\` · ${r.state}`,
    '',
    `started ${runStartLabel(r)} · analysis ${ANALYSIS[r.cache.analysis]}`,
    '',
    '| metric | value |',
    '|---|---:|',
    ...SUMMARY_METRICS.map((m) => `| ${METRIC_FORMAT[m].label} | ${formatMetric(m, r[m])} |`),
  ];
  if (r.scores) {
    const s = r.scores;
    lines.push('', '| against the ground truth | |', '|---|---:|', ...SCORE_KEYS.map((k) => `| ${k} | ${formatScore(k, s[k])} |`));
  }
  if (r.error) lines.push('', `error: ${r.error}`);
  if (r.sweep) lines.push('', `sweep \`${r.sweep.id}\`: ${Object.entries(r.sweep.values).map(([k, v]) => `\`${k}\` = ${formatValue(v)}`).join(', ')}`);
  return lines.join('\n');
}
