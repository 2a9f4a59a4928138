// The evaluation stage: after tracking, the run's rows (detections.jsonl) against the ground
// truth, written to manifests/eval.json (scores and their parts) and eval_frames.jsonl (per
// frame: who matched whom, and the errors). It needs no pixels, so a replayed run is scored
// exactly like a live one.
import type { EvaluationConfig } from '../../config/config-types';
import { writeFileAtomic, writeJsonAtomic } from '../manifests/atomic-file';
import type { EvalRow } from './boxes';
import type { FrameOutcome } from './clear';
import type { EvalFrameRow } from './frame-types';
import { describeProblems, framesPastEnd, GroundTruthError, readGroundTruth, type GroundTruth } from './ground-truth';
import { ALPHAS } from './hota';
import { interpolateTracks } from './interpolate';
import { scoreSequence, toRunScores } from './metrics';
import type { EvalSummary, RunScores } from './scores';
import { buildSequence } from './sequence';

/** manifests/eval.json */
export interface EvalReport {
  ground_truth: string;
  /** The text the line numbers count in (`export.zip › gt/gt.txt` for a zip). */
  ground_truth_file: string;
  frame_base: 0 | 1;
  frames: EvaluationConfig['frames'];
  frames_scored: number;
  gt: { rows: number; ids: number; ignored: number };
  tracks: { rows: number; ids: number };
  scores: RunScores;
  /** HOTA's per-α values (the scores hold their means). */
  hota_by_alpha: { alpha: number[]; HOTA: number[]; DetA: number[]; AssA: number[]; LocA: number[] };
  clear: { TP: number; FN: number; FP: number; IDSW: number; Frag: number; MODA: number };
  /** `pairs`: Identity's one-to-one matching, [gt id, track_id], by gt id (the timeline colours pairs by it). */
  identity: { IDTP: number; IDFN: number; IDFP: number; pairs: Array<[number, number]> };
}

export type { EvalFrameRow } from './frame-types';

/**
 * Reads the configured ground truth, refusing it (GroundTruthError, one line) when any line is
 * bad or, given the video's frame count, lies past its end: a bad ground truth never scores.
 */
export async function loadGroundTruth(cfg: EvaluationConfig, frameCount?: number): Promise<GroundTruth | undefined> {
  if (!cfg.ground_truth) return undefined;
  const gt = await readGroundTruth(cfg.ground_truth, cfg.frame_base);
  checkGroundTruth(gt, cfg.frame_base, frameCount);
  return gt;
}

export function checkGroundTruth(gt: GroundTruth, frameBase: number, frameCount?: number): void {
  const problems = [...gt.problems, ...(frameCount === undefined ? [] : framesPastEnd(gt, frameCount, frameBase))].sort((a, b) => a.line - b.line);
  if (problems.length) throw new GroundTruthError(describeProblems(gt.file, problems));
}

export interface EvaluateInput {
  gt: GroundTruth;
  cfg: EvaluationConfig;
  /** The run's rows on its analysed frames. */
  tracks: readonly EvalRow[];
  /** The frames the run analysed, ascending. */
  analysedFrames: readonly number[];
  /** Frames in the video. */
  frameCount: number;
}

/** Scores a run (pure): eval.json's content and eval_frames.jsonl's rows. */
export function evaluate({ gt, cfg, tracks, analysedFrames, frameCount }: EvaluateInput): { report: EvalReport; frames: EvalFrameRow[] } {
  const all = cfg.frames === 'all';
  const frames = all ? Array.from({ length: frameCount }, (_, i) => i) : [...analysedFrames];
  const rows = all ? interpolateTracks(tracks) : tracks;
  const seq = buildSequence(gt.rows, rows, frames);
  const outcomes: FrameOutcome[] = [];
  const pairs: Array<[number, number]> = [];
  const r = scoreSequence(seq, outcomes, pairs);
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  const report: EvalReport = {
    ground_truth: cfg.ground_truth ?? '',
    ground_truth_file: gt.file,
    frame_base: cfg.frame_base,
    frames: cfg.frames,
    frames_scored: frames.length,
    gt: { rows: seq.numGtDets, ids: seq.gtIdNames.length, ignored: gt.ignored },
    tracks: { rows: seq.numTrDets, ids: seq.trIdNames.length },
    scores: toRunScores(r),
    hota_by_alpha: {
      alpha: ALPHAS.map(round), HOTA: [...r.hota.HOTA].map(round), DetA: [...r.hota.DetA].map(round),
      AssA: [...r.hota.AssA].map(round), LocA: [...r.hota.LocA].map(round),
    },
    clear: { TP: r.clear.TP, FN: r.clear.FN, FP: r.clear.FP, IDSW: r.clear.IDSW, Frag: r.clear.Frag, MODA: r.clear.MODA },
    identity: {
      IDTP: r.identity.IDTP, IDFN: r.identity.IDFN, IDFP: r.identity.IDFP,
      pairs: pairs.map(([g, k]): [number, number] => [seq.gtIdNames[g], seq.trIdNames[k]]).sort((a, b) => a[0] - b[0]),
    },
  };
  const frameRows: EvalFrameRow[] = [];
  outcomes.forEach((o, t) => {
    const g = seq.gtIds[t];
    const k = seq.trIds[t];
    if (!g.length && !k.length) return;
    const gtName = (i: number) => seq.gtIdNames[i];
    const trName = (i: number) => seq.trIdNames[i];
    const matchedG = new Set(o.matches.map(([gi]) => gi));
    const matchedK = new Set(o.matches.map(([, kj]) => kj));
    frameRows.push({
      frame_idx: seq.frames[t],
      matches: o.matches.map(([gi, kj]) => [gtName(gi), trName(kj)]),
      fn: [...g].filter((gi) => !matchedG.has(gi)).map(gtName),
      fp: [...k].filter((kj) => !matchedK.has(kj)).map(trName),
      idsw: o.idsw.map(gtName),
      frag: o.frag.map(gtName),
    });
  });
  return { report, frames: frameRows };
}

/** Writes eval.json and eval_frames.jsonl (each atomically) and returns the summary for the run's metrics. */
export async function writeEvaluation(paths: { report: string; frames: string }, result: ReturnType<typeof evaluate>): Promise<EvalSummary> {
  await writeFileAtomic(paths.frames, result.frames.map((f) => JSON.stringify(f)).join('\n') + (result.frames.length ? '\n' : ''));
  await writeJsonAtomic(paths.report, result.report);
  const { ground_truth, frames, frames_scored, scores } = result.report;
  return { ground_truth, frames, frames_scored, scores };
}
