// Whole-file writes that readers never see half done: write a temp file beside the target,
// then rename it over the target (rename is atomic within one filesystem).
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let tempSeq = 0;

/** A hidden temp name in the target's own directory, unique within this process and across processes. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${++tempSeq}.tmp`);
}

/** The target's name of one of tempPathFor's names (a killed writer's leftover, when nobody writes). */
export const tempTarget = (name: string): string | undefined => /^\.(.+)\.\d+-\d+\.tmp$/.exec(name)?.[1];

export const isTempName = (name: string): boolean => tempTarget(name) !== undefined;

/** Write `data` to `path` atomically; fsync before the rename so a crash cannot leave an empty file behind the new name. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Pretty-printed JSON with a trailing newline, written atomically. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}
