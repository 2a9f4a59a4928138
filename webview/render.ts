// Draws the timeline on a 2D canvas: axis, rows of track bars, scene cuts. Only what is on
// screen is visited (binary search per row), so 10,000 tracks draw in a few milliseconds.
import { drawErrorStrip, drawGtLanes, gtOffset, STRIP_H, type GtScene, type GtStats } from './gt-view';
import { firstEndingAfter, trackAt } from './lanes';
import { ticks, timecode } from './axis';
import type { SceneScoreCurve } from './protocol';
import type { TimelineTrack } from './tracks';
import { frameOf, xOf, type Viewport } from './viewport';

export const AXIS_H = 34;
export const ROW_PITCH = 16;
const ROW_H = 12;
export const TOP = AXIS_H + 6;

export interface Theme {
  bg: string;
  fg: string;
  muted: string;
  grid: string;
  bar: string;
  selected: string;
  cut: string;
  split: string;
  /** Accents for tracks drawn apart from the rest (the Compare page's classes). */
  orange: string;
  purple: string;
  /** CSS font family for canvas text (canvas fonts cannot use var()). */
  font: string;
}

export interface Scene {
  rows: TimelineTrack[][];
  cuts: readonly Cut[];
  /** Frames in the run so far: the end of the axis. */
  total: number;
  /** Frames analysed so far in a live run; the rest is shaded. */
  done?: number;
  fps?: number;
  selectedId?: number;
  hoverId?: number;
  highlight?: Highlight;
  /** A scored run: the error strip and the ground-truth lanes, above the rows of tracks. */
  gt?: GtScene;
  /** The scene detector's score curve, drawn in a band at the bottom under the cut lines. */
  scores?: SceneScoreCurve;
}

/** Tracks drawn solid in a colour of their class instead of in the confidence shades. */
export interface Highlight {
  classOf: ReadonlyMap<number, string>;
  /** Fill colour by class; a class without one is drawn as usual. */
  colors: Readonly<Record<string, string>>;
}

export interface Cut {
  frame: number;
  suppressed: boolean;
}

export interface DrawStats {
  rows: number;
  bars: number;
  /** Bars drawn in a highlight colour, by class. */
  highlighted: Record<string, number>;
  cuts: { frame: number; x: number; suppressed: boolean }[];
  gt?: GtStats;
  /** The score curve: points drawn, and the first frames of those whose content score reaches min_content. */
  scores?: { points: number; aboveMinContent: number[] };
  ms: number;
}

// `offset`: pixels above the first row that the ground truth takes (gtOffset), 0 without one.
/** Top y of a row in canvas pixels. */
export const rowTop = (row: number, v: Viewport, offset = 0): number => TOP + offset + row * ROW_PITCH - v.scrollY;
/** The row under canvas y, or -1 above the rows. */
export const rowAt = (y: number, v: Viewport, offset = 0): number => (y < TOP + offset - v.scrollY ? -1 : Math.floor((y - TOP - offset + v.scrollY) / ROW_PITCH));
/** Height the rows need, for the scroll limit. */
export const contentHeight = (rows: number, offset = 0): number => TOP + offset + rows * ROW_PITCH + 8;

/** The track under canvas point (x, y), with a few pixels of slack either side of thin bars. */
export function trackAtPoint(rows: readonly TimelineTrack[][], v: Viewport, x: number, y: number, offset = 0): TimelineTrack | undefined {
  const r = rowAt(y, v, offset);
  const row = rows[r];
  if (!row || y > rowTop(r, v, offset) + ROW_PITCH - 3) return undefined;
  return trackAt(row, frameOf(v, x), 3 / v.pxPerFrame);
}

/** Confidence buckets: a bar's opacity says how sure the detector was. */
const SHADES = 5;
const shadeOf = (conf: number): number => Math.round(Math.min(1, Math.max(0, (conf - 0.5) / 0.5)) * (SHADES - 1));
const shadeAlpha = (bucket: number): number => 0.3 + (0.7 * bucket) / (SHADES - 1);

