// The season's side of the queue: enqueue one BullMQ job per episode, follow the jobs through
// BullMQ's events (and attach again later to a season still running), or cancel them all.
import * as path from 'node:path';
import { Queue, QueueEvents, QueueEventsProducer } from 'bullmq';
import type { Redis } from 'ioredis';
import { newRunId } from '../../engine/history/run-history';
import type { EpisodeRow, SeasonEvent, SeasonSummary } from '../season-events';
import type { Season } from '../season-file';
import { rebuildSummary } from './queue-summary';
import { KEY_PREFIX, QUEUE_NAME, connectRedis, redactUrl } from './redis-connection';
import { JOB_KEEP_S, jobIdOf, readRecord, saveRecord, type EpisodeJobData, type EpisodeJobProgress, type SeasonRecord } from './season-record';

/** The custom BullMQ event that tells every worker to stop a season's running jobs. */
export const CANCEL_EVENT = 'season-cancel';
/** Events can be missed while Redis restarts: the jobs are read again this often. */
const RECONCILE_MS = 3000;
const CANCEL_WAIT_MS = 60_000;

/** The newest run of a season, by its summary folder (the same path on every machine). */
const latestKey = (season: Season) => `${KEY_PREFIX}:latest:${season.summaryDir}`;

export interface FollowOptions {
  /** Enqueue (or find the running season) and return without following. */
  detach?: boolean;
  /** Aborting detaches: the jobs go on. */
  signal?: AbortSignal;
  onEvent?: (e: SeasonEvent) => void;
}

export interface Followed {
  summary?: SeasonSummary;
  /** Set when it returned without waiting for the end: how to follow again. */
  detached?: string;
}

interface Session {
  redis: Redis;
  queue: Queue<EpisodeJobData>;
  close(): Promise<void>;
}

