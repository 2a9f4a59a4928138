// The output root as a place to write: checked before a run starts, and a write that fails for
// want of room or rights mid-run is named in one line, not as a bare errno.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import * as path from 'node:path';

const REASONS: Record<string, string> = {
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/**
 * Fails with one line unless `root` can be created or written: its nearest existing ancestor
 * must be a writable folder. (A recursive mkdir on a read-only file system reports ENOENT, so
 * the run would otherwise fail with a misleading line.)
 */
export async function checkOutputRoot(root: string): Promise<void> {
  let dir = path.resolve(root);
  for (;;) {
    const st = await stat(dir).catch(() => undefined);
    if (st) {
      if (!st.isDirectory()) throw new Error(`output_root ${root}: ${dir} is not a folder`);
      break;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  try {
    await access(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new Error(`output_root ${root} cannot be written: ${dir}: ${REASONS[code] ?? code}`);
  }
}

/** The one line for a write under `dir` that failed for want of room or rights; undefined for other errors. */
export function writeFailure(err: unknown, dir: string): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = code ? REASONS[code] : undefined;
  return reason ? `cannot write ${dir}: ${reason} (${(err as Error).message})` : undefined;
}
