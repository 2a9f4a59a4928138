// A season on this machine: `jobs` episodes at a time, each an ordinary run in its own engine
// process (its own lock, history and cache). This runner is the only writer of the season's
// summary, rewritten whole after every change of an episode's status.
import * as os from 'node:os';
import * as path from 'node:path';
import { newRunId } from '../engine/history/run-history';
import { runEpisodeProcess } from './episode-process';
import type { EpisodeRow, SeasonEvent, SeasonSummary } from './season-events';
import type { Season } from './season-file';
import { summarizeSeason, writeSeasonSummary, type SeasonHeader } from './summary';

export interface LocalSeasonOptions {
  jobs: number;
  signal?: AbortSignal;
  onEvent?: (e: SeasonEvent) => void;
  /** This season run's id, which every episode's run takes; default a new time-based one. */
  runId?: string;
}

export async function runSeasonLocally(season: Season, opts: LocalSeasonOptions): Promise<SeasonSummary> {
  const emit = opts.onEvent ?? (() => {});
  const header: SeasonHeader = {
    season: season.name, season_file: season.file, run_id: opts.runId ?? newRunId(), mode: 'local', started_at: new Date().toISOString(),
  };
  const rows: EpisodeRow[] = season.episodes.map((e) => ({ ep_id: e.ep_id, status: 'queued', out_dir: path.join(e.config.output_root, e.ep_id), video: e.video }));
  // Writes go one after another, so the file always ends with the newest rows.
  let writing = Promise.resolve();
  const save = () => {
    const summary = summarizeSeason(header, rows.map((r) => ({ ...r })));
    writing = writing.then(() => writeSeasonSummary(season.summaryDir, summary));
    return summary;
  };
  const update = (i: number, patch: Partial<EpisodeRow>, persist: boolean) => {
    rows[i] = { ...rows[i], ...patch };
    emit({ type: 'episode', season: season.name, run_id: header.run_id, row: rows[i] });
    if (persist) save();
  };
  emit({ type: 'season', summary: save() });

  let next = 0;
  const lane = async () => {
    while (!opts.signal?.aborted && next < season.episodes.length) {
      const i = next++;
      const { config } = season.episodes[i];
      update(i, { status: 'running', attempts: 1, worker: os.hostname(), started_at: new Date().toISOString() }, true);
      const outcome = await runEpisodeProcess(config, {
        runId: header.run_id, signal: opts.signal, onProgress: (p) => update(i, p, false),
      });
      update(i, {
        status: outcome.state, error: outcome.error, ...outcome.results,
        run_id: outcome.results?.run_id ?? (outcome.state === 'failed' ? undefined : outcome.runId),
        progress: undefined, phase: undefined, fps: undefined, eta_s: undefined, finished_at: new Date().toISOString(),
      }, true);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.jobs, season.episodes.length) }, lane));
  rows.forEach((r, i) => r.status === 'queued' && update(i, { status: 'cancelled' }, false));
  const summary = save();
  await writing;
  emit({ type: 'season', summary });
  return summary;
}
