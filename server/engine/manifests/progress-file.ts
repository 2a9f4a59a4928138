// progress.json: the state of the run that last wrote the manifests folder, written when it
// starts (running, with its pid and host), and when it ends (completed, cancelled, failed) with
// its last progress event. A run killed outright leaves "running" behind; readers tell that
// apart from a live run by the episode's lock (stateNow).
import * as os from 'node:os';
import { readFile } from 'node:fs/promises';
import type { RunEvent, RunState } from '../events';
import { writeJsonAtomic } from './atomic-file';
import { readLock } from './episode-lock';
import type { EpisodeLayout } from './layout';

export interface ProgressFile {
  ep_id: string;
  run_id: string;
  state: RunState;
  started_at: string;
  pid?: number;
  host?: string;
  finished_at?: string;
  /** The last phase or progress event. */
  last_event?: RunEvent;
  error?: string;
  /** Set on a killed run's progress.json by the run that found it (interrupted-runs.ts). */
  found_interrupted_at?: string;
}

/** Writes one run's progress.json, keeping the latest phase or progress event for the final write. */
export class ProgressWriter {
  private latest: RunEvent | undefined;

  constructor(private readonly file: string, private readonly run: { ep_id: string; run_id: string; started_at: string }) {}

  observe(e: RunEvent): void {
    if (e.type === 'progress' || e.type === 'phase') this.latest = e;
  }

  started(): Promise<void> {
    return this.write({ ...this.run, state: 'running', pid: process.pid, host: os.hostname() });
  }

  finished(state: RunState, error?: string): Promise<void> {
    return this.write({ ...this.run, state, last_event: this.latest, finished_at: new Date().toISOString(), ...(error ? { error } : {}) });
  }

  private write(p: ProgressFile): Promise<void> {
    return writeJsonAtomic(this.file, p);
  }
}

export async function readProgress(file: string): Promise<ProgressFile | undefined> {
  try {
    const p = JSON.parse(await readFile(file, 'utf8')) as ProgressFile;
    return typeof p?.state === 'string' && typeof p.run_id === 'string' ? p : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A recorded state as it stands now: "running" becomes "interrupted" unless a live process holds
 * the episode's lock (a run killed outright never wrote its end).
 */
export async function stateNow<S extends string>(layout: EpisodeLayout, state: S): Promise<S | 'interrupted'> {
  if (state !== 'running') return state;
  return (await readLock(layout))?.live ? state : 'interrupted';
}
