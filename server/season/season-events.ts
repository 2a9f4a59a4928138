// What a season run reports: one row per episode and the season's summary (season.json). The
// CLI prints them as JSON lines with --json; the language server forwards them to the Season
// page. Types only, so the webview imports them without Node.

export type EpisodeStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
export type SeasonState = 'running' | 'completed' | 'failed' | 'cancelled';

export const EPISODE_STATUSES: readonly EpisodeStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];

/** One episode of a season, as season.json and the Season page show it. */
export interface EpisodeRow {
  ep_id: string;
  status: EpisodeStatus;
  /** <output_root>/<ep_id>: the episode's run folder. */
  out_dir: string;
  video?: string;
  /** 0–100 while running. */
  progress?: number;
  /** The engine's phase while running (detect_track, export_flush, …). */
  phase?: string;
  fps?: number;
  eta_s?: number | null;
  /** The run of this season in the episode's history (<out_dir>/runs/<run_id>). */
  run_id?: string;
  /** From the run's track_metrics.json. */
  wall_time_s?: number;
  video_duration_s?: number;
  tracks?: number;
  id_switches?: number;
  forced_splits?: number;
  cuts?: number;
  /** Tries so far (queue runs: a retry or a worker lost mid-episode adds one). */
  attempts?: number;
  /** Who ran it: host and pid of the worker (queue runs), or this machine. */
  worker?: string;
  /** The engine's one-line error of a failed episode. */
  error?: string;
  started_at?: string;
  finished_at?: string;
  /** Seconds on screen per person, when the run has identities. */
  screen_time_s?: Record<string, number>;
}

export interface SeasonSummary {
  season: string;
  season_file: string;
  /** This run of the season: every episode's run carries it as its run id. */
  run_id: string;
  mode: 'local' | 'queue';
  /** The queue's Redis, without a password. */
  queue?: string;
  state: SeasonState;
  started_at: string;
  updated_at: string;
  counts: Record<EpisodeStatus, number>;
  totals: { wall_time_s: number; tracks: number; id_switches: number };
  episodes: EpisodeRow[];
  /** Season-wide seconds on screen per person and episode, when the runs have identities. */
  screen_time?: { people: string[]; by_episode: Record<string, Record<string, number>>; total_s: Record<string, number> };
}

export type SeasonEvent =
  /** The whole season: when it starts or is attached to, and when it ends. */
  | { type: 'season'; summary: SeasonSummary }
  /** One episode changed: its status, progress or results. */
  | { type: 'episode'; season: string; run_id: string; row: EpisodeRow }
  | { type: 'log'; season: string; level: 'info' | 'warn'; message: string };
