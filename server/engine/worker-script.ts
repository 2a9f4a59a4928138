// Starts one of the engine's worker threads, bundled or from sources.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Bundled, worker `name` is `<name>.js` beside the bundle that calls this (a build entry of its
 * own). From sources under tsx (tests) a worker does not inherit tsx's loader, so a tiny
 * CommonJS bootstrap registers it before loading `<sourceDir>/<name>-main.ts`.
 */
export function startWorker(sourceDir: string, name: string, workerData: unknown): Worker {
  const ts = join(sourceDir, `${name}-main.ts`);
  if (!__filename.endsWith('.ts') || !existsSync(ts)) return new Worker(join(__dirname, `${name}.js`), { workerData });
  const boot = `require('tsx/cjs/api').register(); require(${JSON.stringify(ts)});`;
  return new Worker(boot, { eval: true, workerData });
}
