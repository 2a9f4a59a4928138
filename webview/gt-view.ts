// The ground truth on the timeline: an error strip under the axis (a sub-row per kind: FN, FP,
// IDSW, Frag, a tick on each frame with one) and a lane per ground-truth id above the run's
// tracks. A lane is drawn in its pair's colour where the id was matched to the track it pairs
// with, orange where another track had it, grey where it was missed; the paired track's bars
// take the same colour, so a pair reads at a glance.
import { ERROR_KINDS, type ErrorKind, type FrameErrors, type GtLane, type GtTimeline } from '../server/engine/eval/gt-lanes';
import type { Highlight, Theme } from './render';
import { frameOf, xOf, type Viewport } from './viewport';

/** Height of one kind's sub-row of the error strip, and the strip with its margin below. */
export const STRIP_ROW = 10;
export const STRIP_H = ERROR_KINDS.length * STRIP_ROW + 6;
/** Space between the last ground-truth lane and the first row of tracks. */
export const LANES_GAP = 8;

/** Pair colours: distinct hues that read on dark and light themes alike. */
const PALETTE = ['#3fd17a', '#e5c07b', '#56b6c2', '#ff6bcb', '#a3e635', '#f59e0b', '#60a5fa', '#f472b6', '#34d399', '#c084fc'];

export interface GtScene extends GtTimeline {
  /** Pair colour by ground-truth id. */
  colorOf: ReadonlyMap<number, string>;
}

export interface GtStats {
  lanes: number;
  /** Spans drawn, by state. */
  spans: { paired: number; other: number; missed: number };
  /** Ticks drawn in the strip, by kind. */
  markers: Record<ErrorKind, number>;
  /** CSS y of each kind's sub-row (its middle), for tests and for clicking. */
  stripY: Record<ErrorKind, number>;
}

export function gtScene(t: GtTimeline): GtScene {
  return { ...t, colorOf: new Map(t.lanes.map((l, i) => [l.gtId, PALETTE[i % PALETTE.length]])) };
}

/** The tracks paired with a ground-truth id, drawn in the pair's colour. */
export function pairHighlight(gt: GtScene): Highlight {
  const classOf = new Map<number, string>();
  const colors: Record<string, string> = {};
  for (const l of gt.lanes) {
    if (l.track === undefined) continue;
    classOf.set(l.track, `gt${l.gtId}`);
    colors[`gt${l.gtId}`] = gt.colorOf.get(l.gtId)!;
  }
  return { classOf, colors };
}

/** Pixels above the first row of tracks that the ground truth takes (strip, lanes, gap). */
export const gtOffset = (gt: GtScene | undefined, rowPitch: number): number => (gt ? STRIP_H + gt.lanes.length * rowPitch + LANES_GAP : 0);

const stripRowTop = (axisH: number, k: number) => axisH + k * STRIP_ROW;

