// Seasons on BullMQ with Debian's redis-server on a free port: three workers in three processes;
// one killed with kill -9 mid-episode (its job completes on another worker), a truncated video
// (its job fails with the engine's line, the rest complete), redis-server restarted mid-season
// (workers and the follower reconnect), re-attaching, and cancelling a season.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRuns } from '../../server/engine/history/run-history';
import { EpisodeLayout } from '../../server/engine/manifests/layout';
import { RedisServer, redisSkip } from '../helpers/redis-server';
import {
  assertRowMatchesRun, readSeasonJson, runSeasonCli, seasonVideos, startWorker, truncatedCopy, workerReady, writeSeason, type WorkerProcess,
} from '../helpers/season-fixtures';

let redis: RedisServer;
const workers: WorkerProcess[] = [];
// Short locks: a killed worker's job is free again after 3 s, checked every second.
const WORKER_FLAGS = ['--lock-s', '3', '--stall-check-s', '1'];

before(async () => {
  if (redisSkip) return;
  redis = await RedisServer.start();
});
after(async () => {
  for (const w of workers) w.proc.kill('SIGKILL');
  await redis?.stop();
});

async function startWorkers(n: number, flags = WORKER_FLAGS): Promise<WorkerProcess[]> {
  const started = Array.from({ length: n }, () => startWorker(redis.url, flags));
  workers.push(...started);
  await Promise.all(started.map((w) => workerReady(w)));
  return started;
}

async function stopWorkers(ws: WorkerProcess[]): Promise<void> {
  await Promise.all(ws.map((w) => w.proc.exitCode === null && w.proc.signalCode === null && new Promise((r) => {
    w.proc.once('exit', r);
    w.proc.kill('SIGTERM');
  })));
}

/** The runs of one season run in an episode's history that are marked completed. */
async function completedRuns(outDir: string, seasonRun: string): Promise<string[]> {
  return (await listRuns(EpisodeLayout.of(outDir)))
    .filter((r) => r.state === 'completed' && (r.run_id === seasonRun || r.run_id.startsWith(`${seasonRun}-a`)))
    .map((r) => r.run_id);
}

test('3 workers: a worker killed with -9 mid-episode loses nothing, a truncated video fails alone with its line', { skip: redisSkip, timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'season-queue-'));
  const videos = await seasonVideos(5);
  const [long] = await seasonVideos(1, { durationS: 12, width: 480, height: 270 });
  const truncated = truncatedCopy(videos[4], join(dir, 'truncated.mp4'));
  const file = writeSeason(dir, 'S01', [
    // Every frame on one thread: the episode runs long enough to kill its worker mid-way.
    { ep_id: 'E1', video: long, overrides: { stride: 1, threads: 1 } },
    { ep_id: 'E2', video: videos[0] }, { ep_id: 'E3', video: videos[1] }, { ep_id: 'E4', video: videos[2] },
    { ep_id: 'E5', video: videos[3] }, { ep_id: 'E6', video: truncated },
  ], { retries: { attempts: 3, backoff: 'fixed', delay_s: 1 } });
  const ws = await startWorkers(3);
  const follower = runSeasonCli(['--season', file, '--queue', redis.url]);

  // E1 under way on some worker: kill that worker outright.
  const worker = await follower.when((e) => (e.type === 'episode' && e.row.ep_id === 'E1' && (e.row.progress ?? 0) >= 5 ? e.row.worker : undefined));
  const victim = ws.find((w) => worker === `${hostname()}:${w.proc.pid}`)!;
  assert.ok(victim, `E1 runs on ${worker}`);
  victim.proc.kill('SIGKILL');

  assert.equal(await follower.exited, 1, `one episode failed, so the season did: ${follower.stderr}`);
  const s = readSeasonJson(join(dir, 'out', 'seasons', 'S01'));
  assert.deepEqual(s, follower.summary, 'the follower\'s last view is the file');
  assert.equal(s.state, 'failed');
  assert.deepEqual(s.counts, { queued: 0, running: 0, completed: 5, failed: 1, cancelled: 0 });
  const row = (id: string) => s.episodes.find((r) => r.ep_id === id)!;

  // The killed worker's episode: run again on another worker, completed once.
  assert.equal(row('E1').status, 'completed');
  assert.equal(row('E1').attempts, 2);
  assert.notEqual(row('E1').worker, worker);
  assert.equal(row('E1').run_id, `${s.run_id}-a2`);
  // The first try's engine saw its worker die and cancelled its run.
  assert.deepEqual((await listRuns(EpisodeLayout.of(row('E1').out_dir))).map((r) => [r.run_id, r.state]), [[s.run_id, 'cancelled'], [`${s.run_id}-a2`, 'completed']], ws.map((w) => w.log()).join('\n---\n'));

  // The truncated video: one try (an input error is not retried), the engine's own line.
  assert.equal(row('E6').status, 'failed');
  assert.equal(row('E6').attempts, 1);
  assert.match(row('E6').error!, /truncated\.mp4 may be damaged: decoded \d+ of ~\d+ frames.*the frames before the damage were processed/);
  assert.equal(row('E6').error!.split('\n').length, 1);

  for (const r of s.episodes.filter((e) => e.status === 'completed')) {
    assert.deepEqual(await completedRuns(r.out_dir, s.run_id), [r.run_id], `${r.ep_id}: one completed run for its job`);
    await assertRowMatchesRun(r);
  }
  await stopWorkers(ws);
});

