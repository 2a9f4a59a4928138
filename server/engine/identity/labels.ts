// The user's identity edits, in a JSON file beside the config (identity.labels), written by the
// Identities view and only read by a run:
//   { "version": 1, "must_link": [[3, 9]], "cannot_link": [[4, 7]] }
// must_link: two tracks are one person (a merge); cannot_link: never one person (a split).
// Names are not here: naming saves photos into the cast folder, and the cast names identities.
import { readFile } from 'node:fs/promises';
import { writeJsonAtomic } from '../manifests/atomic-file';

export interface IdentityLabels {
  version: 1;
  must_link: [number, number][];
  cannot_link: [number, number][];
}

export const emptyLabels = (): IdentityLabels => ({ version: 1, must_link: [], cannot_link: [] });

/** The labels file, or none when it is absent; a damaged file or pair is a warning, never a failure. */
export async function readLabels(path: string): Promise<IdentityLabels & { warnings: string[] }> {
  const warnings: string[] = [];
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') warnings.push(`identity labels ${path} unreadable: ${(e as Error).message}`);
    return { ...emptyLabels(), warnings };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    warnings.push(`identity labels ${path} is not JSON (${(e as Error).message}): ignored`);
    return { ...emptyLabels(), warnings };
  }
  const pairs = (key: 'must_link' | 'cannot_link'): [number, number][] => {
    const v = (raw as Record<string, unknown> | null)?.[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      warnings.push(`identity labels ${path}: ${key} is not a list of track id pairs: ignored`);
      return [];
    }
    const ok = v.filter((p): p is [number, number] => Array.isArray(p) && p.length === 2 && p.every((x) => Number.isSafeInteger(x)));
    if (ok.length < v.length) warnings.push(`identity labels ${path}: ${v.length - ok.length} ${key} entries are not pairs of track ids: ignored`);
    return ok;
  };
  return { version: 1, must_link: pairs('must_link'), cannot_link: pairs('cannot_link'), warnings };
}

export function writeLabels(path: string, labels: IdentityLabels): Promise<void> {
  return writeJsonAtomic(path, labels);
}
