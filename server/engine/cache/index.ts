// The stage cache of an episode, for the editor: its size, and `Episode Lab: Clear Cache`. Only
// the store's own file handling: the extension bundles this, and not the decoder.
import { readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { remove } from '../manifests/episode-folder';
import type { EpisodeLock } from '../manifests/episode-lock';
import type { EpisodeLayout } from '../manifests/layout';
import { dirSize, isCacheName } from './stage-store';

/** Bytes held by the episode's cache folder (0 when there is none). */
export const cacheSize = (layout: EpisodeLayout): Promise<number> => dirSize(layout.cacheDir);

/**
 * Deletes the cache's entries (anything else in the folder stays); returns the bytes freed.
 * The caller holds the episode's lock, so no run is recording an entry meanwhile.
 */
export async function clearCache(lock: EpisodeLock, layout: EpisodeLayout): Promise<number> {
  const before = await cacheSize(layout);
  await lock.check();
  for (const name of await readdir(layout.cacheDir).catch(() => [] as string[])) {
    if (isCacheName(name)) await remove(layout, join(layout.cacheDir, name));
  }
  await rmdir(layout.cacheDir).catch(() => undefined);
  return before - (await cacheSize(layout));
}
