// season.json's counts, state and totals from the rows; season.csv; the season-wide screen-time
// table when runs carry screen time per person.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EpisodeRow } from '../../server/season/season-events';
import { rowResults, seasonCsv, summarizeSeason, withoutLiveFields } from '../../server/season/summary';

const header = { season: 'S01', season_file: '/w/S01.season.yaml', run_id: 'r1', mode: 'local' as const, started_at: '2026-12-02T09:00:00.000Z' };
const row = (ep_id: string, extra: Partial<EpisodeRow>): EpisodeRow => ({ ep_id, status: 'queued', out_dir: `/o/${ep_id}`, ...extra });
const now = new Date('2026-12-02T10:00:00.000Z');

test('counts, state and totals follow the rows; totals count completed episodes only', () => {
  const rows = [
    row('E1', { status: 'completed', tracks: 5, id_switches: 1, wall_time_s: 10.25 }),
    row('E2', { status: 'completed', tracks: 3, id_switches: 0, wall_time_s: 4.5 }),
    row('E3', { status: 'failed', error: 'E3.mp4 is not a video file (ffmpeg: Invalid data)', wall_time_s: 1 }),
  ];
  const s = summarizeSeason(header, rows, now);
  assert.deepEqual(s.counts, { queued: 0, running: 0, completed: 2, failed: 1, cancelled: 0 });
  assert.deepEqual(s.totals, { wall_time_s: 14.75, tracks: 8, id_switches: 1 });
  assert.equal(s.state, 'failed');
  assert.equal(s.updated_at, '2026-12-02T10:00:00.000Z');
  assert.equal(summarizeSeason(header, [rows[0], row('E4', { status: 'running', progress: 40 })]).state, 'running');
  assert.equal(summarizeSeason(header, [rows[0], row('E4', { status: 'cancelled' })]).state, 'cancelled');
  assert.equal(summarizeSeason(header, rows.slice(0, 2)).state, 'completed');
  assert.equal(s.screen_time, undefined);
});

test('season.csv: one line per episode, quoted where needed; the files leave progress out', () => {
  const s = summarizeSeason(header, [
    row('E1', { status: 'completed', tracks: 5, id_switches: 1, wall_time_s: 10.25, attempts: 2, worker: 'host-a:12', run_id: 'r1-a2' }),
    row('E2', { status: 'failed', error: 'bad, "damaged" video', attempts: 1 }),
    row('E3', { status: 'running', progress: 50, phase: 'detect_track', fps: 90, eta_s: 12 }),
  ], now);
  const lines = seasonCsv(s).trim().split('\n');
  assert.equal(lines[0], 'ep_id,status,wall_time_s,video_duration_s,tracks,id_switches,forced_splits,cuts,attempts,worker,run_id,started_at,finished_at,error,out_dir');
  assert.equal(lines[1], 'E1,completed,10.25,,5,1,,,2,host-a:12,r1-a2,,,,/o/E1');
  assert.equal(lines[2], 'E2,failed,,,,,,,1,,,,,"bad, ""damaged"" video",/o/E2');
  assert.deepEqual(withoutLiveFields(s).episodes[2], { ep_id: 'E3', status: 'running', out_dir: '/o/E3' });
});

test('screen time per person: a season-wide table and a CSV column per person', () => {
  const s = summarizeSeason(header, [
    row('E1', { status: 'completed', screen_time_s: { Ana: 12.5, Ben: 3 } }),
    row('E2', { status: 'completed', screen_time_s: { Ben: 7.25, Cleo: 1 } }),
    row('E3', { status: 'completed' }),
  ], now);
  assert.deepEqual(s.screen_time, {
    people: ['Ana', 'Ben', 'Cleo'],
    by_episode: { E1: { Ana: 12.5, Ben: 3 }, E2: { Ben: 7.25, Cleo: 1 } },
    total_s: { Ana: 12.5, Ben: 10.25, Cleo: 1 },
  });
  const lines = seasonCsv(s).trim().split('\n');
  assert.ok(lines[0].endsWith(',screen_time_s:Ana,screen_time_s:Ben,screen_time_s:Cleo'));
  assert.ok(lines[2].endsWith(',,7.25,1'));
});

test('rowResults: screen time per person comes from the run\'s screentime.json', () => {
  const run = { run_id: 'r1', wall_time_s: 3, video_duration_s: 30, tracks: 16, id_switches: 0, forced_splits: 0, cuts: 11 } as Parameters<typeof rowResults>[0];
  const screen = { metrics: [{ name: 'Ana', visual_s: 10.125 }, { name: 'unknown-2', visual_s: 5.5 }] };
  assert.deepEqual(rowResults(run, screen).screen_time_s, { Ana: 10.125, 'unknown-2': 5.5 });
  assert.equal(rowResults(run).screen_time_s, undefined);
  assert.equal(rowResults(run, { metrics: [] }).screen_time_s, undefined);
});