async function open(url: string, role: string): Promise<Session> {
  const redis = await connectRedis(url, `episode-lab:${role}`);
  const queue = new Queue<EpisodeJobData>(QUEUE_NAME, { connection: redis });
  queue.on('error', () => {}); // the connection reconnects by itself; commands wait for it
  return {
    redis, queue,
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}

/**
 * Runs the season on the queue: attaches to its newest run while that is unfinished, else
 * enqueues a new run. Then follows its jobs to the end, unless detached.
 */
export async function followSeason(season: Season, url: string, opts: FollowOptions = {}): Promise<Followed> {
  const emit = opts.onEvent ?? (() => {});
  const s = await open(url, 'season');
  try {
    const running = await unfinishedRun(s, season);
    const runId = running?.run_id ?? (await enqueue(s, season, url));
    emit({ type: 'log', season: season.name, level: 'info', message: running
      ? `attached to season run ${runId} on ${redactUrl(url)}`
      : `enqueued season run ${runId}: ${season.episodes.length} episodes on ${redactUrl(url)}` });
    let summary = (await rebuildSummary(s.queue, s.redis, runId))!;
    emit({ type: 'season', summary });
    const again = `follow it with: episode-run --season ${season.file} --queue ${redactUrl(url)}`;
    if (opts.detach) return { detached: `season ${season.name}: run ${runId} goes on on the queue; ${again}` };
    summary = await followRun(s, runId, summary, emit, opts.signal);
    if (summary.state === 'running') return { summary, detached: `detached from season run ${runId}; its jobs go on; ${again}` };
    emit({ type: 'season', summary });
    return { summary };
  } finally {
    await s.close();
  }
}

async function unfinishedRun(s: Session, season: Season): Promise<SeasonRecord | undefined> {
  const runId = await s.redis.get(latestKey(season));
  const record = runId ? await readRecord(s.redis, runId) : undefined;
  if (!record || record.cancelled) return undefined;
  const summary = await rebuildSummary(s.queue, s.redis, record.run_id);
  return summary?.state === 'running' ? record : undefined;
}

async function enqueue(s: Session, season: Season, url: string): Promise<string> {
  const runId = newRunId();
  await saveRecord(s.redis, {
    season: season.name, season_file: season.file, run_id: runId, summary_dir: season.summaryDir, queue: redactUrl(url),
    started_at: new Date().toISOString(),
    episodes: season.episodes.map((e) => ({ ep_id: e.ep_id, out_dir: path.join(e.config.output_root, e.ep_id), video: e.video })),
  });
  const { attempts, backoff, delay_s } = season.retries;
  await s.queue.addBulk(season.episodes.map((e) => ({
    name: e.ep_id,
    data: { season: season.name, season_run: runId, ep_id: e.ep_id, config: e.config },
    opts: {
      jobId: jobIdOf(runId, e.ep_id), attempts, backoff: { type: backoff, delay: delay_s * 1000 },
      // Kept for the summary (and a re-attach), then aged out.
      removeOnComplete: { age: JOB_KEEP_S }, removeOnFail: { age: JOB_KEEP_S },
    },
  })));
  await s.redis.set(latestKey(season), runId);
  return runId;
}

/** Follows a run's jobs until every one has finished, or until `signal` aborts. */
async function followRun(s: Session, runId: string, first: SeasonSummary, emit: (e: SeasonEvent) => void, signal?: AbortSignal): Promise<SeasonSummary> {
  // Reading the events stream blocks its connection: it gets one of its own.
  const eventsRedis = s.redis.duplicate();
  const events = new QueueEvents(QUEUE_NAME, { connection: eventsRedis });
  events.on('error', () => {});
  const shown = new Map(first.episodes.map((r) => [r.ep_id, JSON.stringify(r)]));
  const show = (row: EpisodeRow) => {
    const text = JSON.stringify(row);
    if (shown.get(row.ep_id) === text) return;
    shown.set(row.ep_id, text);
    emit({ type: 'episode', season: first.season, run_id: runId, row });
  };
  const ours = (jobId: string) => jobId.startsWith(`${runId}.`);
  return new Promise<SeasonSummary>((resolve) => {
    let latest = first;
    let rebuilding = false;
    let again = false;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      signal?.removeEventListener('abort', finish);
      void events.close().finally(() => {
        eventsRedis.disconnect();
        resolve(latest);
      });
    };
    // One rebuild at a time; a request during one runs once more after it.
    const rebuild = async () => {
      if (rebuilding) return void (again = true);
      rebuilding = true;
      do {
        again = false;
        const summary = await rebuildSummary(s.queue, s.redis, runId).catch(() => undefined);
        if (summary && !finished) {
          latest = summary;
          summary.episodes.forEach(show);
        }
      } while (again);
      rebuilding = false;
      if (latest.state !== 'running') finish();
    };
    events.on('progress', ({ jobId, data }) => {
      if (!ours(jobId)) return;
      const epId = jobId.slice(runId.length + 1);
      const row = latest.episodes.find((r) => r.ep_id === epId);
      const p = data as Partial<EpisodeJobProgress>;
      if (row) show({ ...row, status: 'running', phase: p.phase ?? row.phase, progress: p.progress ?? row.progress, fps: p.fps ?? row.fps, eta_s: p.eta_s ?? row.eta_s, worker: p.worker ?? row.worker });
    });
    for (const name of ['active', 'completed', 'failed', 'waiting', 'delayed', 'removed', 'stalled'] as const) {
      events.on(name, ({ jobId }: { jobId: string }) => void (ours(jobId) && rebuild()));
    }
    const timer = setInterval(() => void rebuild(), RECONCILE_MS);
    signal?.addEventListener('abort', finish);
    void rebuild();
  });
}

/**
 * Cancels the newest run of a season: marks it cancelled (a worker starting one of its jobs
 * drops it), removes its queued jobs, and asks every worker to stop the running ones. Resolves
 * with the summary once nothing runs any more (or after a minute); undefined when there is no run.
 */
export async function cancelSeason(season: Season, url: string, opts: { onEvent?: (e: SeasonEvent) => void } = {}): Promise<SeasonSummary | undefined> {
  const s = await open(url, 'season-cancel');
  try {
    const runId = await s.redis.get(latestKey(season));
    const record = runId ? await readRecord(s.redis, runId) : undefined;
    if (!record) return undefined;
    await saveRecord(s.redis, { ...record, cancelled: true });
    for (const e of record.episodes) {
      const job = await s.queue.getJob(jobIdOf(record.run_id, e.ep_id));
      const state = await job?.getState();
      // A job that turned active meanwhile is locked and stays: the cancel event reaches it.
      if (state === 'waiting' || state === 'delayed' || state === 'prioritized') await job!.remove().catch(() => undefined);
    }
    const producer = new QueueEventsProducer(QUEUE_NAME, { connection: s.redis });
    await producer.publishEvent({ eventName: CANCEL_EVENT, run_id: record.run_id });
    await producer.close();
    let summary = (await rebuildSummary(s.queue, s.redis, record.run_id))!;
    for (const end = Date.now() + CANCEL_WAIT_MS; summary.counts.running > 0 && Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 500));
      summary = (await rebuildSummary(s.queue, s.redis, record.run_id))!;
    }
    opts.onEvent?.({ type: 'season', summary });
    return summary;
  } finally {
    await s.close();
  }
}