export function drawTimeline(g: CanvasRenderingContext2D, width: number, height: number, v: Viewport, scene: Scene, theme: Theme): DrawStats {
  const t0 = performance.now();
  g.fillStyle = theme.bg;
  g.fillRect(0, 0, width, height);
  const startF = v.start;
  const endF = v.start + width / v.pxPerFrame;

  const axis = ticks(startF, Math.min(endF, scene.total), v.pxPerFrame, scene.fps);
  g.fillStyle = theme.grid;
  for (const f of axis.frames) g.fillRect(Math.round(xOf(v, f)), AXIS_H - 6, 1, height);

  if (scene.done !== undefined && scene.done < scene.total) {
    const x = Math.max(0, xOf(v, scene.done));
    g.globalAlpha = 0.08;
    g.fillStyle = theme.fg;
    g.fillRect(x, TOP, width - x, height);
    g.globalAlpha = 1;
  }

  // Bars, batched into one path per confidence shade, plus split markers.
  const shades = Array.from({ length: SHADES }, () => new Path2D());
  const splits = new Path2D();
  const marked = new Map<string, Path2D>();
  const highlighted: Record<string, number> = {};
  const labels: { x: number; y: number; id: number }[] = [];
  const outlined: { x: number; y: number; w: number; color: string }[] = [];
  let bars = 0;
  const offset = gtOffset(scene.gt, ROW_PITCH);
  // Rows scroll under the error strip, which stays put below the axis.
  const clipTop = TOP - 4 + (scene.gt ? STRIP_H : 0);
  const firstRow = Math.max(0, Math.floor((v.scrollY - offset - ROW_PITCH) / ROW_PITCH));
  const lastRow = Math.min(scene.rows.length - 1, Math.ceil((v.scrollY + height) / ROW_PITCH));
  for (let r = firstRow; r <= lastRow; r++) {
    const row = scene.rows[r];
    const y = rowTop(r, v, offset);
    if (y + ROW_H < clipTop) continue;
    for (let i = firstEndingAfter(row, startF); i < row.length && row[i].first <= endF; i++) {
      const t = row[i];
      const x = xOf(v, t.first);
      const w = Math.max(2, xOf(v, t.last + 1) - x);
      const cls = scene.highlight?.classOf.get(t.id);
      if (cls !== undefined && scene.highlight!.colors[cls]) {
        if (!marked.has(cls)) marked.set(cls, new Path2D());
        marked.get(cls)!.rect(x, y, w, ROW_H);
        highlighted[cls] = (highlighted[cls] ?? 0) + 1;
      } else {
        shades[shadeOf(t.conf)].rect(x, y, w, ROW_H);
      }
      bars++;
      if (t.split) {
        splits.moveTo(x - 4, y - 2);
        splits.lineTo(x + 4, y - 2);
        splits.lineTo(x, y + 5);
        splits.closePath();
      }
      if (w > 34) labels.push({ x: Math.max(x, 0) + 3, y: y + ROW_H - 2, id: t.id });
      if (t.id === scene.selectedId) outlined.push({ x, y, w, color: theme.selected });
      else if (t.id === scene.hoverId) outlined.push({ x, y, w, color: theme.fg });
    }
  }
  g.save();
  g.beginPath();
  g.rect(0, clipTop, width, height);
  g.clip();
  const gtSpans = scene.gt && drawGtLanes(g, width, v, scene.gt, { axisH: TOP, lanesTop: TOP + STRIP_H, rowPitch: ROW_PITCH, rowH: ROW_H }, theme);
  g.fillStyle = theme.bar;
  shades.forEach((path, b) => {
    g.globalAlpha = shadeAlpha(b);
    g.fill(path);
  });
  g.globalAlpha = 1;
  for (const [cls, path] of marked) {
    g.fillStyle = scene.highlight!.colors[cls];
    g.fill(path);
  }
  g.fillStyle = theme.split;
  g.fill(splits);
  g.lineWidth = 2;
  for (const o of outlined) {
    g.strokeStyle = o.color;
    g.strokeRect(o.x - 1, o.y - 1, o.w + 2, ROW_H + 2);
  }
  g.fillStyle = theme.bg;
  g.font = `9px ${theme.font}`;
  for (const l of labels.slice(0, 500)) g.fillText(`#${l.id}`, l.x, l.y);
  g.restore();
  const strip = scene.gt && drawErrorStrip(g, width, v, scene.gt, TOP, theme);

  const scores = scene.scores && drawScores(g, width, height, v, scene.scores, theme);

  // Scene cuts over everything: solid where the tracker was reset, dashed where F1 suppressed
  // it. Whole-pixel rects rather than strokes, so the lines stay crisp and testable.
  const cuts: DrawStats['cuts'] = [];
  g.fillStyle = theme.cut;
  for (const c of scene.cuts) {
    if (c.frame < startF - 1 || c.frame > endF + 1) continue;
    const x = Math.round(xOf(v, c.frame));
    if (c.suppressed) {
      for (let y = AXIS_H - 10; y < height; y += 8) g.fillRect(x, y, 1, 4);
    } else {
      g.fillRect(x - 1, AXIS_H - 10, 2, height);
    }
    cuts.push({ frame: c.frame, x, suppressed: c.suppressed });
  }

  // The axis band last, so rows scrolled up pass under it.
  g.fillStyle = theme.bg;
  g.fillRect(0, 0, width, AXIS_H - 10);
  g.fillStyle = theme.muted;
  g.font = `10px ${theme.font}`;
  for (const f of axis.frames) {
    const x = Math.round(xOf(v, f)) + 3;
    g.fillText(String(f), x, 11);
    if (scene.fps) g.fillText(timecode(f, scene.fps), x, 22);
  }
  const endX = xOf(v, scene.total);
  if (scene.total > 0 && endX < width) {
    g.fillStyle = theme.grid;
    g.fillRect(endX, AXIS_H - 10, width - endX, height);
  }

  const gt = scene.gt && gtSpans && strip ? { lanes: scene.gt.lanes.length, spans: gtSpans, ...strip } : undefined;
  return { rows: scene.rows.length, bars, highlighted, cuts, scores, ...(gt ? { gt } : {}), ms: performance.now() - t0 };
}

