// Bad season input through the installed bins: one clear line and exit 1, never a hang. Bad
// season files, bad flags, and a queue whose Redis cannot be reached (refused, or silent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectRedis } from '../../server/season/queue/redis-connection';
import { freePort } from '../helpers/redis-server';

const RUN = resolve(__dirname, '../../bin/episode-run.js');
const WORKER = resolve(__dirname, '../../bin/episode-worker.js');
const dir = mkdtempSync(join(tmpdir(), 'season-bad-'));
writeFileSync(join(dir, 'a.mp4'), 'not looked at before the queue is reached');

function run(bin: string, args: string[]): Promise<{ code: number | null; lines: string[]; seconds: number }> {
  const t0 = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, lines: stderr.trim().split('\n').filter(Boolean), seconds: (Date.now() - t0) / 1000 }));
  });
}

async function oneLine(bin: string, args: string[], pattern: RegExp): Promise<number> {
  const r = await run(bin, args);
  assert.equal(r.code, 1, `exit code of ${args.join(' ')}`);
  assert.deepEqual(r.lines.length, 1, `one line, got:\n${r.lines.join('\n')}`);
  assert.match(r.lines[0], pattern);
  return r.seconds;
}

const season = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return name;
};

test('season files: a duplicate ep_id and a missing video at their lines, a missing file', async () => {
  const dup = season('dup.season.yaml', 'episodes:\n  - { ep_id: e1, video: a.mp4 }\n  - { ep_id: e1, video: a.mp4 }\n');
  await oneLine(RUN, ['--season', dup], /^episode-run: dup\.season\.yaml:3:14: Duplicate ep_id `e1`: episode 1 \(line 2\) has it too\./);
  const missing = season('missing.season.yaml', 'episodes:\n  - ep_id: e1\n    video: nope.mp4\n');
  await oneLine(RUN, ['--season', missing], /^episode-run: missing\.season\.yaml:3:12: Video file not found: .*nope\.mp4\./);
  await oneLine(RUN, ['--season', 'absent.season.yaml'], /^episode-run: Season file not found: .*absent\.season\.yaml$/);
});

test('flags that do not go together, or are malformed', async () => {
  const ok = season('ok.season.yaml', 'episodes:\n  - { ep_id: e1, video: a.mp4 }\n');
  await oneLine(RUN, ['--season', ok, '--jobs', '0'], /--jobs must be a whole number from 1 to 64, got "0"/);
  await oneLine(RUN, ['--season', ok, '--stride', '2'], /--stride does not go with --season: episode settings belong in the season file/);
  await oneLine(RUN, ['--season', ok, '--queue', 'localhost:6379'], /--queue must be a Redis URL such as redis:\/\/127\.0\.0\.1:6379, got "localhost:6379"/);
  await oneLine(RUN, ['--season', ok, '--cancel'], /--cancel is for a season on a queue: give --queue URL or set `queue` in /);
  await oneLine(RUN, ['--jobs', '2'], /--jobs, --queue, --cancel and --detach go with --season FILE/);
  await oneLine(WORKER, [], /^episode-worker: give the queue: --queue redis:\/\/HOST:PORT/);
  await oneLine(WORKER, ['--queue', 'redis://127.0.0.1:6379', '--concurrency', '1.5'], /--concurrency must be a whole number from 1 to 64, got "1\.5"/);
});

test('an unreachable Redis: one clear line within 5 s, from the season and from a worker', async () => {
  const port = await freePort(); // nothing listens there
  const url = `redis://127.0.0.1:${port}`;
  const ok = season('q.season.yaml', `episodes:\n  - { ep_id: e1, video: a.mp4 }\nqueue: ${url}\n`);
  const refused = new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: connection refused \\(is redis-server running on that port\\?\\)$`);
  // Whole processes, started on a machine that may be loaded: the bound only proves there is no hang.
  assert.ok(await oneLine(RUN, ['--season', ok], refused) < 15);
  assert.ok(await oneLine(WORKER, ['--queue', url], refused) < 15);

  // A server that accepts the connection and never answers.
  const sockets: Socket[] = [];
  const silent = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const silentUrl = `redis://127.0.0.1:${(silent.address() as { port: number }).port}`;
  try {
    assert.ok(await oneLine(RUN, ['--season', ok, '--queue', silentUrl], /cannot reach Redis at .*: no answer within 3 s$/) < 15);
    // The connection itself, timed in this process: the answer comes within 5 s either way.
    for (const [target, reason] of [[url, /connection refused/], [silentUrl, /no answer within 3 s/]] as const) {
      const t0 = performance.now();
      await assert.rejects(connectRedis(target, 'test'), reason);
      assert.ok(performance.now() - t0 < 5000, `${target}: ${performance.now() - t0} ms`);
    }
  } finally {
    sockets.forEach((s) => s.destroy());
    silent.close();
  }
});
