// Reads eval_frames.jsonl back (the editor draws it). Written by the engine, but read like any
// file on disk: a line that is not a well-formed row is skipped and counted, never trusted.
import { readFile } from 'node:fs/promises';
import type { EvalFrameRow } from './frame-types';

const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isIds = (v: unknown): v is number[] => Array.isArray(v) && v.every(isId);
const isPair = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && isId(v[0]) && isId(v[1]);

export function toEvalFrameRow(v: unknown): EvalFrameRow | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  if (!isId(r.frame_idx) || !Array.isArray(r.matches) || !r.matches.every(isPair)) return undefined;
  if (!isIds(r.fn) || !isIds(r.fp) || !isIds(r.idsw) || !isIds(r.frag)) return undefined;
  return { frame_idx: r.frame_idx, matches: r.matches.map(([g, t]) => [g, t]), fn: [...r.fn], fp: [...r.fp], idsw: [...r.idsw], frag: [...r.frag] };
}

export interface ParsedEvalFrames {
  rows: EvalFrameRow[];
  malformed: number;
}

export function parseEvalFrames(text: string): ParsedEvalFrames {
  const rows: EvalFrameRow[] = [];
  let malformed = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let row: EvalFrameRow | undefined;
    try {
      row = toEvalFrameRow(JSON.parse(line));
    } catch {
      row = undefined;
    }
    if (row) rows.push(row);
    else malformed++;
  }
  return { rows, malformed };
}

/** The rows of an eval_frames.jsonl, or undefined when the run was not scored (no file). */
export async function readEvalFrames(file: string): Promise<ParsedEvalFrames | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseEvalFrames(text);
}
