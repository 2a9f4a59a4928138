// What a run removes in its episode folder before it starts, and nothing more: the files the
// engine itself names (layout.ts) and the temp files a killed run left. A file of the user's in
// crops/ or frames/ stays, and so does the folder that holds it. Every path is checked to lie
// inside the episode folder first. Callers hold the episode's lock.
import { readdir, rm, rmdir } from 'node:fs/promises';
import * as path from 'node:path';
import { isTempName, tempTarget } from './atomic-file';
import { isFrameFile, isTrackDir, MANIFEST_FILES, PARTIAL_SUFFIX, type EpisodeLayout } from './layout';
import { removeTemps } from '../cache/stage-store';

/** Clears the latest run's outputs: its manifests, crops and frames. */
export async function clearOutputs(layout: EpisodeLayout): Promise<void> {
  for (const name of Object.values(MANIFEST_FILES)) {
    // Unlinked, never truncated: the run history holds hard links to these files.
    await remove(layout, path.join(layout.manifestsDir, name));
    await remove(layout, path.join(layout.manifestsDir, name + PARTIAL_SUFFIX));
  }
  for (const name of await list(layout.cropsDir)) {
    if (isTrackDir(name)) await removeFiles(layout, path.join(layout.cropsDir, name), isFrameFile);
  }
  await removeDirIfEmpty(layout, layout.cropsDir);
  await removeFiles(layout, layout.framesDir, isFrameFile);
}

/** Removes the temp files and folders of runs that were killed: only called under the lock, when nobody writes. */
export async function removeLeftovers(layout: EpisodeLayout): Promise<void> {
  for (const name of await list(layout.manifestsDir)) if (isTempName(name)) await remove(layout, path.join(layout.manifestsDir, name));
  for (const name of await list(layout.runsDir)) if (/^\..+\.tmp$/.test(name)) await remove(layout, path.join(layout.runsDir, name));
  await removeTemps(layout.cacheDir);
  await remove(layout, layout.scratchDir);
}

/**
 * Removes the engine's own files in `dir`, and the temp files of their writes that a killed run
 * left (a crop caught mid-write), then `dir` if nothing else is left.
 */
async function removeFiles(layout: EpisodeLayout, dir: string, owned: (name: string) => boolean): Promise<void> {
  for (const name of await list(dir)) {
    if (owned(tempTarget(name) ?? name)) await remove(layout, path.join(dir, name));
  }
  await removeDirIfEmpty(layout, dir);
}

async function removeDirIfEmpty(layout: EpisodeLayout, dir: string): Promise<void> {
  await rmdir(layout.inside(dir)).catch(() => undefined); // ENOENT or ENOTEMPTY: nothing to do
}

export const remove = (layout: EpisodeLayout, p: string) => rm(layout.inside(p), { recursive: true, force: true });

const list = (dir: string) => readdir(dir).catch(() => [] as string[]);