/** Index of the first error at or after `frame` (errors are in frame order). */
function firstErrorFrom(errors: readonly FrameErrors[], frame: number): number {
  let lo = 0;
  let hi = errors.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (errors[mid].frame < frame) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface GtGeometry {
  /** Bottom of the axis band: the strip starts here. */
  axisH: number;
  /** Top of the first ground-truth lane before scrolling. */
  lanesTop: number;
  rowPitch: number;
  rowH: number;
}

/** Draws the lanes (scrolled with the rows, clipped by the caller) and returns their stats. */
export function drawGtLanes(g: CanvasRenderingContext2D, width: number, v: Viewport, gt: GtScene, geo: GtGeometry, theme: Theme): GtStats['spans'] {
  const startF = v.start;
  const endF = v.start + width / v.pxPerFrame;
  const spans = { paired: 0, other: 0, missed: 0 };
  g.font = `9px ${theme.font}`;
  gt.lanes.forEach((lane, i) => {
    const y = geo.lanesTop + i * geo.rowPitch - v.scrollY;
    if (y + geo.rowH < geo.lanesTop - v.scrollY - geo.rowPitch || lane.last < startF - 1 || lane.first > endF) return;
    const color = gt.colorOf.get(lane.gtId)!;
    for (const s of lane.spans) {
      if (s.last < startF - 1 || s.first > endF) continue;
      const x = xOf(v, s.first);
      const w = Math.max(2, xOf(v, s.last + 1) - x);
      const state = s.track === 0 ? 'missed' : s.track === lane.track ? 'paired' : 'other';
      g.fillStyle = state === 'paired' ? color : state === 'other' ? theme.orange : theme.muted;
      g.globalAlpha = state === 'missed' ? 0.45 : 1;
      // Ground truth is drawn as an outlined band, the run's tracks as filled bars.
      g.fillRect(x, y + 2, w, geo.rowH - 4);
      g.globalAlpha = 1;
      spans[state]++;
    }
    const x = Math.max(xOf(v, lane.first), 0) + 2;
    g.fillStyle = theme.bg;
    g.fillRect(x - 2, y, g.measureText(`GT ${lane.gtId}`).width + 4, geo.rowH);
    g.fillStyle = color;
    g.fillText(`GT ${lane.gtId}`, x, y + geo.rowH - 2);
  });
  // A rule between the ground truth and the run's tracks.
  g.fillStyle = theme.grid;
  g.fillRect(0, geo.lanesTop + gt.lanes.length * geo.rowPitch + LANES_GAP / 2 - 2 - v.scrollY, width, 1);
  return spans;
}

/** Draws the error strip (fixed under the axis) and returns the ticks drawn per kind. */
export function drawErrorStrip(g: CanvasRenderingContext2D, width: number, v: Viewport, gt: GtScene, axisH: number, theme: Theme): Pick<GtStats, 'markers' | 'stripY'> {
  const startF = v.start;
  const endF = v.start + width / v.pxPerFrame;
  g.fillStyle = theme.bg;
  g.fillRect(0, axisH - 2, width, STRIP_H);
  const markers = { fn: 0, fp: 0, idsw: 0, frag: 0 };
  const stripY = { fn: 0, fp: 0, idsw: 0, frag: 0 };
  const w = Math.max(2, v.pxPerFrame);
  ERROR_KINDS.forEach((kind, k) => {
    const top = stripRowTop(axisH, k);
    stripY[kind] = top + (STRIP_ROW - 1) / 2;
    g.fillStyle = theme.grid;
    g.fillRect(0, top + STRIP_ROW - 1, width, 1);
    g.fillStyle = errorColor(kind, theme);
    for (let i = firstErrorFrom(gt.errors, Math.floor(startF)); i < gt.errors.length && gt.errors[i].frame <= endF; i++) {
      if (!gt.errors[i][kind]) continue;
      g.fillRect(Math.round(xOf(v, gt.errors[i].frame)), top, w, STRIP_ROW - 2);
      markers[kind]++;
    }
    g.fillStyle = theme.bg;
    g.fillRect(width - 34, top, 34, STRIP_ROW - 1);
    g.fillStyle = theme.muted;
    g.font = `9px ${theme.font}`;
    g.fillText(kind.toUpperCase(), width - 32, top + STRIP_ROW - 2);
  });
  return { markers, stripY };
}

export const errorColor = (kind: ErrorKind, theme: Theme): string =>
  ({ fn: theme.cut, fp: theme.orange, idsw: theme.purple, frag: theme.split })[kind];

/** The error marker under canvas point (x, y) in the strip, within a few pixels; else undefined. */
export function errorAtPoint(gt: GtScene, v: Viewport, axisH: number, x: number, y: number): { frame: number; kind: ErrorKind; count: number } | undefined {
  const k = Math.floor((y - axisH) / STRIP_ROW);
  const kind = ERROR_KINDS[k];
  if (!kind || y < axisH) return undefined;
  const slack = 4 / v.pxPerFrame;
  const f = frameOf(v, x);
  let best: FrameErrors | undefined;
  for (let i = firstErrorFrom(gt.errors, Math.floor(f - slack - 1)); i < gt.errors.length && gt.errors[i].frame <= f + slack; i++) {
    const e = gt.errors[i];
    if (e[kind] && (!best || Math.abs(e.frame + 0.5 - f) < Math.abs(best.frame + 0.5 - f))) best = e;
  }
  return best && { frame: best.frame, kind, count: best[kind] };
}

/** The ground-truth lane under canvas point (x, y), if any. */
export function laneAtPoint(gt: GtScene, v: Viewport, geo: GtGeometry, x: number, y: number): GtLane | undefined {
  const i = Math.floor((y - geo.lanesTop + v.scrollY) / geo.rowPitch);
  const lane = gt.lanes[i];
  const f = frameOf(v, x);
  return lane && y >= geo.lanesTop - 4 && f >= lane.first - 3 / v.pxPerFrame && f <= lane.last + 1 + 3 / v.pxPerFrame ? lane : undefined;
}

export function describeLane(l: GtLane, fps?: number): string[] {
  const at = (f: number) => (fps ? `${f} (${(f / fps).toFixed(2)} s)` : String(f));
  return [
    `GT ${l.gtId}: frames ${at(l.first)}–${at(l.last)}`,
    `matched on ${l.matched} of ${l.scored} scored frames${l.track !== undefined ? `, paired with track #${l.track}` : ', paired with no track'}`,
    `${l.idsw} ID switch${l.idsw === 1 ? '' : 'es'}, ${l.frag} fragmentation${l.frag === 1 ? '' : 's'}`,
  ];
}