test('redis-server restarted mid-season: workers and the follower reconnect, and the season completes', { skip: redisSkip, timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'season-restart-'));
  const videos = await seasonVideos(6);
  const file = writeSeason(dir, 'S02', videos.map((video, i) => ({ ep_id: `E${i + 1}`, video, overrides: { threads: 1 } })), { queue: redis.url });
  // Locks that outlast the restart, as the default 30 s do: no job is taken for stalled.
  const ws = await startWorkers(3, ['--lock-s', '15']);
  const follower = runSeasonCli(['--season', file]);
  await follower.when((e) => (e.type === 'episode' && e.row.status === 'running' ? true : undefined));
  await redis.restart();
  assert.equal(await follower.exited, 0, follower.stderr);
  const s = readSeasonJson(join(dir, 'out', 'seasons', 'S02'));
  assert.equal(s.state, 'completed');
  assert.equal(s.counts.completed, 6);
  for (const r of s.episodes) {
    assert.deepEqual(await completedRuns(r.out_dir, s.run_id), [r.run_id], `${r.ep_id}: one completed run for its job`);
    await assertRowMatchesRun(r);
  }
  assert.ok(ws.every((w) => /lost the connection/.test(w.log()) && /reconnected/.test(w.log())), ws.map((w) => w.log()).join('\n---\n'));
  await stopWorkers(ws);
});

test('a follower stopped with Ctrl-C leaves the season running; the same command attaches again; --cancel stops every job', { skip: redisSkip, timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'season-attach-'));
  const videos = await seasonVideos(4);
  const file = writeSeason(dir, 'S03', videos.map((video, i) => ({ ep_id: `E${i + 1}`, video, overrides: { stride: 1, threads: 1 } })), { queue: redis.url });
  const ws = await startWorkers(1);

  const first = runSeasonCli(['--season', file]);
  const runId = await first.when((e) => (e.type === 'episode' && e.row.status === 'running' ? e.run_id : undefined));
  first.proc.kill('SIGINT');
  assert.equal(await first.exited, 0, first.stderr);

  const second = runSeasonCli(['--season', file]);
  const attached = await second.when((e) => (e.type === 'log' ? e.message : undefined));
  assert.equal(attached, `attached to season run ${runId} on ${redis.url}`);
  await second.when((e) => (e.type === 'episode' && e.row.status === 'running' ? true : undefined));

  const cancel = runSeasonCli(['--season', file, '--cancel']);
  assert.equal(await cancel.exited, 130, cancel.stderr);
  assert.equal(await second.exited, 130, second.stderr);
  const s = readSeasonJson(join(dir, 'out', 'seasons', 'S03'));
  assert.equal(s.run_id, runId);
  assert.equal(s.state, 'cancelled');
  // The running one was stopped, the queued ones removed: nothing of the season runs or waits.
  assert.equal(s.counts.running + s.counts.queued, 0);
  assert.ok(s.counts.cancelled >= 3, JSON.stringify(s.counts));
  assert.ok(/cancelled/.test(ws[0].log()), ws[0].log());
  await stopWorkers(ws);
});
