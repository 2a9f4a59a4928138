// `episodeLab.runEpisode`: validate the saved config, run the engine in a child process, and
// turn its events into work-done progress and `episodeLab/runEvent` notifications.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DiagnosticSeverity, ResponseError, type CancellationToken, type Diagnostic, type WorkDoneProgressReporter,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Phase, RunEvent, RunState } from '../engine/events';
import { parseConfigDocument } from '../config/yaml-positions';
import { expandGrid } from '../engine/sweep/grid';
import { startEngine, type EngineProcess, type EngineSettings } from './engine-process';
import { LANGUAGE_ID, RunErrorCodes, type RunEpisodeResult, type RunEventParams, type RunStreamEvent } from './protocol';

export interface RunContext {
  validate: (doc: TextDocument, configPath: string) => Promise<Diagnostic[]>;
  progress: WorkDoneProgressReporter;
  /** Any of these cancels the run: the request's own token and the progress UI's. */
  cancelTokens: CancellationToken[];
  notify: (params: RunEventParams) => void;
  engine: EngineSettings;
  log: (line: string) => void;
}

const PHASE_LABELS: Record<Phase, string> = {
  init: 'starting', detect_track: 'detecting and tracking', export_flush: 'writing outputs', evaluate: 'scoring against the ground truth', faces_embed: 'embedding faces', identities: 'finding identities',
  done: 'done', error: 'failed', cancelled: 'cancelled',
};

/** The runs in progress, one per ep_id. */
export class EpisodeRuns {
  private readonly running = new Map<string, EngineProcess>();

  cancel(epId: string): boolean {
    const run = this.running.get(epId);
    run?.cancel();
    return !!run;
  }

  cancelAll(): void {
    for (const run of this.running.values()) run.cancel();
  }

  async run(uri: string, ctx: RunContext): Promise<RunEpisodeResult> {
    const { configPath, epId, points } = await this.checkConfig(uri, ctx);
    if (this.running.has(epId)) {
      throw new ResponseError(RunErrorCodes.alreadyRunning,
        `Episode ${epId} is already running. Wait for it to finish or cancel it before starting another run.`);
    }
    const send = (event: RunStreamEvent) => ctx.notify({ uri, ep_id: epId, event });
    let phase: Phase = 'init';
    // A sweep runs its points one after another in one engine process, each from phase init.
    let point = 0;
    const prefix = () => (points ? `point ${Math.max(point, 1)}/${points} · ` : '');
    let summary: Extract<RunEvent, { type: 'summary' }> | undefined;
    const onEvent = (e: RunEvent) => {
      send(e);
      if (e.type === 'phase') {
        phase = e.phase;
        if (phase === 'init') point++;
        ctx.progress.report(prefix() + PHASE_LABELS[phase]);
      } else if (e.type === 'progress') {
        const pct = e.frames_total > 0 ? Math.min(100, (100 * e.frames_done) / e.frames_total) : 0;
        // Over a sweep, the bar covers every point; each point counts the same.
        const overall = points ? (100 * (Math.max(point, 1) - 1) + pct) / points : pct;
        ctx.progress.report(Math.floor(overall), prefix() + progressMessage(phase, e.fps, e.eta_s));
      } else if (e.type === 'summary') {
        summary = e;
      }
    };

    ctx.progress.begin(points ? `Episode ${epId}: sweep of ${points}` : `Episode ${epId}`, 0, prefix() + PHASE_LABELS.init, true);
    const engine = startEngine(configPath, onEvent, { ...ctx.engine, log: ctx.log, sweep: points > 0 });
    this.running.set(epId, engine);
    const subscriptions = ctx.cancelTokens.map((t) => t.onCancellationRequested(() => engine.cancel()));
    try {
      const { code, error, sweep, busy } = await engine.exited;
      if (busy) throw new ResponseError(RunErrorCodes.alreadyRunning, error!);
      const state: RunState = code === 0 ? summary?.state ?? 'completed' : code === 130 ? 'cancelled' : 'failed';
      ctx.log(`run ${epId}${sweep ? ` (sweep ${sweep.sweep_id}, ${sweep.runs.length}/${points} points)` : ''}: ${state} (exit ${code})${error ? `: ${error}` : ''}`);
      send({ type: 'exit', ep_id: epId, state, exit_code: code, error });
      return {
        ep_id: epId, state, exit_code: code, out_dir: summary?.out_dir, metrics_path: summary?.metrics_path,
        run_id: summary?.run_id, sweep_id: sweep?.sweep_id, error,
      };
    } finally {
      subscriptions.forEach((s) => s.dispose());
      this.running.delete(epId);
      ctx.progress.done();
    }
  }

  /** Reads the saved file (what the engine will run) and refuses it with its errors. */
  private async checkConfig(uri: string, ctx: RunContext): Promise<{ configPath: string; epId: string; points: number }> {
    const { path: configPath, text } = await readValidated(uri, LANGUAGE_ID, ctx.validate);
    // Error-free means ep_id is a valid string and sweep, when present, a valid grid.
    const cfg = parseConfigDocument(text).toJS() as { ep_id: string; sweep?: Record<string, unknown[]> };
    return { configPath, epId: String(cfg.ep_id), points: expandGrid(cfg.sweep ?? {}).length };
  }
}

/** The saved text of a config or season file, refused with its errors (as ResponseErrors) when it has any. */
export async function readValidated(uri: string, languageId: string, validate: RunContext['validate']): Promise<{ path: string; text: string }> {
  let file: string;
  let text: string;
  try {
    file = fileURLToPath(uri);
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ResponseError(RunErrorCodes.unreadable, `Cannot read ${uri}: ${(e as Error).message}`);
  }
  const errors = (await validate(TextDocument.create(uri, languageId, 0, text), file)).filter((d) => d.severity === DiagnosticSeverity.Error);
  if (errors.length) {
    const list = errors.slice(0, 10).map((d) => `  ${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`);
    throw new ResponseError(RunErrorCodes.invalidConfig,
      `${path.basename(file)} has ${errors.length} error${errors.length > 1 ? 's' : ''}; fix ${errors.length > 1 ? 'them' : 'it'} and save before running:\n${list.join('\n')}`,
      { diagnostics: errors });
  }
  return { path: file, text };
}

function progressMessage(phase: Phase, fps: number, etaS: number | null): string {
  const parts = [PHASE_LABELS[phase]];
  if (fps > 0) parts.push(`${Math.round(fps)} fps`);
  if (etaS !== null) parts.push(`ETA ${formatDuration(etaS)}`);
  return parts.join(' · ');
}

function formatDuration(s: number): string {
  const total = Math.round(s);
  const [h, m, sec] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const mmss = `${String(m).padStart(h ? 2 : 1, '0')}:${String(sec).padStart(2, '0')}`;
  return h ? `${h}:${mmss}` : mmss;
}
