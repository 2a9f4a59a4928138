// A cast folder as files: one subfolder per person with reference photos, and the cache file
// name of a photo. No models and no image decoding here, so the language server can use it.
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const PHOTO_EXTENSIONS = /\.(jpe?g|png|webp)$/i;

export interface CastPerson {
  name: string;
  photos: string[];
}

/** The people of a cast folder and what is wrong with it, without reading a photo. */
export async function listCast(dir: string): Promise<{ people: CastPerson[]; problems: string[] }> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) return { people: [], problems: [`cast folder ${dir} does not exist`] };
  const people: CastPerson[] = [];
  const problems: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const files = (await readdir(join(dir, e.name), { withFileTypes: true })).filter((f) => f.isFile() && PHOTO_EXTENSIONS.test(f.name));
    if (files.length === 0) {
      problems.push(`cast member "${e.name}" has no photo (.jpg, .png or .webp) in ${join(dir, e.name)}`);
      continue;
    }
    people.push({ name: e.name, photos: files.map((f) => join(dir, e.name, f.name)).sort() });
  }
  return { people, problems };
}

/** A cached photo: its embedding, or why it has none. */
export interface PhotoEntry {
  model: string;
  embedding?: number[];
  problem?: 'no_face' | 'unreadable';
  detail?: string;
}

/** A photo's cache file name: its content's sha256 (the entry names its model; another model re-embeds it). */
export const photoCacheFile = (bytes: Uint8Array) => `${createHash('sha256').update(bytes).digest('hex')}.json`;

