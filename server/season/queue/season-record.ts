// A season run on the queue: its record in Redis (which episodes, where the summary goes,
// whether it was cancelled), its jobs' data and results, and an episode's row read from its job.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EpisodeConfig } from '../../config/episode-config';
import type { EpisodeProgress } from '../episode-process';
import type { EpisodeRow, EpisodeStatus } from '../season-events';
import { KEY_PREFIX } from './redis-connection';

export interface SeasonRecord {
  season: string;
  season_file: string;
  run_id: string;
  summary_dir: string;
  /** The queue's Redis, without a password. */
  queue: string;
  started_at: string;
  episodes: { ep_id: string; out_dir: string; video: string }[];
  cancelled?: boolean;
}

/** What a job carries: everything a worker on another machine needs, paths absolute. */
export interface EpisodeJobData {
  season: string;
  season_run: string;
  ep_id: string;
  config: EpisodeConfig;
}

/** A job's progress: the engine's, and who runs it. */
export type EpisodeJobProgress = EpisodeProgress & { worker: string };

/** A job's return value. */
export interface EpisodeJobResult {
  state: 'completed';
  worker: string;
  results: Partial<EpisodeRow>;
}

/** A failed job's reason starts with this when the season was cancelled. */
export const CANCELLED = 'cancelled:';

/** Records outlive their jobs' removal by BullMQ's age limit. */
const RECORD_TTL_S = 60 * 86400;
export const JOB_KEEP_S = 30 * 86400;

const recordKey = (runId: string) => `${KEY_PREFIX}:season:${runId}`;
export const jobIdOf = (runId: string, epId: string) => `${runId}.${epId}`;

export async function saveRecord(redis: Redis, r: SeasonRecord): Promise<void> {
  await redis.set(recordKey(r.run_id), JSON.stringify(r), 'EX', RECORD_TTL_S);
}

export async function readRecord(redis: Redis, runId: string): Promise<SeasonRecord | undefined> {
  const text = await redis.get(recordKey(runId));
  return text ? (JSON.parse(text) as SeasonRecord) : undefined;
}

/** An episode's row, from its job's state, progress, result or failure. */
export async function rowOfJob(queue: Queue, runId: string, ep: SeasonRecord['episodes'][number]): Promise<EpisodeRow> {
  const row: EpisodeRow = { ep_id: ep.ep_id, status: 'queued', out_dir: ep.out_dir, video: ep.video };
  const job = await queue.getJob(jobIdOf(runId, ep.ep_id));
  // Gone: removed by a cancel before it ran (or aged out long after).
  if (!job) return { ...row, status: 'cancelled' };
  const state = await job.getState();
  const status: EpisodeStatus = state === 'active' ? 'running' : state === 'completed' ? 'completed' : state === 'failed'
    ? (job.failedReason?.startsWith(CANCELLED) ? 'cancelled' : 'failed') : state === 'unknown' ? 'cancelled' : 'queued';
  const progress = (typeof job.progress === 'object' ? job.progress : {}) as Partial<EpisodeJobProgress>;
  const result = job.returnvalue as EpisodeJobResult | null;
  return {
    ...row,
    status,
    ...(status === 'running' ? { phase: progress.phase, progress: progress.progress, fps: progress.fps, eta_s: progress.eta_s } : {}),
    ...(status === 'completed' && result ? result.results : {}),
    attempts: job.attemptsStarted || undefined,
    worker: result?.worker ?? progress.worker ?? job.processedBy,
    // A queued job that failed before waits for its retry: say why.
    error: status === 'failed' || status === 'cancelled' || (status === 'queued' && job.failedReason)
      ? job.failedReason?.replace(CANCELLED, '').trim() || undefined : undefined,
    started_at: job.processedOn ? new Date(job.processedOn).toISOString() : undefined,
    finished_at: job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined,
  };
}
