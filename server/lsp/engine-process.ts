// The engine runs as `node dist/cli.js --config FILE --json` in its own process (DESIGN §5):
// a crash or a long inference there never blocks the language server. A season runs the same
// way (`--season FILE --json`), and starts one such engine per episode.
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunEvent } from '../engine/events';
import type { RunSummary } from '../engine/history/run-summary';

/** The CLI's last line on failure; not a RunEvent because the run never started properly. */
interface CliErrorLine {
  type: 'error';
  message: string;
  /** The video or the config is at fault: running it again cannot help. */
  input?: boolean;
  /** `busy`: another run holds the episode's lock, and this one never started. */
  code?: 'busy';
}

/** The CLI's last line after `--sweep`: the sweep's id, its CSV and one summary per point run. */
export interface SweepLine {
  type: 'sweep';
  sweep_id: string;
  csv: string;
  runs: RunSummary[];
}

export interface EngineExit {
  /** The exit code (130 after a cancel), or null when killed by a signal. */
  code: number | null;
  error?: string;
  /** The error is the input's (a bad or damaged video, a bad config), not the engine's. */
  inputError?: boolean;
  /** The run was refused: another run holds the episode (`error` names it). */
  busy?: boolean;
  /** Set after a sweep that got to its end (all points, or up to a cancelled or failed one). */
  sweep?: SweepLine;
}

export interface EngineProcess {
  exited: Promise<EngineExit>;
  /** Asks the engine to stop: SIGINT, on which it writes cancelled manifests and exits 130. */
  cancel(): void;
}

const STDERR_TAIL = 4000;
const ENGINE_NICENESS = 10;
/** After SIGINT the engine drains its export queue; past this it is killed. */
const CANCEL_GRACE_MS = 15_000;

/** dist/cli.js sits next to the bundled dist/server.js. */
const CLI_PATH = path.join(__dirname, 'cli.js');

/** How the editor's settings shape the engine process. */
export interface EngineSettings {
  nodePath?: string;
  ffmpegPath?: string;
  threads?: number;
}

export interface EngineOptions extends EngineSettings {
  log: (line: string) => void;
  sweep?: boolean;
  /** Names the run's folder under <ep_id>/runs/. */
  runId?: string;
}

export function startEngine(
  configPath: string, onEvent: (e: RunEvent) => void, opts: EngineOptions,
): EngineProcess {
  const args = ['--config', configPath, '--json'];
  if (opts.ffmpegPath) args.push('--ffmpeg', opts.ffmpegPath);
  if (opts.threads && opts.threads > 0) args.push('--threads', String(opts.threads));
  if (opts.sweep) args.push('--sweep');
  if (opts.runId) args.push('--run-id', opts.runId);
  let sweep: SweepLine | undefined;
  const cli = spawnCli<RunEvent | SweepLine>(args, (line) => {
    if (line.type === 'sweep') sweep = line;
    else onEvent(line);
  }, opts);
  return { exited: cli.exited.then((exit) => ({ ...exit, sweep })), cancel: cli.cancel };
}

export interface CliProcess {
  exited: Promise<Omit<EngineExit, 'sweep'>>;
  /** SIGINT (the CLI cancels and exits 130), then SIGKILL after a grace period. */
  cancel(): void;
}

/**
 * Runs `node dist/cli.js ARGS` (which prints JSON lines with --json) at a lower priority. Its
 * `error` line becomes the exit's error; every other line goes to `onLine`.
 */
export function spawnCli<L extends { type: string }>(
  args: string[], onLine: (line: L) => void, opts: { nodePath?: string; log: (line: string) => void },
): CliProcess {
  const node = opts.nodePath || process.execPath;
  // Inside VS Code, process.execPath is Electron; this makes it behave as plain Node.
  const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  // The IPC channel is never written to: it closes when this process exits, however it exits, and
  // the CLI then cancels cleanly instead of running on unseen (cli.ts).
  const child = spawn(node, [CLI_PATH, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env });
  // The run is batch work; typing in the editor is not. A lower priority keeps diagnostics
  // quick when the engine takes every core.
  if (child.pid) {
    try {
      os.setPriority(child.pid, ENGINE_NICENESS);
    } catch {
      // Not permitted everywhere; the run is just as correct at normal priority.
    }
  }
  let stderr = '';
  let cliError: CliErrorLine | undefined;
  let pending = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        const value = JSON.parse(line) as L | CliErrorLine;
        if (value.type === 'error') cliError = value as CliErrorLine;
        else onLine(value as L);
      } catch {
        opts.log(`engine: ${line}`);
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => (stderr = (stderr + s).slice(-STDERR_TAIL)));

  const exited = new Promise<Omit<EngineExit, 'sweep'>>((resolve) => {
    child.on('error', (e) => resolve({ code: null, error: `cannot start the engine with ${node}: ${e.message}` }));
    child.on('close', (code, signal) => {
      const failed = code !== 0 && code !== 130;
      const error = failed ? cliError?.message ?? (stderr.trim() || `engine exited with ${signal ?? `code ${code}`}`) : undefined;
      resolve({ code, error, ...(failed && cliError?.input ? { inputError: true } : {}), ...(cliError?.code === 'busy' ? { busy: true } : {}) });
    });
  });

  let killTimer: NodeJS.Timeout | undefined;
  void exited.then(() => clearTimeout(killTimer));
  return {
    exited,
    cancel() {
      if (child.exitCode !== null || killTimer) return;
      child.kill('SIGINT');
      killTimer = setTimeout(() => child.kill('SIGKILL'), CANCEL_GRACE_MS);
    },
  };
}
