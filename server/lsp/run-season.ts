// `episodeLab.runSeason`: validate the saved season file, run `episode-run --season FILE --json`
// in a child process, and turn its events into work-done progress and `episodeLab/seasonEvent`
// notifications. `episodeLab.cancelSeason` stops every episode of it.
import { ResponseError, type CancellationToken, type WorkDoneProgressReporter } from 'vscode-languageserver';
import type { SeasonEvent, SeasonSummary } from '../season/season-events';
import { spawnCli, type CliProcess, type EngineSettings } from './engine-process';
import { RunErrorCodes, SEASON_LANGUAGE_ID, type RunSeasonResult, type SeasonEventParams } from './protocol';
import { readValidated, type RunContext } from './run-episode';

export interface SeasonContext {
  validate: RunContext['validate'];
  progress: WorkDoneProgressReporter;
  cancelTokens: CancellationToken[];
  notify: (params: SeasonEventParams) => void;
  engine: EngineSettings;
  log: (line: string) => void;
}

interface RunningSeason {
  file: string;
  cli: CliProcess;
  /** Whether its episodes run on a queue (a cancel then goes through the queue). */
  queued: () => boolean;
  settings: EngineSettings;
}

/** The seasons in progress, one per season file. */
export class SeasonRuns {
  private readonly running = new Map<string, RunningSeason>();

  async run(uri: string, ctx: SeasonContext): Promise<RunSeasonResult> {
    const { path: file } = await readValidated(uri, SEASON_LANGUAGE_ID, ctx.validate);
    if (this.running.has(uri)) {
      throw new ResponseError(RunErrorCodes.alreadyRunning, 'This season is already running. Wait for it to finish or cancel it first.');
    }
    let summary: SeasonSummary | undefined;
    const send = (event: SeasonEvent) => ctx.notify({ uri, event });
    const report = () => {
      if (!summary) return;
      const done = summary.counts.completed + summary.counts.failed + summary.counts.cancelled;
      ctx.progress.report(Math.floor((100 * done) / Math.max(1, summary.episodes.length)), `${done}/${summary.episodes.length} episodes done`);
    };
    ctx.progress.begin(`Season ${file.split('/').pop()}`, 0, 'starting', true);
    let queued = false;
    const cli = spawnCli<SeasonEvent>(['--season', file, '--json'], (e) => {
      send(e);
      if (e.type === 'season') {
        summary = e.summary;
        queued = summary.mode === 'queue';
      }
      else if (e.type === 'episode' && summary) summary = { ...summary, episodes: summary.episodes.map((r) => (r.ep_id === e.row.ep_id ? e.row : r)), counts: countRows(summary, e) };
      else if (e.type === 'log') ctx.log(`season: ${e.message}`);
      report();
    }, { nodePath: ctx.engine.nodePath, log: ctx.log });
    const season: RunningSeason = { file, cli, queued: () => queued, settings: ctx.engine };
    this.running.set(uri, season);
    const subscriptions = ctx.cancelTokens.map((t) => t.onCancellationRequested(() => void this.cancel(uri)));
    try {
      const { code, error } = await cli.exited;
      const state = summary?.state ?? 'failed';
      ctx.log(`season ${file}: ${state} (exit ${code})${error ? `: ${error}` : ''}`);
      return { state, exit_code: code, summary, error };
    } finally {
      subscriptions.forEach((s) => s.dispose());
      this.running.delete(uri);
      ctx.progress.done();
    }
  }

  /**
   * Stops every episode of the season: here, the season process cancels its engines; on a queue,
   * `--cancel` removes the queued jobs and stops the running ones on every worker.
   */
  async cancel(uri: string): Promise<boolean> {
    const season = this.running.get(uri);
    if (!season) return false;
    if (!season.queued()) {
      season.cli.cancel();
      return true;
    }
    const stop = spawnCli<SeasonEvent>(['--season', season.file, '--cancel', '--json'], () => {}, { nodePath: season.settings.nodePath, log: () => {} });
    const { code } = await stop.exited;
    return code === 130 || code === 0;
  }

  /** The server stops: local seasons are cancelled; queue seasons go on without their follower. */
  cancelAll(): void {
    for (const season of this.running.values()) if (!season.queued()) season.cli.cancel();
  }
}

function countRows(s: SeasonSummary, e: Extract<SeasonEvent, { type: 'episode' }>): SeasonSummary['counts'] {
  const counts = { ...s.counts };
  const old = s.episodes.find((r) => r.ep_id === e.row.ep_id);
  if (old) counts[old.status]--;
  counts[e.row.status]++;
  return counts;
}
