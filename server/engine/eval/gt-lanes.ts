// What the timeline draws of a scored run, from eval_frames.jsonl alone: a lane per ground-truth
// id (when it was matched, to which track, and when missed), the track each id pairs with, and
// the errors per frame (FN, FP, IDSW, Frag). Pure, so the host computes it and the page only draws.
import type { ErrorKind, EvalFrameRow } from './frame-types';

export type { ErrorKind };
export const ERROR_KINDS: readonly ErrorKind[] = ['fn', 'fp', 'idsw', 'frag'];

/**
 * A stretch of scored frames on which a ground-truth id was present, in one state: matched to
 * `track`, or missed (`track` 0; the run's track ids count from 1). Rows of eval_frames.jsonl
 * that follow each other with the id on both extend a stretch; `first`/`last` are frames.
 */
export interface GtSpan {
  first: number;
  last: number;
  track: number;
}

export interface GtLane {
  gtId: number;
  first: number;
  last: number;
  /** Scored frames the id is on, and those it was matched on (to any track). */
  scored: number;
  matched: number;
  idsw: number;
  frag: number;
  /** The track it pairs with in Identity's one-to-one matching (eval.json); absent: none. */
  track?: number;
  spans: GtSpan[];
}

/** The errors on one frame, counted by kind; only frames with at least one are listed. */
export interface FrameErrors {
  frame: number;
  fn: number;
  fp: number;
  idsw: number;
  frag: number;
}

export interface GtTimeline {
  lanes: GtLane[];
  errors: FrameErrors[];
}

/**
 * Lanes (by ground-truth id) and per-frame errors from eval_frames.jsonl's rows; `pairs` is
 * Identity's matching, [gt id, track id] (eval.json's identity.pairs).
 */
export function gtTimeline(rows: readonly EvalFrameRow[], pairs: ReadonlyArray<readonly [number, number]> = []): GtTimeline {
  const sorted = [...rows].sort((a, b) => a.frame_idx - b.frame_idx);
  const lanes = new Map<number, GtLane & { prevRow: number }>();
  const errors: FrameErrors[] = [];
  sorted.forEach((row, r) => {
    const f = row.frame_idx;
    const seen = (gtId: number, track: number) => {
      let lane = lanes.get(gtId);
      if (!lane) lanes.set(gtId, (lane = { gtId, first: f, last: f, scored: 0, matched: 0, idsw: 0, frag: 0, spans: [], prevRow: -2 }));
      lane.last = f;
      lane.scored++;
      if (track) lane.matched++;
      const span = lane.spans[lane.spans.length - 1];
      if (span && lane.prevRow === r - 1 && span.track === track) span.last = f;
      else lane.spans.push({ first: f, last: f, track });
      lane.prevRow = r;
    };
    for (const [gtId, track] of row.matches) seen(gtId, track);
    for (const gtId of row.fn) seen(gtId, 0);
    for (const gtId of row.idsw) lanes.get(gtId)!.idsw++;
    for (const gtId of row.frag) lanes.get(gtId)!.frag++;
    const e = { frame: f, fn: row.fn.length, fp: row.fp.length, idsw: row.idsw.length, frag: row.frag.length };
    if (e.fn + e.fp + e.idsw + e.frag) errors.push(e);
  });
  const paired = new Map(pairs.map(([g, t]) => [g, t]));
  return {
    lanes: [...lanes.values()].sort((a, b) => a.gtId - b.gtId).map(({ prevRow: _r, ...lane }) => {
      const track = paired.get(lane.gtId);
      return track === undefined ? lane : { ...lane, track };
    }),
    errors,
  };
}

/** A ground-truth id whose matching changed between two runs (b against a). */
export interface GtChange {
  gtId: number;
  a: { scored: number; matched: number; idsw: number; track?: number };
  b: { scored: number; matched: number; idsw: number; track?: number };
  verdict: 'better' | 'worse';
}

/**
 * The ground-truth ids that fared better or worse in run b than in run a: more (fewer) of their
 * frames matched, or on equal matches fewer (more) ID switches. Worst first, then best.
 */
export function compareGtLanes(a: readonly GtLane[], b: readonly GtLane[]): GtChange[] {
  const side = (l?: GtLane) => ({ scored: l?.scored ?? 0, matched: l?.matched ?? 0, idsw: l?.idsw ?? 0, ...(l?.track !== undefined ? { track: l.track } : {}) });
  const byA = new Map(a.map((l) => [l.gtId, l]));
  const byB = new Map(b.map((l) => [l.gtId, l]));
  const changes: Array<GtChange & { score: number }> = [];
  for (const gtId of [...new Set([...byA.keys(), ...byB.keys()])].sort((x, y) => x - y)) {
    const sa = side(byA.get(gtId));
    const sb = side(byB.get(gtId));
    const rate = (s: typeof sa) => (s.scored ? s.matched / s.scored : 0);
    const dMatch = rate(sb) - rate(sa);
    const dIdsw = sb.idsw - sa.idsw;
    if (Math.abs(dMatch) < 1e-9 && dIdsw === 0) continue;
    const better = Math.abs(dMatch) >= 1e-9 ? dMatch > 0 : dIdsw < 0;
    changes.push({ gtId, a: sa, b: sb, verdict: better ? 'better' : 'worse', score: Math.abs(dMatch) + Math.abs(dIdsw) * 1e-3 });
  }
  const order = (c: GtChange & { score: number }) => (c.verdict === 'worse' ? 0 : 1);
  return changes.sort((x, y) => order(x) - order(y) || y.score - x.score || x.gtId - y.gtId).map(({ score: _s, ...c }) => c);
}
