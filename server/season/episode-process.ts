// One episode of a season, run exactly as `episode-run --config` runs it, in a child process of
// its own: a crash of the engine fails that episode only, and a cancel is a SIGINT. The local
// runner and the queue worker both run episodes through here.
import { rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EpisodeConfig } from '../config/episode-config';
import { readRunMetrics } from '../engine/history/run-history';
import { summarizeMetrics } from '../engine/history/run-summary';
import type { Phase, RunEvent, RunState } from '../engine/events';
import { EpisodeLayout } from '../engine/manifests/layout';
import { startEngine } from '../lsp/engine-process';
import type { EpisodeRow } from './season-events';
import { readRunScreenTime, rowResults } from './summary';

/** What a running episode shows: its phase and progress. */
export type EpisodeProgress = Pick<EpisodeRow, 'phase' | 'progress' | 'fps' | 'eta_s'>;

export interface EpisodeOutcome {
  state: 'completed' | 'failed' | 'cancelled';
  runId: string;
  /** The engine's one line, for a failed episode. */
  error?: string;
  /** The video or the config is at fault: trying again cannot help. */
  inputError?: boolean;
  /** Refused: another run holds the episode's lock (`error` names it). */
  busy?: boolean;
  /** A completed run's numbers, from its track_metrics.json. */
  results?: Partial<EpisodeRow>;
}

export interface EpisodeProcessOptions {
  runId: string;
  signal?: AbortSignal;
  onProgress?: (p: EpisodeProgress) => void;
  log?: (line: string) => void;
  /** Progress at most this often, phase changes always; default 500 ms. */
  progressEveryMs?: number;
}

export async function runEpisodeProcess(config: EpisodeConfig, opts: EpisodeProcessOptions): Promise<EpisodeOutcome> {
  // JSON is YAML: the engine reads the resolved config as it reads any config file.
  const configPath = path.join(os.tmpdir(), `episode-lab-${config.ep_id}-${opts.runId}-${process.pid}.episode.yaml`);
  await writeFile(configPath, JSON.stringify(config));
  let phase: Phase = 'init';
  let last = 0;
  let summaryState: RunState | undefined;
  const every = opts.progressEveryMs ?? 500;
  const onEvent = (e: RunEvent) => {
    if (e.type === 'phase') {
      phase = e.phase;
      opts.onProgress?.({ phase });
    } else if (e.type === 'progress' && Date.now() - last >= every) {
      last = Date.now();
      const progress = e.frames_total > 0 ? Math.min(100, Math.round((1000 * e.frames_done) / e.frames_total) / 10) : 0;
      opts.onProgress?.({ phase, progress, fps: Math.round(e.fps), eta_s: e.eta_s === null ? null : Math.round(e.eta_s) });
    } else if (e.type === 'summary') {
      summaryState = e.state;
    }
  };
  const engine = startEngine(configPath, onEvent, { log: opts.log ?? (() => {}), runId: opts.runId });
  const cancel = () => engine.cancel();
  opts.signal?.addEventListener('abort', cancel);
  try {
    const exit = await engine.exited;
    if (exit.code === 130 || (exit.code === 0 && summaryState === 'cancelled')) return { state: 'cancelled', runId: opts.runId };
    if (exit.code !== 0) return { state: 'failed', runId: opts.runId, error: oneLine(exit.error), inputError: exit.inputError, busy: exit.busy };
    const layout = new EpisodeLayout(config.output_root, config.ep_id);
    const metrics = await readRunMetrics(layout, opts.runId);
    return { state: 'completed', runId: opts.runId, results: rowResults(summarizeMetrics(metrics), await readRunScreenTime(layout, opts.runId)) };
  } finally {
    opts.signal?.removeEventListener('abort', cancel);
    await rm(configPath, { force: true });
  }
}

/** One line of an error: a crash's stderr tail has its error line among the stack and Node's version. */
function oneLine(error: string | undefined): string {
  const lines = (error ?? '').trim().split('\n').map((l) => l.trim()).filter(Boolean);
  return [...lines].reverse().find((l) => /error/i.test(l)) ?? lines[lines.length - 1] ?? 'the engine failed without a message';
}
