// The stage cache of an episode, for the editor: its size, and `Episode Lab: Clear Cache`.
import { rm } from 'node:fs/promises';
import { cacheRootOf } from './analysis-cache';
import { dirSize } from './stage-store';

/** Bytes held by <epDir>/cache (0 when there is none). */
export const cacheSize = (epDir: string): Promise<number> => dirSize(cacheRootOf(epDir));

/**
 * Deletes <epDir>/cache; returns the bytes freed. A run of the episode in progress still
 * completes, but the entry it was recording is lost (it says so in a warning).
 */
export async function clearCache(epDir: string): Promise<number> {
  const bytes = await cacheSize(epDir);
  await rm(cacheRootOf(epDir), { recursive: true, force: true });
  return bytes;
}
