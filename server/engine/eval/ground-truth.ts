// Ground-truth readers: a MOTChallenge text file (gt.txt), or a CVAT "MOT 1.1" export (its zip,
// or the folder it unpacks to: gt/gt.txt + gt/labels.txt). Every problem with a line is kept
// with its line number, so the language server can point at it and the engine can refuse the
// run with it; a problem with the file as a whole throws a GroundTruthError.
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { EvalRow } from './boxes';
import { readZip, ZipError } from './zip';

export class GroundTruthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GroundTruthError';
  }
}

export interface LineProblem {
  /** 1-based line in `GroundTruth.file`. */
  line: number;
  message: string;
}

export interface GroundTruth {
  /** What the lines count in, for messages: the text file, or `export.zip › gt/gt.txt`. */
  file: string;
  /** Rows to score (MOTChallenge "considered" rows: those whose 7th field is not 0). */
  rows: EvalRow[];
  /** Rows marked not considered (7th field 0), left out as TrackEval leaves them out. */
  ignored: number;
  problems: LineProblem[];
  /** CVAT's label names, when the ground truth came with a labels.txt. */
  labels?: string[];
}

export interface MotParseOptions {
  /** The number of the video's first frame in the file (MOTChallenge: 1). */
  frameBase: number;
  /** Leave out rows whose 7th field is 0 (ground truth); a tracker's 7th field is a confidence. */
  dropIgnored: boolean;
}

/**
 * Parses MOTChallenge rows `frame, id, left, top, width, height[, conf, class, visibility]`.
 * Frames become 0-based (`frame − frameBase`). Bad lines are reported, not scored.
 */
export function parseMot(text: string, opts: MotParseOptions): Omit<GroundTruth, 'file'> {
  const rows: EvalRow[] = [];
  const problems: LineProblem[] = [];
  let ignored = 0;
  // Each (frame, id) once, as TrackEval requires; the first line wins and the repeat is reported.
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    if (!raw.trim()) continue;
    const line = i + 1;
    const fields = raw.split(',').map((s) => s.trim());
    const bad = (message: string) => problems.push({ line, message });
    if (fields.length < 6) {
      bad(`expected at least 6 comma-separated fields (frame, id, left, top, width, height), got ${fields.length}`);
      continue;
    }
    const nums = fields.map((s) => (s === '' ? NaN : Number(s)));
    const notNumber = nums.findIndex((v, k) => k < 7 && !Number.isFinite(v));
    if (notNumber >= 0) {
      bad(`field ${notNumber + 1} (${FIELD_NAMES[notNumber]}) is not a number: "${fields[notNumber]}"`);
      continue;
    }
    const [frameNo, id, left, top, w, h] = nums;
    if (!Number.isInteger(frameNo) || !Number.isInteger(id)) {
      bad(`frame and id must be whole numbers, got ${fields[0]}, ${fields[1]}`);
      continue;
    }
    if (frameNo < opts.frameBase) {
      bad(`frame ${frameNo} is before the first frame (evaluation.frame_base is ${opts.frameBase})`);
      continue;
    }
    if (w < 0 || h < 0) {
      bad(`negative box size ${fields[4]}×${fields[5]}`);
      continue;
    }
    if (opts.dropIgnored && fields.length > 6 && nums[6] === 0) {
      ignored++;
      continue;
    }
    const frame = frameNo - opts.frameBase;
    const key = `${frame},${id}`;
    const first = seen.get(key);
    if (first !== undefined) {
      bad(`id ${id} appears twice on frame ${frameNo} (first on line ${first})`);
      continue;
    }
    seen.set(key, line);
    rows.push({ frame, id, x1: left, y1: top, x2: left + w, y2: top + h, line });
  }
  return { rows, ignored, problems };
}

const FIELD_NAMES = ['frame', 'id', 'left', 'top', 'width', 'height', 'conf'];

/**
 * Reads a ground truth from a path: a `.zip` (CVAT MOT 1.1), a folder holding `gt/gt.txt`
 * (the unpacked export) or `gt.txt`, or a MOTChallenge text file.
 */
export async function readGroundTruth(path: string, frameBase: number): Promise<GroundTruth> {
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new GroundTruthError(`ground truth not found: ${path}`);
  const opts = { frameBase, dropIgnored: true };
  if (st.isDirectory()) {
    for (const sub of ['gt', '.']) {
      const txt = join(path, sub, 'gt.txt');
      const text = await readFile(txt, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const labels = await readFile(join(path, sub, 'labels.txt'), 'utf8').then(parseLabels, () => undefined);
      return { file: txt, ...parseMot(text, opts), labels };
    }
    throw new GroundTruthError(`ground truth folder ${path} has no gt/gt.txt (a CVAT "MOT 1.1" export) nor gt.txt`);
  }
  const buf = await readFile(path);
  if (path.toLowerCase().endsWith('.zip')) return fromZip(path, buf, opts);
  return { file: path, ...parseMot(buf.toString('utf8'), opts) };
}

function fromZip(path: string, buf: Buffer, opts: MotParseOptions): GroundTruth {
  let entries: Map<string, Buffer>;
  try {
    entries = readZip(buf);
  } catch (e) {
    if (e instanceof ZipError) throw new GroundTruthError(`ground truth ${path}: ${e.message}`);
    throw e;
  }
  const name = ['gt/gt.txt', 'gt.txt'].find((n) => entries.has(n));
  if (!name) throw new GroundTruthError(`ground truth ${path} holds no gt/gt.txt (is it a CVAT "MOT 1.1" export?)`);
  const labelsName = name.replace(/gt\.txt$/, 'labels.txt');
  const labels = entries.has(labelsName) ? parseLabels(entries.get(labelsName)!.toString('utf8')) : undefined;
  return { file: `${basename(path)} › ${name}`, ...parseMot(entries.get(name)!.toString('utf8'), opts), labels };
}

const parseLabels = (text: string): string[] => text.split('\n').map((l) => l.trim()).filter(Boolean);

/** Problems for rows on frames the video does not have (frame_idx ≥ `frameCount`). */
export function framesPastEnd(gt: GroundTruth, frameCount: number, frameBase: number): LineProblem[] {
  return gt.rows
    .filter((r) => r.frame >= frameCount)
    .map((r) => ({
      line: r.line ?? 0,
      message: `frame ${r.frame + frameBase} is past the video's end (its last frame is ${frameCount - 1 + frameBase} with evaluation.frame_base ${frameBase})`,
    }));
}

/** One line for a run error: the first problem, and how many more there are. */
export function describeProblems(file: string, problems: readonly LineProblem[]): string {
  const [first] = problems;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return `ground truth ${file} line ${first.line}: ${first.message}${more}`;
}
