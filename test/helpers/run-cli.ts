// Runs the built `episode-run` (dist/cli.js) as a child process, as a user would.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CLI = resolve(__dirname, '../../dist/cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { onLine?: (line: string, kill: (sig: NodeJS.Signals) => void) => void } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      pending += d;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        opts.onLine?.(line, (sig) => child.kill(sig));
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

export function readManifest<T = any>(outDir: string, name: string): T {
  return JSON.parse(readFileSync(join(outDir, 'manifests', name), 'utf8'));
}

export function readJsonl<T = any>(outDir: string, name: string): T[] {
  return readFileSync(join(outDir, 'manifests', name), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
