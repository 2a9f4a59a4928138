// "Export as MOT": a run's tracks as a MOT 1.1 ground truth that CVAT imports, each track's box
// interpolated to every frame between its first and last. A user corrects it in CVAT and points
// `evaluation.ground_truth` at the corrected export.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../manifests/atomic-file';
import type { EvalRow } from './boxes';
import { interpolateTracks } from './interpolate';
import { writeZip } from './zip';

/** The one label of an exported track (CVAT's labels.txt, class 1). */
export const MOT_LABEL = 'face';

/**
 * gt.txt text: `frame, id, left, top, width, height, 1, 1, 1` with 1-based frames (MOT 1.1:
 * considered, class 1 = labels.txt's first line, fully visible), sorted by frame then id.
 */
export function motText(rows: readonly EvalRow[]): string {
  const all = interpolateTracks(rows).sort((a, b) => a.frame - b.frame || a.id - b.id);
  const n = (v: number) => String(Math.round(v * 100) / 100);
  return all.map((r) => `${r.frame + 1},${r.id},${n(r.x1)},${n(r.y1)},${n(r.x2 - r.x1)},${n(r.y2 - r.y1)},1,1,1`).join('\n') + (all.length ? '\n' : '');
}

/**
 * Writes the export: to a `.zip` path, CVAT's archive layout (gt/gt.txt, gt/labels.txt); to any
 * other path, that text file with labels.txt beside it. Returns the files written.
 */
export async function writeMotExport(rows: readonly EvalRow[], outPath: string): Promise<string[]> {
  const gt = Buffer.from(motText(rows));
  const labels = Buffer.from(`${MOT_LABEL}\n`);
  await mkdir(dirname(outPath), { recursive: true });
  if (outPath.toLowerCase().endsWith('.zip')) {
    await writeFileAtomic(outPath, writeZip([{ name: 'gt/gt.txt', data: gt }, { name: 'gt/labels.txt', data: labels }]));
    return [outPath];
  }
  const labelsPath = join(dirname(outPath), 'labels.txt');
  await writeFileAtomic(outPath, gt);
  await writeFile(labelsPath, labels);
  return [outPath, labelsPath];
}
