// The config's ground truth as the language server sees it: the file exists, every line parses,
// and its frames fit the video. Each problem is a diagnostic on the config's `ground_truth`
// value naming the file's line (and linking to it). Reads are cached by file identity, since
// diagnostics run on every edit.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { Finding } from '../config/semantic-checks';
import { isPlainObject } from '../config/validate';
import { framesPastEnd, GroundTruthError, readGroundTruth, type GroundTruth } from '../engine/eval/ground-truth';
import type { VideoInfo } from '../engine/types';

export type GroundTruthReader = (absPath: string, frameBase: number) => Promise<GroundTruth>;

/** Diagnostics show this many of a file's problems, then one line with the count of the rest. */
const MAX_LINE_FINDINGS = 20;
const MAX_ENTRIES = 16;

export function createGroundTruthReader(): GroundTruthReader {
  const cache = new Map<string, Promise<GroundTruth>>();
  return async (absPath, frameBase) => {
    const st = await stat(absPath).catch(() => undefined);
    if (!st) return readGroundTruth(absPath, frameBase); // fails with the right message
    const key = `${absPath}\n${frameBase}\n${st.mtimeMs}\n${st.size}\n${st.isDirectory()}`;
    let entry = cache.get(key);
    if (!entry) {
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
      entry = readGroundTruth(absPath, frameBase);
      entry.catch(() => cache.delete(key));
      cache.set(key, entry);
    }
    return entry;
  };
}

const AT = [['evaluation', 'ground_truth']];

export async function groundTruthFindings(
  raw: Record<string, unknown>, configDir: string, video: VideoInfo | undefined, read: GroundTruthReader,
): Promise<Finding[]> {
  const ev = raw.evaluation;
  if (!isPlainObject(ev) || typeof ev.ground_truth !== 'string' || ev.ground_truth === '') return [];
  const frameBase = ev.frame_base === undefined ? 1 : ev.frame_base;
  if (frameBase !== 0 && frameBase !== 1) return []; // the schema reports it
  const abs = path.resolve(configDir, ev.ground_truth);
  let gt: GroundTruth;
  try {
    gt = await read(abs, frameBase);
  } catch (e) {
    const message = e instanceof GroundTruthError ? e.message : `ground truth ${abs} cannot be read: ${(e as Error).message}`;
    return [{ at: AT, severity: 'error', code: 'ground-truth', message: `${message}. Fix \`ground_truth\` (relative to this config file).` }];
  }
  const problems = [
    ...gt.problems.map((p) => ({ ...p, code: 'ground-truth-line' })),
    ...(video?.framesEstimate ? framesPastEnd(gt, video.framesEstimate, frameBase).map((p) => ({ ...p, code: 'ground-truth-frames' })) : []),
  ].sort((a, b) => a.line - b.line);
  // A link to the line, where the line is in a file the editor can open (not inside a zip).
  const linkable = gt.file.includes(' › ') ? undefined : gt.file;
  const out: Finding[] = problems.slice(0, MAX_LINE_FINDINGS).map((p) => ({
    at: AT, severity: 'error', code: p.code, message: `${gt.file} line ${p.line}: ${p.message}.`,
    related: linkable ? { path: linkable, line: p.line } : undefined,
  }));
  if (problems.length > MAX_LINE_FINDINGS) {
    out.push({ at: AT, severity: 'error', code: 'ground-truth-line', message: `${gt.file}: ${problems.length - MAX_LINE_FINDINGS} more problems after line ${problems[MAX_LINE_FINDINGS - 1].line}.` });
  }
  return out;
}
