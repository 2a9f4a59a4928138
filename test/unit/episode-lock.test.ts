// The episode lock across real processes: one holder at a time, a refusal that names it, a dead
// holder taken over (by exactly one of several racing processes), another host's live lock left
// alone, and a holder that lost its lock finding out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EpisodeBusyError, EpisodeLock, readLock, STALE_MS, type LockOwner } from '../../server/engine/manifests/episode-lock';
import { EpisodeLayout } from '../../server/engine/manifests/layout';

const HOLDER = resolve(__dirname, '../helpers/lock-holder.ts');
const episode = () => EpisodeLayout.of(join(mkdtempSync(join(tmpdir(), 'lock-')), 'ep'));

/** Starts a holder process; resolves with its first line (`held …` or `busy …`) and the process. */
function holder(layout: EpisodeLayout, holdMs = 60_000): Promise<{ line: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', HOLDER, layout.dir, String(holdMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolvePromise({ line: out.split('\n')[0], proc });
    });
    proc.on('error', reject);
    proc.on('exit', (code) => !out.includes('\n') && reject(new Error(`holder exited with ${code} before taking a side`)));
  });
}

const killed = (proc: ChildProcess) => new Promise<void>((r) => {
  if (proc.exitCode !== null || proc.signalCode !== null) return r();
  proc.once('exit', () => r());
  proc.kill('SIGKILL');
});

/** An owner.json as another process would have written it. */
function plantLock(layout: EpisodeLayout, owner: Partial<LockOwner>, ageMs = 0): void {
  mkdirSync(layout.lockDir, { recursive: true });
  const now = Date.now() - ageMs;
  const file = join(layout.lockDir, 'owner.json');
  writeFileSync(file, JSON.stringify({
    pid: 1, host: hostname(), pid_ns: readlinkSync('/proc/self/ns/pid'), started_at: new Date(now).toISOString(), heartbeat_at: new Date(now).toISOString(), purpose: 'run', nonce: 'planted', ...owner,
  }));
  utimesSync(file, new Date(now), new Date(now));
}

/** A pid that is certainly gone: a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

test('a second holder is refused with one line naming the first; after release the lock is free and nothing is left', async () => {
  const layout = episode();
  const lock = await EpisodeLock.acquire(layout, { purpose: 'run', runId: 'r1' });
  await assert.rejects(EpisodeLock.acquire(layout, { purpose: 'run', runId: 'r2' }), (e: Error) => {
    assert.ok(e instanceof EpisodeBusyError);
    assert.match(e.message, new RegExp(`^episode ep is busy: run r1 \\(pid ${process.pid} on ${hostname()}, since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\) holds it; wait for it to finish or cancel it \\(lock: .*episode\\.lock\\)$`));
    return true;
  });
  const other = await holder(layout);
  assert.match(other.line, /^busy episode ep is busy: run r1 \(pid \d+/);
  await lock.release();
  assert.deepEqual(readdirSync(layout.dir), [], 'no lock folder, no leftovers');
  const next = await EpisodeLock.acquire(layout, { purpose: 'run' });
  assert.equal(next.tookOver, undefined);
  await next.release();
});

test('the lock of a process killed outright is taken over, and the taker says whose it was', async () => {
  const layout = episode();
  const first = await holder(layout);
  assert.equal(first.line, 'held -');
  assert.equal((await readLock(layout))?.live, true);
  await killed(first.proc);
  assert.equal((await readLock(layout))?.live, false, 'a gone pid reads as dead');
  const lock = await EpisodeLock.acquire(layout, { purpose: 'run' });
  assert.equal(lock.tookOver?.pid, first.proc.pid);
  assert.equal(lock.tookOver?.run_id, `pid${first.proc.pid}`);
  assert.deepEqual(readdirSync(layout.dir), ['episode.lock'], 'the dead lock is not left beside it');
  await lock.release();
});

test('of several processes racing for a dead lock, exactly one takes it over', async () => {
  const layout = episode();
  const dead = deadPid();
  plantLock(layout, { pid: dead, nonce: 'dead' });
  const racers = await Promise.all(Array.from({ length: 5 }, () => holder(layout)));
  try {
    const held = racers.filter((r) => r.line.startsWith('held'));
    assert.equal(held.length, 1, racers.map((r) => r.line).join('\n'));
    assert.equal(held[0].line, `held ${dead}`);
    for (const r of racers.filter((x) => x !== held[0])) assert.match(r.line, new RegExp(`^busy .*pid${held[0].proc.pid} \\(pid ${held[0].proc.pid} `));
    assert.equal(JSON.parse(readFileSync(join(layout.lockDir, 'owner.json'), 'utf8')).pid, held[0].proc.pid);
  } finally {
    await Promise.all(racers.map((r) => killed(r.proc)));
  }
});

test('a reused pid does not keep a dead lock alive: the start time must match too', async () => {
  const layout = episode();
  plantLock(layout, { pid: process.pid, pid_start: 1 });
  assert.equal((await readLock(layout))?.live, false);
  const lock = await EpisodeLock.acquire(layout, { purpose: 'run' });
  assert.equal(lock.tookOver?.nonce, 'planted');
  await lock.release();
});

test('another host\'s lock is live while its heartbeat is fresh, and dead once it is older than STALE_MS', async () => {
  const layout = episode();
  plantLock(layout, { host: 'worker-7', pid_ns: undefined, pid: 4242 });
  await assert.rejects(EpisodeLock.acquire(layout, { purpose: 'run' }), /is busy: run \(pid 4242 on worker-7,/);
  plantLock(layout, { host: 'worker-7', pid_ns: undefined, pid: 4242, nonce: 'old' }, STALE_MS + 60_000);
  const lock = await EpisodeLock.acquire(layout, { purpose: 'run' });
  assert.equal(lock.tookOver?.host, 'worker-7');
  await lock.release();
});

test('a holder whose lock was taken over finds out, and its release leaves the new holder alone', async () => {
  const layout = episode();
  const lock = await EpisodeLock.acquire(layout, { purpose: 'run', runId: 'paused' });
  await lock.check();
  // What a taker on another host does once this holder's heartbeat is old.
  plantLock(layout, { host: 'worker-7', pid: 99, nonce: 'taker' });
  await assert.rejects(lock.check(), /^Error: episode ep: this run lost its lock to run \(pid 99 on worker-7, since .*\); it stops without writing more$/);
  await lock.release();
  assert.equal(JSON.parse(readFileSync(join(layout.lockDir, 'owner.json'), 'utf8')).nonce, 'taker');
});

test('an unreadable owner is a live unknown holder while recent, and taken over once old', async () => {
  const layout = episode();
  mkdirSync(layout.lockDir, { recursive: true });
  writeFileSync(join(layout.lockDir, 'owner.json'), '{"pid": ');
  await assert.rejects(EpisodeLock.acquire(layout, { purpose: 'run' }), /busy: an unknown process \(its owner\.json is unreadable\)/);
  const old = new Date(Date.now() - STALE_MS - 1000);
  utimesSync(layout.lockDir, old, old);
  const lock = await EpisodeLock.acquire(layout, { purpose: 'run' });
  assert.ok(lock.tookOver);
  await lock.release();
});

test('a lock folder that cannot be created says where, in one line', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lock-ro-'));
  writeFileSync(join(root, 'file'), '');
  const layout = new EpisodeLayout(join(root, 'file'), 'ep');
  await assert.rejects(EpisodeLock.acquire(layout, { purpose: 'run' }), (e: Error) => /^cannot write in .*file\/ep: ENOTDIR/.test(e.message) && !e.message.includes('\n'));
});
