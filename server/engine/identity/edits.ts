// The Identities view's edits, as files: Name copies an identity's best crops into
// cast_dir/<name>/ (the next run's cast names it); Merge and Split add must-link and cannot-link
// pairs to the labels file. A run reads both and writes neither. No `vscode` import.
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { IdentitiesFile, IdentityRecord } from './identity-stage';
import { readLabels, writeLabels } from './labels';

/** A cast member's folder name: a plain name, no path separators, not hidden. */
export function castNameProblem(name: string): string | undefined {
  if (!name.trim()) return 'a name is needed';
  if (name.length > 80) return 'a name is at most 80 characters';
  if (/[/\\\0]/.test(name) || name.startsWith('.')) return `"${name}" cannot name a folder (no slashes, not starting with a dot)`;
  return undefined;
}

function identity(doc: IdentitiesFile, id: number): IdentityRecord {
  const found = doc.identities.find((i) => i.identity_id === id);
  if (!found) throw new Error(`identity ${id} is not in this run`);
  return found;
}

/** Copies the identity's exported face crops into cast_dir/<name>/; returns how many. */
export async function nameIdentity(doc: IdentitiesFile, id: number, name: string, castDir: string): Promise<number> {
  const problem = castNameProblem(name);
  if (problem) throw new Error(problem);
  const crops = identity(doc, id).faces.filter((f) => f.crop);
  if (!crops.length) throw new Error(`identity ${id} has no exported crops: run with export.crops to name it from here`);
  const dir = join(castDir, name.trim());
  await mkdir(dir, { recursive: true });
  for (const f of crops) await copyFile(f.crop!, join(dir, `${doc.ep_id}-t${f.track_id}-${basename(f.crop!)}`));
  return crops.length;
}

/** The two identities are one person: a must-link between one track of each. */
export async function mergeIdentities(labelsPath: string, doc: IdentitiesFile, a: number, b: number): Promise<void> {
  if (a === b) throw new Error('pick two different identities to merge');
  const [ia, ib] = [identity(doc, a), identity(doc, b)];
  const labels = await readLabels(labelsPath);
  labels.must_link.push([ia.track_ids[0], ib.track_ids[0]]);
  await writeLabels(labelsPath, { version: 1, must_link: labels.must_link, cannot_link: labels.cannot_link });
}

/** The track is someone else: cannot-links from it to each other track of the identity (and no must-link holds it in). */
export async function splitTrack(labelsPath: string, doc: IdentitiesFile, id: number, trackId: number): Promise<void> {
  const rec = identity(doc, id);
  if (!rec.track_ids.includes(trackId)) throw new Error(`track ${trackId} is not in identity ${id}`);
  if (rec.track_ids.length < 2) throw new Error(`identity ${id} has only track ${trackId}: nothing to split it from`);
  const labels = await readLabels(labelsPath);
  const mustLink = labels.must_link.filter(([x, y]) => x !== trackId && y !== trackId);
  const cannotLink = [...labels.cannot_link, ...rec.track_ids.filter((t) => t !== trackId).map((t): [number, number] => [trackId, t])];
  await writeLabels(labelsPath, { version: 1, must_link: mustLink, cannot_link: cannotLink });
}
