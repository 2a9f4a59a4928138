// Words and numbers for recorded runs, shared by the timeline's run switcher and the
// Compare/Sweep page.
import type { RunSummary, SummaryMetric } from '../server/engine/history/run-summary';

/** Start time, local and short ("Mar 4, 14:05"); the run id when the run has none. */
export function runTime(r: RunSummary): string {
  const t = r.started_at ? new Date(r.started_at) : undefined;
  if (!t || Number.isNaN(t.getTime())) return r.run_id;
  return t.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
}

export const CACHED = 'cached detections';

/** One line for a run: time, tracks, sweep values, whether the analysis was replayed. */
export function runLabel(r: RunSummary): string {
  const values = r.sweep ? Object.entries(r.sweep.values).map(([k, v]) => `${shortKey(k)}=${formatValue(v)}`) : [];
  return [runTime(r), plural(r.tracks, 'track'), ...values, ...(r.cache.analysis === 'reused' ? [CACHED] : [])].join(' · ');
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The last part of a dotted key: tracker.match_thresh → match_thresh. */
export const shortKey = (key: string): string => key.slice(key.lastIndexOf('.') + 1);

/** A config value as written in YAML-ish shorthand; "—" when absent. */
export function formatValue(v: unknown): string {
  if (v === undefined) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

interface MetricFormat {
  label: string;
  unit: string;
  digits: number;
}

export const METRIC_FORMAT: Record<SummaryMetric, MetricFormat> = {
  tracks: { label: 'Tracks', unit: '', digits: 0 },
  id_switches: { label: 'ID switches', unit: '', digits: 0 },
  forced_splits: { label: 'Forced splits', unit: '', digits: 0 },
  cuts: { label: 'Scene cuts', unit: '', digits: 0 },
  mean_track_length_s: { label: 'Mean track length', unit: ' s', digits: 2 },
  tracks_per_minute: { label: 'Tracks per minute', unit: '/min', digits: 1 },
  wall_time_s: { label: 'Wall time', unit: ' s', digits: 2 },
  realtime_factor: { label: 'Realtime factor', unit: '×', digits: 1 },
};

/** A metric's value with its unit; `signed` writes + before a positive value (deltas). */
export function formatMetric(metric: SummaryMetric, value: number, signed = false): string {
  const f = METRIC_FORMAT[metric];
  // Rounding to zero must not leave a sign behind ("-0.00").
  const text = (Math.abs(value) < 0.5 * 10 ** -f.digits ? 0 : value).toFixed(f.digits);
  return `${signed && value > 0 ? '+' : ''}${text}${f.unit}`;
}
