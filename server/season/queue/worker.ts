// `episode-worker`: takes episode jobs from the queue and runs each exactly as `episode-run`
// runs one episode, in an engine process of its own. BullMQ brings the rest: a job whose worker
// died is found by its stalled-job check and run again elsewhere, failures are retried with the
// season's backoff, and a cancelled season's running jobs are stopped through a custom event.
import * as os from 'node:os';
import { DelayedError, Queue, QueueEvents, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { listRuns, readRunMetrics } from '../../engine/history/run-history';
import { summarizeMetrics } from '../../engine/history/run-summary';
import { EpisodeLayout } from '../../engine/manifests/layout';
import { runEpisodeProcess } from '../episode-process';
import type { EpisodeRow } from '../season-events';
import { readRunScreenTime, rowResults } from '../summary';
import { rebuildSummary } from './queue-summary';
import { QUEUE_NAME, connectRedis, redactUrl } from './redis-connection';
import { CANCEL_EVENT } from './season-queue';
import { CANCELLED, readRecord, type EpisodeJobData, type EpisodeJobResult } from './season-record';

export interface SeasonWorkerOptions {
  /** Episodes at once. */
  concurrency: number;
  /** How long a job's lock lasts without renewal: a dead worker's job is free again after it. */
  lockMs: number;
  /** How often this worker looks for jobs whose worker died. */
  stalledCheckMs: number;
  log: (line: string) => void;
}

export interface SeasonWorker {
  name: string;
  /** Stops taking jobs; running episodes are cancelled and go back to the queue for another worker. */
  close(): Promise<void>;
}

/** A job whose worker died is run again this many times before it fails. */
const MAX_STALLED = 2;
/** A job whose episode another run holds waits this long before it tries again. */
const BUSY_RETRY_MS = 5000;

export async function startSeasonWorker(url: string, opts: SeasonWorkerOptions): Promise<SeasonWorker> {
  const redis = await connectRedis(url, 'episode-lab:worker');
  const name = `${os.hostname()}:${process.pid}`;
  const log = opts.log;
  const queue = new Queue(QUEUE_NAME, { connection: redis });
  const stopping = new AbortController();
  const running = new Set<string>();
  /** Jobs whose lock this worker lost (Redis away longer than the lock): they are someone else's now. */
  const lost = new Set<string>();

  const worker = new Worker<EpisodeJobData, EpisodeJobResult>(QUEUE_NAME, async (job, token, signal) => {
    running.add(job.id!);
    try {
      return await processEpisode(job, token, signal);
    } finally {
      running.delete(job.id!);
    }
  }, {
    connection: redis, concurrency: opts.concurrency, name,
    lockDuration: opts.lockMs, stalledInterval: opts.stalledCheckMs, maxStalledCount: MAX_STALLED,
  });

  async function processEpisode(job: Job<EpisodeJobData, EpisodeJobResult>, token: string | undefined, signal: AbortSignal | undefined): Promise<EpisodeJobResult> {
    const { season_run: seasonRun, config } = job.data;
    if ((await readRecord(redis, seasonRun))?.cancelled) throw new UnrecoverableError(`${CANCELLED} the season was cancelled`);
    // A worker that died between the run's end and the job's completion left a finished run.
    const finished = await completedRun(new EpisodeLayout(config.output_root, config.ep_id), seasonRun);
    if (finished) {
      log(`${job.id}: already completed as run ${finished.run_id}; not run again`);
      return { state: 'completed', worker: name, results: finished };
    }
    // Each try is a run of its own in the episode's history.
    const runId = job.attemptsStarted > 1 ? `${seasonRun}-a${job.attemptsStarted}` : seasonRun;
    log(`${job.id}: running ${config.ep_id} (try ${job.attemptsStarted}, run ${runId})`);
    const stop = AbortSignal.any([stopping.signal, ...(signal ? [signal] : [])]);
    const outcome = await runEpisodeProcess(config, {
      runId, signal: stop, onProgress: (p) => void job.updateProgress({ ...p, worker: name }).catch(() => undefined),
    });
    log(`${job.id}: ${outcome.state}${outcome.error ? `: ${outcome.error}` : ''}`);
    if (lost.delete(job.id!)) throw new Error(`${name} lost the job's lock and stopped its run; another try goes on`);
    if (outcome.state === 'completed') return { state: 'completed', worker: name, results: outcome.results! };
    if (signal?.aborted) throw new UnrecoverableError(`${CANCELLED} ${String(signal.reason ?? 'the season was cancelled')}`);
    if (stopping.signal.aborted) {
      // This worker is stopping, not the episode failing: back to the queue, no try spent.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (outcome.busy) {
      // Another run holds the episode: the one this job had before (a worker that lost it and is
      // still stopping), or someone else's. Wait for it without spending a try.
      log(`${job.id}: ${outcome.error}; trying again in ${BUSY_RETRY_MS / 1000} s`);
      await job.moveToDelayed(Date.now() + BUSY_RETRY_MS, token);
      throw new DelayedError();
    }
    if (outcome.state === 'cancelled') throw new Error(`the engine of ${config.ep_id} was stopped on ${name}`);
    // A bad or damaged video fails the same way every time.
    if (outcome.inputError) throw new UnrecoverableError(outcome.error);
    throw new Error(outcome.error);
  }

  const refresh = (job: Job<EpisodeJobData> | undefined) => {
    if (!job) return;
    rebuildSummary(queue, redis, job.data.season_run).catch((e) => log(`season summary of ${job.data.season_run} not written: ${(e as Error).message}`));
  };
  worker.on('completed', refresh);
  worker.on('failed', (job, err) => {
    if (err instanceof DelayedError || err instanceof WaitingError) return;
    refresh(job);
  });
  worker.on('stalled', (jobId) => log(`${jobId}: its worker stopped answering; the job goes back to the queue`));
  // The lock expired (Redis was away longer than it): the stalled check may have handed the job to
  // another worker, so this run stops rather than race that one in the same episode folder.
  worker.on('lockRenewalFailed', (jobIds) => {
    for (const id of jobIds) {
      if (!running.has(id) || lost.has(id)) continue;
      lost.add(id);
      log(`${id}: lost its lock; stopping this run of it`);
      worker.cancelJob(id, 'lock lost');
    }
  });
  worker.on('error', (e) => log(`worker: ${e.message}`));

  // Cancels reach every worker; only the one running the season's jobs acts on them.
  const eventsRedis = redis.duplicate();
  const events = new QueueEvents(QUEUE_NAME, { connection: eventsRedis });
  events.on('error', () => {});
  events.on(CANCEL_EVENT as 'error', ((args: { run_id: string }) => {
    for (const id of running) if (id.startsWith(`${args.run_id}.`)) worker.cancelJob(id, 'the season was cancelled');
  }) as never);

  let disconnected = false;
  redis.on('close', () => {
    if (!disconnected && !stopping.signal.aborted) log(`lost the connection to ${redactUrl(url)}; reconnecting (running episodes go on)`);
    disconnected = true;
  });
  redis.on('ready', () => {
    if (disconnected) log(`reconnected to ${redactUrl(url)}`);
    disconnected = false;
  });
  await worker.waitUntilReady();
  log(`worker ${name} on ${redactUrl(url)}: up to ${opts.concurrency} episode${opts.concurrency > 1 ? 's' : ''} at once`);

  return {
    name,
    async close() {
      stopping.abort();
      await worker.close();
      await events.close();
      await queue.close();
      eventsRedis.disconnect();
      redis.disconnect();
    },
  };
}

/** A completed, undamaged run of this season in the episode's history: its results. */
async function completedRun(layout: EpisodeLayout, seasonRun: string): Promise<Partial<EpisodeRow> | undefined> {
  const runs = await listRuns(layout);
  for (const r of runs) {
    if (r.state !== 'completed' || (r.run_id !== seasonRun && !r.run_id.startsWith(`${seasonRun}-a`))) continue;
    const metrics = await readRunMetrics(layout, r.run_id).catch(() => undefined);
    if (metrics && !metrics.stats.decode_warning) return rowResults(summarizeMetrics(metrics), await readRunScreenTime(layout, r.run_id));
  }
  return undefined;
}
