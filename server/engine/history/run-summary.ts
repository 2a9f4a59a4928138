// The few numbers a run is compared by, taken from its track_metrics.json. Pure, and free of Node
// imports, so the extension and the webview can use it too.
import type { RunState } from '../events';
import type { StageStatus, TrackMetrics } from '../manifests/track-metrics';
import type { RunScores } from '../eval/scores';

export type { StageStatus };

export interface RunSummary {
  run_id: string;
  ep_id: string;
  /** `running` while its run goes on; readers show a killed one as `interrupted` (listRuns). */
  state: RunState | 'unknown';
  started_at?: string;
  wall_time_s: number;
  realtime_factor: number;
  video_duration_s: number;
  tracks: number;
  id_switches: number;
  forced_splits: number;
  cuts: number;
  mean_track_length_s: number;
  tracks_per_minute: number;
  /**
   * A standalone run's speed (× realtime) and seconds: measured when this run was one, else
   * predicted from the analysis pass's stage costs (`speed_predicted`). A sweep point's own wall
   * time is a replay's, which says nothing about what its settings cost. Absent on summaries
   * recorded before these fields: read them through standaloneSpeed().
   */
  speed?: number;
  standalone_s?: number;
  speed_predicted?: boolean;
  /** Per cached stage: whether this run reused it. */
  cache: { analysis: StageStatus };
  /** Present on runs of a sweep: its id and this point's values by dotted key. */
  sweep?: { id: string; values: Record<string, unknown> };
  /** Why a failed run failed. */
  error?: string;
  /** Scores against the config's ground truth (`evaluation.ground_truth`), when it has one. */
  scores?: RunScores;
  /** Scene cuts against `evaluation.cuts` (±1 frame), when the config has a cut list. */
  cut_precision?: number;
  cut_recall?: number;
}

/** The metric columns of RunSummary, in the order tables and CSVs show them. */
export const SUMMARY_METRICS = [
  'tracks', 'id_switches', 'forced_splits', 'cuts', 'mean_track_length_s', 'tracks_per_minute', 'wall_time_s', 'realtime_factor',
] as const satisfies readonly (keyof RunSummary)[];

export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

/**
 * A RunSummary from a run's track_metrics.json, or from what is known of a run that has none
 * (started, failed or interrupted): a missing number reads as 0.
 */
export function summarizeMetrics(m: Partial<TrackMetrics> & { error?: string }): RunSummary {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const s: Partial<TrackMetrics['stats']> = m.stats ?? {};
  return {
    run_id: String(m.run_id ?? ''),
    ep_id: String(m.ep_id ?? ''),
    state: m.state ?? 'unknown',
    started_at: m.started_at,
    wall_time_s: num(s.wall_time_s),
    realtime_factor: num(s.realtime_factor),
    video_duration_s: num(s.video_duration_s),
    tracks: num(m.tracks_written),
    id_switches: num(m.id_switches),
    forced_splits: num(m.forced_splits),
    cuts: num(m.scene_cuts?.count),
    mean_track_length_s: num(m.mean_track_length_s),
    tracks_per_minute: num(m.tracks_per_minute),
    speed: num(s.standalone?.realtime_factor ?? s.realtime_factor),
    standalone_s: num(s.standalone?.wall_time_s ?? s.wall_time_s),
    speed_predicted: s.standalone?.predicted ?? false,
    cache: { analysis: m.cache?.analysis ?? 'off' },
    ...(m.sweep ? { sweep: m.sweep } : {}),
    ...(m.error ? { error: m.error } : {}),
    ...(m.evaluation ? { scores: m.evaluation.scores } : {}),
    ...(m.cut_scores ? { cut_precision: m.cut_scores.precision, cut_recall: m.cut_scores.recall } : {}),
  };
}

/** A standalone run's speed, seconds and whether predicted; a summary without them was a standalone run. */
export function standaloneSpeed(r: RunSummary): { speed: number; seconds: number; predicted: boolean } {
  return { speed: r.speed ?? r.realtime_factor, seconds: r.standalone_s ?? r.wall_time_s, predicted: r.speed_predicted ?? false };
}
