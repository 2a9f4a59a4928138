// season.json of a queue run, rebuilt from the truth: the season's record and its jobs' states
// in Redis. Every worker rebuilds it after each job it finishes, and a follower as events come,
// on any number of machines: a lock in Redis makes the rebuilds take turns, so the file that
// stays is always the newest view, and each rebuild writes (atomically) only what changed.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SeasonSummary } from '../season-events';
import { SEASON_JSON, summarizeSeason, withoutLiveFields, writeSeasonSummary } from '../summary';
import { KEY_PREFIX } from './redis-connection';
import { readRecord, rowOfJob } from './season-record';

const LOCK_MS = 15_000;
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** The season run's summary now; season.json is rewritten when its rows changed. Undefined: no such run. */
export async function rebuildSummary(queue: Queue, redis: Redis, runId: string): Promise<SeasonSummary | undefined> {
  return withLock(redis, `${KEY_PREFIX}:season:${runId}:summary-lock`, async () => {
    const record = await readRecord(redis, runId);
    if (!record) return undefined;
    const rows = await Promise.all(record.episodes.map((e) => rowOfJob(queue, runId, e)));
    const summary = summarizeSeason({
      season: record.season, season_file: record.season_file, run_id: runId, mode: 'queue', queue: record.queue, started_at: record.started_at,
    }, rows);
    const onFile = await unchangedOnFile(record.summary_dir, summary);
    if (!onFile) await writeSeasonSummary(record.summary_dir, summary);
    // Unchanged: the view is the file's, timestamp included, so a follower's last view is the file.
    return onFile ? { ...summary, updated_at: onFile.updated_at } : summary;
  });
}

/** season.json when it already holds this view (live fields aside), else undefined. */
async function unchangedOnFile(dir: string, s: SeasonSummary): Promise<SeasonSummary | undefined> {
  try {
    const old = JSON.parse(await readFile(path.join(dir, SEASON_JSON), 'utf8')) as SeasonSummary;
    const same = old.run_id === s.run_id && old.state === s.state && JSON.stringify(old.episodes) === JSON.stringify(withoutLiveFields(s).episodes);
    return same ? old : undefined;
  } catch {
    return undefined;
  }
}

async function withLock<T>(redis: Redis, key: string, fn: () => Promise<T>): Promise<T> {
  const token = randomUUID();
  // A holder that died frees the lock when it expires, so waiting twice its life is enough.
  const deadline = Date.now() + 2 * LOCK_MS;
  while ((await redis.set(key, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
    if (Date.now() > deadline) throw new Error(`the season summary lock ${key} stayed taken for ${(2 * LOCK_MS) / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    return await fn();
  } finally {
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
}
