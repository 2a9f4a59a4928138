// Which tracks of two runs of one episode follow the same face: they overlap in time and, where
// they do, their sampled boxes overlap. Pure, so the Compare page and the unit tests share it.
import type { SampledBox, TimelineTrack } from './tracks';

/**
 * same: one-to-one with a track of the other run, spans equal within the tolerance.
 * only: no counterpart in the other run.
 * split: the counterparts differ: several tracks there for this one (or this one is one of
 * several for a track there), or one counterpart with a different span.
 */
export type MatchClass = 'same' | 'only' | 'split';

export interface MatchSide {
  classOf: Map<number, MatchClass>;
  /** Ids of the counterparts in the other run, by track id. */
  partners: Map<number, number[]>;
}

export interface TrackMatch {
  a: MatchSide;
  b: MatchSide;
}

export interface MatchOptions {
  /** Frames by which the spans of `same` tracks may differ: about one stride. */
  tolerance: number;
  /** Median IoU of the boxes over the shared frames needed to call two tracks one face. */
  minIou?: number;
}

export function matchTracks(a: readonly TimelineTrack[], b: readonly TimelineTrack[], opts: MatchOptions): TrackMatch {
  const minIou = opts.minIou ?? 0.3;
  const pa = new Map(a.map((t) => [t.id, [] as number[]]));
  const pb = new Map(b.map((t) => [t.id, [] as number[]]));
  // Most pairs are different faces on screen together: their hulls, the box around all of a
  // track's samples, already keep apart, which is far cheaper to see than the IoU at each frame.
  const hulls = new Map([...a, ...b].map((t) => [t, hullOf(t.boxes)]));
  forEachOverlap(a, b, (ta, tb) => {
    const ha = hulls.get(ta);
    const hb = hulls.get(tb);
    if ((ha && hb && iou(ha, hb) === 0) || boxOverlap(ta, tb) < minIou) return;
    pa.get(ta.id)!.push(tb.id);
    pb.get(tb.id)!.push(ta.id);
  });
  const byIdA = new Map(a.map((t) => [t.id, t]));
  const byIdB = new Map(b.map((t) => [t.id, t]));
  const side = (tracks: readonly TimelineTrack[], own: Map<number, number[]>, other: Map<number, number[]>, otherById: Map<number, TimelineTrack>): MatchSide => ({
    partners: own,
    classOf: new Map(tracks.map((t) => [t.id, classify(t, own.get(t.id)!, other, otherById, opts.tolerance)])),
  });
  return { a: side(a, pa, pb, byIdB), b: side(b, pb, pa, byIdA) };
}

function classify(t: TimelineTrack, partners: number[], otherPartners: Map<number, number[]>, otherById: Map<number, TimelineTrack>, tolerance: number): MatchClass {
  if (!partners.length) return 'only';
  const o = otherById.get(partners[0])!;
  const oneToOne = partners.length === 1 && otherPartners.get(o.id)!.length === 1;
  return oneToOne && Math.abs(t.first - o.first) <= tolerance && Math.abs(t.last - o.last) <= tolerance ? 'same' : 'split';
}

/** Counts of each class on one side. */
export function countClasses(side: MatchSide): Record<MatchClass, number> {
  const n = { same: 0, only: 0, split: 0 };
  for (const c of side.classOf.values()) n[c]++;
  return n;
}

/**
 * The stride a run was analysed at, from its tracks: the median gap between a track's
 * detections. Spans are only known to within it, so it is the `same` tolerance.
 */
export function estimateStride(tracks: readonly TimelineTrack[]): number {
  const gaps = tracks.filter((t) => t.frames > 1).map((t) => (t.last - t.first) / (t.frames - 1)).sort((x, y) => x - y);
  return gaps.length ? Math.max(1, Math.round(gaps[gaps.length >> 1])) : 1;
}

/** Calls `pair` for every (a, b) overlapping in time, by a sweep over start frames: O(n log n + pairs). */
function forEachOverlap(a: readonly TimelineTrack[], b: readonly TimelineTrack[], pair: (ta: TimelineTrack, tb: TimelineTrack) => void): void {
  const starts = [...a.map((t) => ({ t, inA: true })), ...b.map((t) => ({ t, inA: false }))].sort((x, y) => x.t.first - y.t.first);
  let activeA: TimelineTrack[] = [];
  let activeB: TimelineTrack[] = [];
  for (const { t, inA } of starts) {
    // Everything still active started no later than t, so it overlaps t unless it has ended.
    if (inA) {
      activeB = activeB.filter((o) => o.last >= t.first);
      for (const o of activeB) pair(t, o);
      activeA.push(t);
    } else {
      activeA = activeA.filter((o) => o.last >= t.first);
      for (const o of activeA) pair(o, t);
      activeB.push(t);
    }
  }
}

/** Frames of a shared span the boxes are compared at: its ends and three between. */
const CHECKPOINTS = [0, 0.25, 0.5, 0.75, 1];

/**
 * Median IoU of the two tracks' boxes (interpolated) over the frames they share, so a face
 * passing briefly in front of another does not make them one. Without boxes on both sides,
 * time overlap alone decides.
 */
function boxOverlap(a: TimelineTrack, b: TimelineTrack): number {
  if (!a.boxes || !b.boxes) return 1;
  const lo = Math.max(a.first, b.first);
  const hi = Math.min(a.last, b.last);
  const ious = CHECKPOINTS.map((k) => {
    const f = lo + (hi - lo) * k;
    return iou(boxAt(a.boxes!, f), boxAt(b.boxes!, f));
  }).sort((x, y) => x - y);
  return ious[ious.length >> 1];
}

function hullOf(boxes: readonly SampledBox[] | undefined): number[] | undefined {
  if (!boxes) return undefined;
  const h = [Infinity, Infinity, -Infinity, -Infinity];
  for (const { xyxy } of boxes) {
    h[0] = Math.min(h[0], xyxy[0]);
    h[1] = Math.min(h[1], xyxy[1]);
    h[2] = Math.max(h[2], xyxy[2]);
    h[3] = Math.max(h[3], xyxy[3]);
  }
  return h;
}

/** The box at `frame`: linear between the samples around it, the nearest one outside them. */
export function boxAt(boxes: readonly SampledBox[], frame: number): readonly number[] {
  const hi = boxes.findIndex((s) => s.frame >= frame);
  if (hi === -1) return boxes[boxes.length - 1].xyxy;
  if (hi === 0 || boxes[hi].frame === frame) return boxes[hi].xyxy;
  const p = boxes[hi - 1];
  const q = boxes[hi];
  const k = (frame - p.frame) / (q.frame - p.frame);
  return p.xyxy.map((v, i) => v + (q.xyxy[i] - v) * k);
}

export function iou(p: readonly number[], q: readonly number[]): number {
  const w = Math.min(p[2], q[2]) - Math.max(p[0], q[0]);
  const h = Math.min(p[3], q[3]) - Math.max(p[1], q[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - inter);
}
