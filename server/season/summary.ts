// season.json and season.csv: the season's rows, counts and totals, rebuilt whole from the
// rows each time and written atomically, so a reader never sees half a file and the last writer
// leaves a complete picture.
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../engine/manifests/atomic-file';
import type { RunSummary } from '../engine/history/run-summary';
import type { EpisodeLayout } from '../engine/manifests/layout';
import { EPISODE_STATUSES, type EpisodeRow, type EpisodeStatus, type SeasonState, type SeasonSummary } from './season-events';

export const SEASON_JSON = 'season.json';
export const SEASON_CSV = 'season.csv';

export interface SeasonHeader {
  season: string;
  season_file: string;
  run_id: string;
  mode: 'local' | 'queue';
  queue?: string;
  started_at: string;
}

export function summarizeSeason(header: SeasonHeader, rows: EpisodeRow[], now = new Date()): SeasonSummary {
  const counts = Object.fromEntries(EPISODE_STATUSES.map((s) => [s, 0])) as Record<EpisodeStatus, number>;
  for (const r of rows) counts[r.status]++;
  const done = rows.filter((r) => r.status === 'completed');
  const sum = (k: 'wall_time_s' | 'tracks' | 'id_switches') => round(done.reduce((n, r) => n + (r[k] ?? 0), 0));
  return {
    ...header,
    state: seasonState(counts, rows.length),
    updated_at: now.toISOString(),
    counts,
    totals: { wall_time_s: sum('wall_time_s'), tracks: sum('tracks'), id_switches: sum('id_switches') },
    episodes: rows,
    ...screenTimeTable(rows),
  };
}

function seasonState(c: Record<EpisodeStatus, number>, total: number): SeasonState {
  if (c.queued + c.running > 0) return 'running';
  if (c.completed === total) return 'completed';
  return c.cancelled > 0 ? 'cancelled' : 'failed';
}

/** The season-wide table, when any episode has screen time per person (a run with identities). */
function screenTimeTable(rows: EpisodeRow[]): Pick<SeasonSummary, 'screen_time'> {
  const withTime = rows.filter((r) => r.screen_time_s && Object.keys(r.screen_time_s).length);
  if (!withTime.length) return {};
  const people = [...new Set(withTime.flatMap((r) => Object.keys(r.screen_time_s!)))].sort();
  const byEpisode = Object.fromEntries(withTime.map((r) => [r.ep_id, r.screen_time_s!]));
  const total = Object.fromEntries(people.map((p) => [p, round(withTime.reduce((n, r) => n + (r.screen_time_s![p] ?? 0), 0))]));
  return { screen_time: { people, by_episode: byEpisode, total_s: total } };
}

/**
 * A finished run's numbers on its row, with each person's seconds from the run's screentime.json
 * (a run with identities) when given: name → visual_s.
 */
export function rowResults(run: RunSummary, screen?: { metrics?: { name: string; visual_s: number }[] }): Partial<EpisodeRow> {
  const people = screen?.metrics?.length ? Object.fromEntries(screen.metrics.map((m) => [m.name, m.visual_s])) : undefined;
  return {
    run_id: run.run_id,
    wall_time_s: run.wall_time_s,
    video_duration_s: run.video_duration_s,
    tracks: run.tracks,
    id_switches: run.id_switches,
    forced_splits: run.forced_splits,
    cuts: run.cuts,
    ...(people ? { screen_time_s: people } : {}),
  };
}

/** A recorded run's screentime.json, or undefined when it has none. */
export async function readRunScreenTime(layout: EpisodeLayout, runId: string): Promise<{ metrics?: { name: string; visual_s: number }[] } | undefined> {
  return readFile(layout.runManifest(runId, 'screentime'), 'utf8').then((t) => JSON.parse(t), () => undefined);
}

const CSV_COLUMNS = [
  'ep_id', 'status', 'wall_time_s', 'video_duration_s', 'tracks', 'id_switches', 'forced_splits', 'cuts',
  'attempts', 'worker', 'run_id', 'started_at', 'finished_at', 'error', 'out_dir',
] as const satisfies readonly (keyof EpisodeRow)[];

/** One line per episode; with identities, one column of seconds per person. */
export function seasonCsv(s: SeasonSummary): string {
  const people = s.screen_time?.people ?? [];
  const header = [...CSV_COLUMNS, ...people.map((p) => `screen_time_s:${p}`)];
  const lines = s.episodes.map((r) => [
    ...CSV_COLUMNS.map((c) => r[c]),
    ...people.map((p) => r.screen_time_s?.[p] ?? ''),
  ].map(csvCell).join(','));
  return [header.map(csvCell).join(','), ...lines].join('\n') + '\n';
}

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The summary as its files keep it: statuses and results, not the progress of running episodes. */
export function withoutLiveFields(s: SeasonSummary): SeasonSummary {
  return { ...s, episodes: s.episodes.map(({ progress: _p, phase: _ph, fps: _f, eta_s: _e, ...row }) => row) };
}

export async function writeSeasonSummary(dir: string, summary: SeasonSummary): Promise<void> {
  const s = withoutLiveFields(summary);
  await mkdir(dir, { recursive: true });
  await writeJsonAtomic(path.join(dir, SEASON_JSON), s);
  await writeFileAtomic(path.join(dir, SEASON_CSV), seasonCsv(s));
}

const round = (v: number) => Math.round(v * 1000) / 1000;
