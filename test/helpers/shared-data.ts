// Real footage lives in ../shared/data beside the repo (never copied in). Tests skip without it;
// `.ci/run` also runs the suite in a clone with no ../shared, so every fallback path runs too.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SHARED = resolve(__dirname, '../../../shared');
export const SHARED_DATA = join(SHARED, 'data');
export const TOS_CLIP = join(SHARED_DATA, 'clips', 'clip_01_tears_of_steel.mp4');

/** Absolute path of a shared clip, or a skip reason for node:test's `skip` option. */
export function sharedClip(name: string): { path: string; skip: false } | { path: ''; skip: string } {
  const p = join(SHARED_DATA, 'clips', name);
  return existsSync(p) ? { path: p, skip: false } : { path: '', skip: `shared footage not found at ${p} (a fresh clone has no ../shared)` };
}