export const SCORE_BAND_H = 72;

/**
 * The score band along the bottom: each score scaled so its threshold sits at half height (and
 * clipped at twice it), content filled, histogram as a line, the threshold dashed. A cut line
 * then runs down through the spike that made it.
 */
function drawScores(g: CanvasRenderingContext2D, width: number, height: number, v: Viewport, s: SceneScoreCurve, theme: Theme): NonNullable<DrawStats['scores']> {
  const top = height - SCORE_BAND_H;
  const yOf = (score: number, threshold: number) => top + SCORE_BAND_H * (1 - Math.min(1, score / (2 * threshold)));
  g.globalAlpha = 0.85;
  g.fillStyle = theme.bg;
  g.fillRect(0, top, width, SCORE_BAND_H);
  g.globalAlpha = 1;
  const first = Math.max(0, Math.floor(v.start / s.step));
  const last = Math.min(s.content.length - 1, Math.ceil((v.start + width / v.pxPerFrame) / s.step));
  const aboveMinContent: number[] = [];
  const area = new Path2D();
  const line = new Path2D();
  area.moveTo(xOf(v, first * s.step), height);
  for (let i = first; i <= last; i++) {
    const x = xOf(v, (i + 0.5) * s.step);
    area.lineTo(x, yOf(s.content[i], s.minContent));
    if (i === first) line.moveTo(x, yOf(s.histogram[i], s.threshold));
    else line.lineTo(x, yOf(s.histogram[i], s.threshold));
    if (s.content[i] >= s.minContent) aboveMinContent.push(i * s.step);
  }
  area.lineTo(xOf(v, (last + 1) * s.step), height);
  area.closePath();
  g.globalAlpha = 0.6;
  g.fillStyle = theme.orange;
  g.fill(area);
  g.globalAlpha = 1;
  g.strokeStyle = theme.purple;
  g.lineWidth = 1;
  g.stroke(line);
  g.fillStyle = theme.muted;
  for (let x = 0; x < width; x += 8) g.fillRect(x, top + SCORE_BAND_H / 2, 4, 1);
  g.font = `9px ${theme.font}`;
  g.fillText('scene scores: content (filled), histogram (line); dashed: threshold', 4, top + 10);
  return { points: Math.max(0, last - first + 1), aboveMinContent };
}
