// `episode-run --season` on this machine: six generated episodes two at a time; season.json and
// season.csv against each run's own track_metrics.json; a cancel stops the season.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRuns } from '../../server/engine/history/run-history';
import { EpisodeLayout } from '../../server/engine/manifests/layout';
import {
  assertRowMatchesRun, readSeasonJson, runSeasonCli, seasonVideos, writeSeason,
} from '../helpers/season-fixtures';

test('a season of 6 episodes with --jobs 2: all complete, two at a time, and season.json and season.csv hold each run\'s own metrics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'season-local-'));
  const videos = await seasonVideos(6);
  const file = writeSeason(dir, 'S01', videos.map((video, i) => ({ ep_id: `S01E0${i + 1}`, video })));
  const run = runSeasonCli(['--season', file, '--jobs', '2']);
  assert.equal(await run.exited, 0, run.stderr);

  // Never more than two at once, and two at once at some point.
  const running = new Set<string>();
  let most = 0;
  for (const e of run.events) {
    if (e.type !== 'episode') continue;
    if (e.row.status === 'running') running.add(e.row.ep_id);
    else running.delete(e.row.ep_id);
    most = Math.max(most, running.size);
  }
  assert.equal(most, 2);

  const summaryDir = join(dir, 'out', 'seasons', 'S01');
  const s = readSeasonJson(summaryDir);
  assert.deepEqual(s, run.summary ? { ...run.summary } : undefined, 'the last event is the file');
  assert.equal(s.state, 'completed');
  assert.deepEqual(s.counts, { queued: 0, running: 0, completed: 6, failed: 0, cancelled: 0 });
  assert.deepEqual(s.episodes.map((r) => r.ep_id), ['S01E01', 'S01E02', 'S01E03', 'S01E04', 'S01E05', 'S01E06']);
  for (const row of s.episodes) {
    assert.equal(row.run_id, s.run_id, 'every episode\'s run takes the season run\'s id');
    await assertRowMatchesRun(row);
    // An ordinary run: in the episode's own history.
    assert.deepEqual((await listRuns(EpisodeLayout.of(row.out_dir))).map((r) => r.run_id), [s.run_id]);
  }
  assert.equal(s.totals.tracks, s.episodes.reduce((n, r) => n + r.tracks!, 0));
  assert.ok(s.totals.tracks > 0, 'the generated episodes have faces');

  const csv = readFileSync(join(summaryDir, 'season.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const col = (name: string) => csv[0].indexOf(name);
  assert.equal(csv.length, 7);
  for (const [i, row] of s.episodes.entries()) {
    const line = csv[i + 1];
    assert.deepEqual([line[col('ep_id')], line[col('status')], Number(line[col('tracks')]), Number(line[col('id_switches')]), Number(line[col('wall_time_s')])],
      [row.ep_id, 'completed', row.tracks, row.id_switches, row.wall_time_s]);
  }
});

test('Ctrl-C stops a local season: the running episodes are cancelled, the rest never start, exit 130', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'season-cancel-'));
  const videos = await seasonVideos(3);
  // Every frame analysed on one thread: long enough to be stopped mid-run.
  const file = writeSeason(dir, 'S02', videos.map((video, i) => ({ ep_id: `E${i + 1}`, video, overrides: { stride: 1, threads: 1 } })));
  const run = runSeasonCli(['--season', file]);
  await run.when((e) => (e.type === 'episode' && e.row.ep_id === 'E1' && (e.row.progress ?? 0) > 0 ? true : undefined));
  run.proc.kill('SIGINT');
  assert.equal(await run.exited, 130, run.stderr);
  const s = readSeasonJson(join(dir, 'out', 'seasons', 'S02'));
  assert.equal(s.state, 'cancelled');
  assert.deepEqual(s.episodes.map((r) => r.status), ['cancelled', 'cancelled', 'cancelled']);
  // E1's run was cancelled and recorded as such; the others never ran.
  assert.deepEqual((await listRuns(EpisodeLayout.of(s.episodes[0].out_dir))).map((r) => [r.run_id, r.state]), [[s.run_id, 'cancelled']]);
  assert.deepEqual(await listRuns(EpisodeLayout.of(s.episodes[1].out_dir)), []);
});
