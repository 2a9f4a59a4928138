// Every custom message between the Episode Lab server, the extension and the webview, in one
// place. Types only plus the names, so browser code can import it without pulling in Node.
import type { RunEvent, RunState } from '../engine/events';
import type { SeasonEvent, SeasonState, SeasonSummary } from '../season/season-events';

/** The language id of `*.episode.yaml` documents. */
export const LANGUAGE_ID = 'episode-config';
/** The language id of `*.season.yaml` documents. */
export const SEASON_LANGUAGE_ID = 'season-config';

/**
 * workspace/executeCommand names; `arguments` are given per command below. The client registers
 * these names itself, so none may equal an extension command (episodeLab.runSeason is the extension's).
 */
export const Commands = {
  /** arguments: [configUri: string] → RunEpisodeResult. Lasts as long as the run (or the sweep). */
  runEpisode: 'episodeLab.runEpisode',
  /** arguments: [epId: string] → boolean (whether a run was cancelled). */
  cancelRun: 'episodeLab.cancelRun',
  /** arguments: [seasonUri: string] → RunSeasonResult. Lasts as long as the season runs (or is followed on its queue). */
  runSeason: 'episodeLab.seasonRun',
  /** arguments: [seasonUri: string] → boolean: every job of the season stopped (queued ones removed). */
  cancelSeason: 'episodeLab.seasonCancel',
  /** arguments: [DecodeFrameParams] → DecodeFrameResult: one frame as a JPEG, cached under the episode folder. */
  decodeFrame: 'episodeLab.decodeFrame',
} as const;

/** A frame for the frame view: the server decodes it with its ffmpeg (never in Restricted Mode). */
export interface DecodeFrameParams {
  /** The episode folder, <output_root>/<ep_id> (the cache goes under it). */
  episodeDir: string;
  video: string;
  frameIdx: number;
  /** The frame's presentation time in seconds. */
  ts: number;
  fps: number;
}

export interface DecodeFrameResult {
  /** The JPEG, inside the episode folder. */
  file: string;
  /** It was in the cache already. */
  cached: boolean;
}

/** ResponseError codes of a refused runEpisode (application range, outside JSON-RPC's). */
export const RunErrorCodes = {
  /** The config has errors; `data.diagnostics` lists them. */
  invalidConfig: 1001,
  /** A run of the same ep_id is in progress. */
  alreadyRunning: 1002,
  /** The config file cannot be read. */
  unreadable: 1003,
  /** The workspace is not trusted (Restricted Mode): nothing runs. */
  untrusted: 1004,
} as const;

export const Notifications = {
  /** Server → client, one per engine event of a run: RunEventParams. */
  runEvent: 'episodeLab/runEvent',
  /** Server → client, one per event of a season run: SeasonEventParams. */
  seasonEvent: 'episodeLab/seasonEvent',
} as const;

export interface SeasonEventParams {
  /** The season file the run was started from. */
  uri: string;
  event: SeasonEvent;
}

/** The outcome of `episodeLab.runSeason`. */
export interface RunSeasonResult {
  /** The season's state at the end; `running` when its queue run goes on without us (detached). */
  state: SeasonState;
  exit_code: number | null;
  /** The last summary (season.json's content). */
  summary?: SeasonSummary;
  error?: string;
}

/** Sent last for every run, after the engine process has exited. */
export interface RunExitEvent {
  type: 'exit';
  ep_id: string;
  state: RunState;
  exit_code: number | null;
  /** For failed runs: the engine's error message or the tail of its stderr. */
  error?: string;
}

export type RunStreamEvent = RunEvent | RunExitEvent;

export interface RunEventParams {
  /** The config document the run was started from. */
  uri: string;
  ep_id: string;
  event: RunStreamEvent;
}

/**
 * The outcome of `episodeLab.runEpisode`. A config with a `sweep:` section runs its whole grid
 * (`episode-run --sweep`): then `sweep_id` is set, and `run_id` and the paths are the last point's.
 */
export interface RunEpisodeResult {
  ep_id: string;
  state: RunState;
  exit_code: number | null;
  out_dir?: string;
  metrics_path?: string;
  /** The run's folder under <out_dir>/runs/ (absent when it failed before being recorded). */
  run_id?: string;
  /** Set when the config's sweep grid ran. */
  sweep_id?: string;
  error?: string;
}

/** initializationOptions the server understands (all optional). */
export interface ServerOptions {
  /** Node binary that runs the engine; default the server's own (DESIGN §5). */
  nodePath?: string;
  /** ffmpeg for the engine; overrides the config's ffmpeg.path. */
  ffmpegPath?: string;
  /** Engine threads; overrides the config's `threads` when above 0. */
  threads?: number;
  /** Quiet time before a changed document is validated again; default 200 ms. */
  diagnosticsDelayMs?: number;
  /**
   * false in an untrusted workspace (VS Code's Restricted Mode): runs are refused, and videos are
   * probed with the extension's own ffmpeg, never the config's `ffmpeg.path`. Default true.
   */
  trusted?: boolean;
}

/** The client settings section the server reads (workspace/configuration `episodeLab`). */
export interface EpisodeLabSettings {
  engine?: { nodePath?: string };
  ffmpegPath?: string;
  threads?: number;
}
