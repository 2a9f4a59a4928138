// The language server's checks of identity.cast_dir: the folder exists, each person has a photo,
// and photos a run found unreadable or without a face (the run's cast cache says so; the server
// never runs a model itself).
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Finding } from '../config/semantic-checks';
import { isPlainObject, type ConfigPath } from '../config/validate';
import { listCast, photoCacheFile, type PhotoEntry } from '../engine/identity/cast-folder';
import { EpisodeLayout } from '../engine/manifests/layout';

/** Photos read per check at most: a cast folder is a handful per person. */
const MAX_PHOTOS = 500;

export async function castFindings(raw: Record<string, unknown>, configDir: string): Promise<Finding[]> {
  const identity = isPlainObject(raw.identity) ? raw.identity : undefined;
  const written = typeof identity?.cast_dir === 'string' ? identity.cast_dir : undefined;
  if (!identity || (written === undefined && identity.enabled !== true)) return [];
  const at: ConfigPath[] = [written !== undefined ? ['identity', 'cast_dir'] : ['identity', 'enabled']];
  const dir = path.resolve(configDir, written ?? 'cast');
  const { people, problems } = await listCast(dir);
  if (written === undefined && people.length === 0 && problems.length === 1 && problems[0].endsWith('does not exist')) return []; // no cast: fine
  const out: Finding[] = problems.map((message) => ({ at, severity: 'warning', code: 'cast', message: `${message}.` }));
  const cache = castCacheOf(raw, configDir);
  let read = 0;
  for (const person of people) {
    for (const photo of person.photos) {
      if (++read > MAX_PHOTOS) return out;
      const bytes = await readFile(photo).catch(() => undefined);
      if (!bytes) {
        out.push({ at, severity: 'warning', code: 'cast-photo', message: `Cast photo ${photo} is unreadable.` });
        continue;
      }
      if (!cache) continue;
      const entry = await readFile(path.join(cache, photoCacheFile(bytes)), 'utf8').then((t) => JSON.parse(t) as PhotoEntry, () => undefined);
      if (entry?.problem === 'no_face') out.push({ at, severity: 'warning', code: 'cast-photo', message: `No face found in cast photo ${photo} (last run): it does not count for ${person.name}.` });
      if (entry?.problem === 'unreadable') out.push({ at, severity: 'warning', code: 'cast-photo', message: `Cast photo ${photo} is not an image the engine can read (${entry.detail ?? 'unknown format'}).` });
    }
  }
  return out;
}

/** The episode's cast cache, when the config names its output folder. */
function castCacheOf(raw: Record<string, unknown>, configDir: string): string | undefined {
  if (typeof raw.output_root !== 'string' || typeof raw.ep_id !== 'string') return undefined;
  try {
    return new EpisodeLayout(path.resolve(configDir, raw.output_root), raw.ep_id).castCacheDir;
  } catch {
    return undefined;
  }
}
