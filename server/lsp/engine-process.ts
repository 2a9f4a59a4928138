// The engine runs as `node dist/cli.js --config FILE --json` in its own process (DESIGN §5):
// a crash or a long inference there never blocks the language server.
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { RunEvent } from '../engine/events';
import type { RunSummary } from '../engine/history/run-summary';

/** The CLI's last line on failure; not a RunEvent because the run never started properly. */
interface CliErrorLine {
  type: 'error';
  message: string;
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

export function startEngine(
  configPath: string, onEvent: (e: RunEvent) => void,
  opts: EngineSettings & { log: (line: string) => void; sweep?: boolean },
): EngineProcess {
  const node = opts.nodePath || process.execPath;
  // Inside VS Code, process.execPath is Electron; this makes it behave as plain Node.
  const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  const args = [CLI_PATH, '--config', configPath, '--json'];
  if (opts.ffmpegPath) args.push('--ffmpeg', opts.ffmpegPath);
  if (opts.threads && opts.threads > 0) args.push('--threads', String(opts.threads));
  if (opts.sweep) args.push('--sweep');
  // The IPC channel is never written to: it closes when this server exits, however it exits, and
  // the engine then cancels cleanly instead of running on unseen (cli.ts).
  const child = spawn(node, args, {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env,
  });
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
  let sweep: SweepLine | undefined;
  let pending = '';
  const { stdout: engineOut, stderr: engineErr } = child as typeof child & { stdout: Readable; stderr: Readable };
  engineOut.setEncoding('utf8');
  engineOut.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        const event = JSON.parse(line) as RunEvent | CliErrorLine | SweepLine;
        if (event.type === 'error') cliError = event;
        else if (event.type === 'sweep') sweep = event;
        else onEvent(event);
      } catch {
        opts.log(`engine: ${line}`);
      }
    }
  });
  engineErr.setEncoding('utf8');
  engineErr.on('data', (s: string) => (stderr = (stderr + s).slice(-STDERR_TAIL)));

  const exited = new Promise<EngineExit>((resolve) => {
    child.on('error', (e) => resolve({ code: null, error: `cannot start the engine with ${node}: ${e.message}` }));
    child.on('close', (code, signal) => {
      const failed = code !== 0 && code !== 130;
      const error = failed ? cliError?.message ?? (stderr.trim() || `engine exited with ${signal ?? `code ${code}`}`) : undefined;
      resolve({ code, error, sweep, ...(cliError?.code === 'busy' ? { busy: true } : {}) });
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
