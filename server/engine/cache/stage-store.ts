// Cache entries on disk: <output_root>/<ep_id>/cache/<stage>-<key>/ holding the stage's files and
// a manifest.json with each file's size and sha256. An entry is built in a hidden temp folder and
// renamed into place once complete, so an interrupted stage never leaves an entry that looks
// complete; a truncated or altered file fails its checksum and the entry is recomputed.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../manifests/atomic-file';

export const MANIFEST = 'manifest.json';
/** Hex digits of the key in the folder name; manifest.json holds the whole key. */
const NAME_KEY_CHARS = 24;

export interface FileSum {
  bytes: number;
  sha256: string;
}

export interface StageManifest {
  stage: string;
  key: string;
  inputs: unknown;
  files: Record<string, FileSum>;
  created_at: string;
}

export type EntryCheck<M> = { ok: true; manifest: M } | { ok: false; reason: string; absent?: true };

export const entryDir = (cacheRoot: string, stage: string, key: string) => join(cacheRoot, `${stage}-${key.slice(0, NAME_KEY_CHARS)}`);

/** Reads and verifies an entry: manifest present, same key, every file of the listed size and sha256. */
export async function checkEntry<M extends StageManifest>(dir: string, key: string): Promise<EntryCheck<M>> {
  let manifest: M;
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as M;
  } catch (e) {
    const absent = (e as NodeJS.ErrnoException).code === 'ENOENT';
    return absent ? { ok: false, reason: 'no entry', absent: true } : { ok: false, reason: `unreadable ${MANIFEST}` };
  }
  if (manifest.key !== key) return { ok: false, reason: 'key mismatch' };
  for (const [name, want] of Object.entries(manifest.files ?? {})) {
    const file = join(dir, name);
    const bytes = await stat(file).then((s) => s.size, () => -1);
    if (bytes !== want.bytes) return { ok: false, reason: `${name} is ${bytes < 0 ? 'missing' : `${bytes} bytes, expected ${want.bytes}`}` };
    if ((await sha256Of(file)) !== want.sha256) return { ok: false, reason: `${name} fails its sha256 checksum` };
  }
  return { ok: true, manifest };
}

/** Whether a name in the cache folder is an entry or an entry being built: all Clear Cache removes. */
export const isCacheName = (name: string): boolean => name.startsWith(TEMP_PREFIX) || /^[a-z_]+-[0-9a-f]+$/.test(name);
const TEMP_PREFIX = '.tmp-';

/** A fresh hidden temp folder for building an entry (the pid in its name says whose it was). */
export async function beginEntry(cacheRoot: string, stage: string, key: string): Promise<string> {
  const tmp = join(cacheRoot, `${TEMP_PREFIX}${stage}-${key.slice(0, NAME_KEY_CHARS)}-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  return tmp;
}

/** Writes the manifest last, then renames the temp folder over any older entry of the same key. */
export async function commitEntry(tmp: string, dir: string, manifest: StageManifest): Promise<void> {
  await writeJsonAtomic(join(tmp, MANIFEST), manifest);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

/**
 * Temp folders of killed runs. Only the holder of the episode's lock calls this, so no other
 * process can be building an entry.
 */
export async function removeTemps(cacheRoot: string): Promise<void> {
  for (const name of await list(cacheRoot)) {
    if (name.startsWith(TEMP_PREFIX)) await rm(join(cacheRoot, name), { recursive: true, force: true });
  }
}

/** Marks an entry as just used: eviction keeps the most recently used ones. */
export async function touchEntry(dir: string): Promise<void> {
  const now = new Date();
  await utimes(dir, now, now).catch(() => undefined);
}

/** Keeps the `keep` most recently used entries of `stage`; returns the folders removed. */
export async function evictEntries(cacheRoot: string, stage: string, keep: number): Promise<string[]> {
  const entries = [];
  for (const name of await list(cacheRoot)) {
    if (!name.startsWith(`${stage}-`)) continue;
    const st = await stat(join(cacheRoot, name)).catch(() => undefined);
    if (st?.isDirectory()) entries.push({ name, mtime: st.mtimeMs });
  }
  const old = entries.sort((a, b) => b.mtime - a.mtime).slice(keep).map((e) => join(cacheRoot, e.name));
  for (const dir of old) await rm(dir, { recursive: true, force: true });
  return old;
}

/** Bytes under `dir`, recursively (0 when it does not exist). */
export async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const ent of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) total += await dirSize(p);
    else if (ent.isFile()) total += (await stat(p).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/** Sums already taken in this process, by file and its stat: a sweep looks up the same models and entry per point. */
const sums = new Map<string, Promise<string>>();

export async function sha256Of(file: string): Promise<string> {
  const s = await stat(file);
  const id = `${file}\0${s.ino}\0${s.size}\0${s.mtimeMs}`;
  let sum = sums.get(id);
  if (!sum) {
    sum = new Promise<string>((resolve, reject) => {
      const h = createHash('sha256');
      createReadStream(file).on('data', (d) => h.update(d)).on('error', reject).on('end', () => resolve(h.digest('hex')));
    });
    sums.set(id, sum);
    sum.catch(() => sums.delete(id));
  }
  return sum;
}

const list = (dir: string) => readdir(dir).catch(() => [] as string[]);

