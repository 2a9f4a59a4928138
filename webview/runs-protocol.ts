// Messages of the run-history pages: the timeline's run switcher, the Compare page (two runs side
// by side) and the Sweep page (a sweep's table and plot). Types only, so the extension host and
// the pages import it without pulling code across.
import type { ConfigChange, MetricDelta, ScoreDelta } from '../server/engine/history/run-diff';
import type { RunSummary } from '../server/engine/history/run-summary';
import type { GtChange } from '../server/engine/eval/gt-lanes';
import type { RunSnapshot } from './protocol';

/** One run of a comparison: what the runs index says of it, and its manifests. */
export interface ComparedRun {
  summary: RunSummary;
  snapshot: RunSnapshot;
}

/** Host → Compare/Sweep page. */
export type RunsHostMessage =
  /** `gt`: with both runs scored, the ground-truth ids whose matches got worse or better (worst first). */
  | { type: 'compare'; epId: string; a: ComparedRun; b: ComparedRun; metrics: MetricDelta[]; scores: ScoreDelta[]; config: ConfigChange[]; gt?: GtChange[] }
  | { type: 'sweep'; epId: string; sweepId: string; keys: string[]; runs: RunSummary[] }
  /** After Apply: the config the point's values went into (its file name) and the keys set, or why not. */
  | { type: 'applied'; runId: string; config: string; keys: string[]; error?: string };

/** Compare/Sweep page → host. */
export type RunsPageMessage =
  | { type: 'ready' }
  /** A sweep point or a compared run was clicked: open that run's timeline. */
  | { type: 'openRun'; runId: string }
  /** Apply on the Sweep page: write this sweep point's values into the episode config. */
  | { type: 'apply'; runId: string };

/** What the Sweep page drew, for the browser tests (window.episodeRuns.stats().sweep). */
export interface SweepStats {
  rows: number;
  points: { runId: string; cx: number; cy: number }[];
  axes: { x: string; y: string };
  objective: string;
  /** Run ids on the Pareto front, along x. */
  front: string[];
  best: string | undefined;
}
