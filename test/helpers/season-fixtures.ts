// Seasons of generated episodes for the season tests and the bench, and the built
// `episode-run --season` and `episode-worker` as child processes.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
import { readRunMetrics } from '../../server/engine/history/run-history';
import { EpisodeLayout } from '../../server/engine/manifests/layout';
import type { SeasonEvent, SeasonSummary } from '../../server/season/season-events';
import { generateEpisode } from '../fixtures/episode-generator';
import { CLI } from './run-cli';

export const WORKER = resolve(__dirname, '../../dist/episode-worker.js');

/** `count` short generated episodes (cached between runs by the generator), with their videos. */
export async function seasonVideos(count: number, opts: { durationS?: number; width?: number; height?: number } = {}): Promise<string[]> {
  const videos: string[] = [];
  for (let i = 1; i <= count; i++) {
    const ep = await generateEpisode({ width: opts.width ?? 320, height: opts.height ?? 240, fps: 12, durationS: opts.durationS ?? 4, seed: 100 + i });
    videos.push(ep.video);
  }
  return videos;
}

/** A copy of `video` cut to 40% of its bytes, its index first, so the decoder stops at the cut. */
export function truncatedCopy(video: string, out: string): string {
  const full = `${out}.full.mp4`;
  const r = spawnSync(resolveFfmpeg().path, ['-v', 'error', '-y', '-i', video, '-c', 'copy', '-movflags', '+faststart', full]);
  assert.equal(r.status, 0, String(r.stderr));
  const bytes = readFileSync(full);
  writeFileSync(out, bytes.subarray(0, Math.floor(bytes.length * 0.4)));
  return out;
}

export interface SeasonEpisodeSpec {
  ep_id: string;
  video: string;
  overrides?: Record<string, unknown>;
}

/** Writes `<dir>/<name>.season.yaml` and returns its path. */
export function writeSeason(dir: string, name: string, episodes: SeasonEpisodeSpec[], extra: Record<string, unknown> = {}): string {
  const file = join(dir, `${name}.season.yaml`);
  writeFileSync(file, stringify({ base: { output_root: 'out' }, episodes, ...extra }));
  return file;
}

/** A child process speaking JSON lines, with every event kept. */
export class JsonProcess {
  readonly events: SeasonEvent[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private listeners: ((e: SeasonEvent) => void)[] = [];

  constructor(readonly proc: ChildProcess) {
    let pending = '';
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines.filter(Boolean)) {
        const e = JSON.parse(line) as SeasonEvent;
        this.events.push(e);
        this.listeners.forEach((l) => l(e));
      }
    });
    proc.stderr!.setEncoding('utf8').on('data', (s: string) => (this.stderr += s));
    this.exited = new Promise((r) => proc.on('close', (code) => r(code)));
  }

  /** The first event (past or future) for which `pick` returns a value. */
  when<T>(pick: (e: SeasonEvent) => T | undefined, timeoutMs = 120_000): Promise<T> {
    for (const e of this.events) {
      const v = pick(e);
      if (v !== undefined) return Promise.resolve(v);
    }
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such event within ${timeoutMs / 1000} s; stderr:\n${this.stderr}`)), timeoutMs);
      const listener = (e: SeasonEvent) => {
        const v = pick(e);
        if (v === undefined) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
        resolvePromise(v);
      };
      this.listeners.push(listener);
    });
  }

  /** The last summary it printed. */
  get summary(): SeasonSummary | undefined {
    return [...this.events].reverse().find((e): e is Extract<SeasonEvent, { type: 'season' }> => e.type === 'season')?.summary;
  }
}

export function runSeasonCli(args: string[]): JsonProcess {
  return new JsonProcess(spawn(process.execPath, [CLI, ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] }));
}

export interface WorkerProcess {
  proc: ChildProcess;
  log: () => string;
}

export function startWorker(url: string, extra: string[] = []): WorkerProcess {
  const proc = spawn(process.execPath, [WORKER, '--queue', url, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => (log += s));
  return { proc, log: () => log };
}

/** Waits for a worker's "ready" line. */
export async function workerReady(w: WorkerProcess, timeoutMs = 30_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !/ up to \d+ episode/.test(w.log());) {
    if (Date.now() > end || w.proc.exitCode !== null) throw new Error(`worker not ready:\n${w.log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function readSeasonJson(summaryDir: string): SeasonSummary {
  return JSON.parse(readFileSync(join(summaryDir, 'season.json'), 'utf8'));
}

/** Asserts a completed row carries its run's own numbers (track_metrics.json). */
export async function assertRowMatchesRun(row: SeasonSummary['episodes'][number]): Promise<void> {
  const m = await readRunMetrics(EpisodeLayout.of(row.out_dir), row.run_id!);
  assert.equal(m.state, 'completed', `${row.ep_id} run ${row.run_id}`);
  assert.deepEqual(
    [row.tracks, row.id_switches, row.forced_splits, row.cuts, row.wall_time_s, row.video_duration_s],
    [m.tracks_written, m.id_switches, m.forced_splits, m.scene_cuts.count, m.stats.wall_time_s, m.stats.video_duration_s],
    `${row.ep_id}: season.json against the run's track_metrics.json`,
  );
}
