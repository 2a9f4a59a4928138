// Recorded runs for the run-history page tests: summaries as runs.json holds them.
import type { RunSummary } from '../../server/engine/history/run-summary';

export function summary(runId: string, over: Partial<RunSummary> = {}): RunSummary {
  return {
    run_id: runId, ep_id: 'tos', state: 'completed', started_at: '2025-03-04T13:05:00Z',
    wall_time_s: 4, realtime_factor: 2.5, video_duration_s: 10, tracks: 3, id_switches: 0, forced_splits: 0, cuts: 3,
    mean_track_length_s: 2.3, tracks_per_minute: 18, cache: { analysis: 'computed' }, ...over,
  };
}
