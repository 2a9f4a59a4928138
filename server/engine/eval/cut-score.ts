// Scene cuts against a cut list (`evaluation.cuts`): precision and recall with a tolerance of
// ±1 frame, each true cut matched to at most one found cut. The list is the manifests' frame
// numbering (frame_idx, from 0; a cut is the first frame of the new shot), in any of three forms:
// a JSON array of frames, a JSON object with a `cuts` array (another run's scene_cuts.json), or
// text with one frame a line (`#` comments and blank lines skipped).
import { readFile } from 'node:fs/promises';
import type { CutScores } from './scores';

export const CUT_TOLERANCE = 1;

/** The cut list is unreadable or malformed: one line saying where. */
export class CutListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CutListError';
  }
}

export async function readCutList(file: string): Promise<number[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new CutListError(`cannot read the cut list ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseCutList(text, file);
}

export function parseCutList(text: string, file: string): number[] {
  const frame = (v: unknown, where: string): number => {
    if (!Number.isSafeInteger(v) || (v as number) < 0) throw new CutListError(`${file}${where}: ${JSON.stringify(v)} is not a frame number (a whole number ≥ 0)`);
    return v as number;
  };
  const trimmed = text.trim();
  let frames: number[];
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (e) {
      throw new CutListError(`${file}: not valid JSON (${(e as Error).message})`);
    }
    const list = Array.isArray(json) ? json : (json as { cuts?: unknown }).cuts;
    if (!Array.isArray(list)) throw new CutListError(`${file}: a JSON cut list is an array of frames, or an object with a \`cuts\` array`);
    frames = list.map((v, i) => frame(v, ` item ${i + 1}`));
  } else {
    frames = [];
    text.split('\n').forEach((line, i) => {
      const s = line.replace(/#.*/, '').trim();
      if (s) frame(/^\d+$/.test(s) ? Number(s) : s, `:${i + 1}`);
      if (s) frames.push(Number(s));
    });
  }
  return [...new Set(frames)].sort((a, b) => a - b);
}

/**
 * Matches found cuts to true cuts within ±tolerance frames, one to one, the closest pairs first
 * (ties to the earlier frame), so a found cut cannot count for two true ones. Pure.
 */
export function scoreCuts(found: readonly number[], truth: readonly number[], truthFile: string, tolerance = CUT_TOLERANCE): CutScores {
  const pairs: [number, number, number][] = [];
  for (let i = 0; i < found.length; i++) {
    for (let j = 0; j < truth.length; j++) {
      const d = Math.abs(found[i] - truth[j]);
      if (d <= tolerance) pairs.push([d, i, j]);
    }
  }
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const usedFound = new Set<number>();
  const usedTruth = new Set<number>();
  for (const [, i, j] of pairs) {
    if (usedFound.has(i) || usedTruth.has(j)) continue;
    usedFound.add(i);
    usedTruth.add(j);
  }
  const matched = usedFound.size;
  // No cuts found is a precision of 1 (nothing wrong was said); no true cuts, a recall of 1.
  const precision = found.length ? matched / found.length : 1;
  const recall = truth.length ? matched / truth.length : 1;
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  return {
    truth: truthFile, tolerance, precision: round(precision), recall: round(recall),
    f1: round(precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0),
    matched, extra: found.filter((_, i) => !usedFound.has(i)), missed: truth.filter((_, j) => !usedTruth.has(j)),
  };
}
