// The timeline page: holds the run's tracks and cuts, draws them, and turns pointer input into
// zoom, pan, hover and selection. It talks to the extension host by postMessage only.
import './timeline.css';
import { bindCanvasInput, fitCanvas, frameScheduler, placeTooltip } from './canvas-input';
import { describeTrack } from './describe';
import { describeLane, errorAtPoint, gtOffset, gtScene, laneAtPoint, pairHighlight, STRIP_H, type GtScene } from './gt-view';
import { packLanes } from './lanes';
import type { HostMessage, PageMessage, RunSnapshot, SceneScoreCurve } from './protocol';
import { runLabel } from './run-format';
import { contentHeight, drawTimeline, ROW_PITCH, TOP, trackAtPoint, type Cut, type DrawStats, type Highlight } from './render';
import { identityColour } from './identity-colours';
import { snapshotCuts, snapshotTotal } from './snapshot';
import { onThemeChange, readTheme } from './theme';
import { spanFrames, toTrack, type TimelineTrack } from './tracks';
import { clamp, fit, pan, zoomAt, type Viewport } from './viewport';

declare function acquireVsCodeApi(): { postMessage(msg: PageMessage): void };
const vscode = acquireVsCodeApi();

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('canvas');
const plot = $('plot');
const tooltip = $('tooltip');
const detail = $('detail');
const g = canvas.getContext('2d')!;

const run = {
  epId: '',
  state: 'none' as string,
  tracks: [] as TimelineTrack[],
  byId: new Map<number, TimelineTrack>(),
  cuts: [] as Cut[],
  total: 0,
  done: undefined as number | undefined,
  fps: undefined as number | undefined,
  malformed: 0,
  firstMalformedLine: undefined as number | undefined,
  attribution: undefined as string | undefined,
  gt: undefined as GtScene | undefined,
  pairs: undefined as Highlight | undefined,
  scores: undefined as SceneScoreCurve | undefined,
};
let rows: TimelineTrack[][] = [];
let minLen = 0;
let showScores = false;
let selectedId: number | undefined;
let hoverId: number | undefined;
let view: Viewport = { start: 0, pxPerFrame: 1, scrollY: 0 };
/** Until the user zooms or pans, the view follows the run's length as it grows. */
let autoFit = true;
let theme = readTheme();
let lastStats: DrawStats | undefined;
let size = { w: 0, h: 0 };

// ---- data -------------------------------------------------------------------------------

function loadSnapshot(s: RunSnapshot): void {
  const parsed = s.tracks;
  Object.assign(run, {
    epId: s.epId, state: s.state, tracks: parsed.tracks, cuts: snapshotCuts(s), total: snapshotTotal(s), done: undefined, fps: s.fps,
    malformed: parsed.malformed, firstMalformedLine: parsed.firstMalformedLine, attribution: s.attribution, scores: s.sceneScores,
    gt: s.gt && gtScene(s.gt),
  });
  run.pairs = run.gt && pairHighlight(run.gt);
  const toggle = $<HTMLInputElement>('scores');
  toggle.disabled = !s.sceneScores;
  toggle.parentElement!.title = s.sceneScores ? toggle.parentElement!.dataset.title ?? '' : 'This run has no scene_scores.json (scene detection off, or an older run).';
  run.byId = new Map(run.tracks.map((t) => [t.id, t]));
  autoFit = true;
  changed();
}

function onEvent(e: Extract<HostMessage, { type: 'event' }>['event']): void {
  switch (e.type) {
    case 'phase':
      run.state = e.phase === 'done' ? 'completed' : e.phase === 'error' ? 'failed' : e.phase === 'cancelled' ? 'cancelled' : 'running';
      break;
    case 'progress':
      extendTotal(e.frames_total || e.frames_done);
      run.done = e.frames_done;
      break;
    case 'cut':
      run.cuts.push({ frame: e.frame_idx, suppressed: e.suppressed });
      extendTotal(e.frame_idx + 1);
      break;
    case 'track': {
      const t = toTrack(e);
      if (!t || run.byId.has(t.id)) return;
      run.tracks.push(t);
      run.byId.set(t.id, t);
      extendTotal(t.last + 1);
      break;
    }
    case 'exit':
      run.state = e.state;
      run.done = undefined;
      break;
    default:
      return;
  }
  changed();
}

function extendTotal(frames: number): void {
  run.total = Math.max(run.total, frames);
}

// ---- view -------------------------------------------------------------------------------

let repackPending = false;

const requestDraw = frameScheduler(draw);

/** Data changed: re-pack the rows and redraw, at most once per frame however many events came. */
function changed(): void {
  repackPending = true;
  requestDraw();
}

function draw(): void {
  if (repackPending) {
    rows = packLanes(minLen > 1 ? run.tracks.filter((t) => spanFrames(t) >= minLen) : run.tracks);
    highlight = identityHighlight();
    repackPending = false;
    renderHeader();
  }
  if (autoFit) view = fit(run.total, size.w);
  view = clamp(view, run.total, size.w, maxScroll());
  g.setTransform(devicePixelRatio, 0, 0, devicePixelRatio, 0, 0);
  lastStats = drawTimeline(g, size.w, size.h, view, {
    rows, cuts: run.cuts, total: run.total, done: run.done, fps: run.fps, selectedId, hoverId, gt: run.gt,
    // With a ground truth, a track takes its ground-truth pair's colour rather than its person's.
    highlight: run.pairs ?? highlight,
    scores: showScores ? run.scores : undefined,
  }, theme);
}

/** Pixels the ground truth takes above the rows of tracks. */
const offset = () => gtOffset(run.gt, ROW_PITCH);
const maxScroll = () => contentHeight(rows.length, offset()) - size.h;
const laneGeometry = () => ({ axisH: TOP, lanesTop: TOP + STRIP_H, rowPitch: ROW_PITCH, rowH: 12 });
const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
const ERROR_NAMES = { fn: 'FN (missed)', fp: 'FP (false positive)', idsw: 'IDSW (ID switch)', frag: 'Frag (tracked again)' } as const;

/** What is under the pointer: an error marker, a ground-truth lane or a track, and its tooltip text. */
function hit(x: number, y: number) {
  const error = run.gt && errorAtPoint(run.gt, view, TOP, x, y);
  if (error) return { error, text: `frame ${error.frame}: ${error.count} ${ERROR_NAMES[error.kind]}\nclick to open the frame view` };
  if (run.gt && y < TOP + STRIP_H) return undefined;
  const lane = run.gt && laneAtPoint(run.gt, view, laneGeometry(), x, y);
  if (lane) return { lane, text: describeLane(lane, run.fps).join('\n') };
  const track = trackAtPoint(rows, view, x, y, offset());
  return track && { track, text: describeTrack(track, run.fps).join('\n') };
}

let highlight: Highlight | undefined;

/** Tracks coloured by person when the run has identities (the Identities page's colours). */
function identityHighlight(): Highlight | undefined {
  const classOf = new Map<number, string>();
  const colors: Record<string, string> = {};
  for (const t of run.tracks) {
    if (t.identity === undefined) continue;
    const key = `person-${t.identity}`;
    classOf.set(t.id, key);
    colors[key] ??= identityColour(t.identity);
  }
  return classOf.size ? { classOf, colors } : undefined;
}

function renderHeader(): void {
  $('ep').textContent = run.epId || 'Episode';
  const badge = $('state');
  badge.textContent = run.state === 'none' ? 'no run yet' : run.state;
  badge.className = `badge ${run.state}`;
  const suppressed = run.cuts.filter((c) => c.suppressed).length;
  const shown = rows.reduce((n, r) => n + r.length, 0);
  $('counts').textContent = [
    !run.tracks.length ? 'no tracks yet'
      : `${shown === run.tracks.length ? n(shown, 'track') : `${shown} of ${n(run.tracks.length, 'track')}`} in ${n(rows.length, 'row')}`,
    `${n(run.cuts.length, 'cut')}${suppressed ? ` (${suppressed} suppressed)` : ''}`,
    run.total ? `${run.total} frames` : '',
    run.gt ? `${n(run.gt.lanes.length, 'ground-truth id')}, ${n(run.gt.errors.length, 'frame')} with errors` : '',
  ].filter(Boolean).join(' · ');
  const warning = $('warning');
  warning.hidden = run.malformed === 0;
  warning.textContent = run.malformed
    ? `${run.malformed} malformed line${run.malformed > 1 ? 's' : ''} in tracks.jsonl skipped (first at line ${run.firstMalformedLine}); the rest is drawn.`
    : '';
}

function resize(): void {
  size = fitCanvas(canvas, plot);
  draw();
}

// ---- pointer ----------------------------------------------------------------------------

bindCanvasInput(canvas, {
  zoom(x, factor) {
    autoFit = false;
    view = zoomAt(view, x, factor, run.total, size.w);
    requestDraw();
  },
  pan(dx, dy) {
    autoFit = false;
    view = pan(view, dx, dy, run.total, size.w, maxScroll());
    tooltip.hidden = true;
    requestDraw();
  },
  hover(x, y) {
    const h = hit(x, y);
    const t = h?.track;
    if (t?.id !== hoverId) {
      hoverId = t?.id;
      requestDraw();
    }
    canvas.style.cursor = h?.error ? 'pointer' : '';
    if (h) placeTooltip(tooltip, h.text, x, y, size.w);
    else tooltip.hidden = true;
  },
  leave() {
    tooltip.hidden = true;
    if (hoverId !== undefined) {
      hoverId = undefined;
      requestDraw();
    }
  },
  click(x, y) {
    const h = hit(x, y);
    if (h?.error) vscode.postMessage({ type: 'openFrame', frame: h.error.frame, kind: h.error.kind });
    else if (h?.track) select(h.track.id);
  },
  fit() {
    autoFit = true;
    requestDraw();
  },
});

// ---- run switcher -----------------------------------------------------------------------

const runSelect = $<HTMLSelectElement>('run');

function showRuns(m: Extract<HostMessage, { type: 'runs' }>): void {
  const option = (value: string, label: string) => Object.assign(document.createElement('option'), { value, textContent: label });
  runSelect.replaceChildren(option('', 'Latest'), ...[...m.runs].reverse().map((r) => option(r.run_id, runLabel(r))));
  runSelect.value = m.current ?? '';
  runSelect.hidden = m.runs.length === 0;
}

runSelect.addEventListener('change', () => {
  vscode.postMessage(runSelect.value ? { type: 'selectRun', runId: runSelect.value } : { type: 'selectRun' });
});

// ---- selection and detail strip ---------------------------------------------------------

function select(id: number): void {
  const t = run.byId.get(id);
  if (!t) return;
  selectedId = id;
  detail.hidden = false;
  $('detail-title').textContent = describeTrack(t, run.fps).join(' · ');
  $('crops').replaceChildren(Object.assign(document.createElement('span'), { className: 'muted', textContent: 'Loading crops…' }));
  $('attribution').textContent = run.attribution ?? '';
  vscode.postMessage({ type: 'selectTrack', trackId: id });
  requestAnimationFrame(resize);
}

function showCrops(m: Extract<HostMessage, { type: 'crops' }>): void {
  if (m.trackId !== selectedId) return;
  const box = $('crops');
  if (!m.crops.length) {
    box.replaceChildren(Object.assign(document.createElement('span'), { className: 'muted', textContent: m.note ?? 'No crops for this track.' }));
    return;
  }
  box.replaceChildren(...m.crops.map((c) => {
    const fig = document.createElement('figure');
    const img = Object.assign(document.createElement('img'), { src: c.src, alt: `frame ${c.frame_idx}`, loading: 'lazy' });
    fig.append(img, Object.assign(document.createElement('figcaption'), { textContent: String(c.frame_idx) }));
    return fig;
  }));
}

/** Brings a track into view: its row scrolled in, its span centred at a useful zoom. */
function reveal(t: TimelineTrack): void {
  autoFit = false;
  const r = rows.findIndex((row) => row.includes(t));
  const pxPerFrame = Math.max(view.pxPerFrame, Math.min(8, (size.w * 0.5) / spanFrames(t)));
  const mid = (t.first + t.last + 1) / 2;
  view = { start: mid - size.w / 2 / pxPerFrame, pxPerFrame, scrollY: r < 0 ? view.scrollY : offset() + r * ROW_PITCH - size.h / 3 };
}

$('close-detail').addEventListener('click', () => {
  detail.hidden = true;
  selectedId = undefined;
  requestAnimationFrame(resize);
});
$('reveal').addEventListener('click', (e) => {
  e.preventDefault();
  if (selectedId !== undefined) vscode.postMessage({ type: 'revealTrack', trackId: selectedId });
});
$('fit').addEventListener('click', () => {
  autoFit = true;
  requestDraw();
});
$<HTMLInputElement>('min-len').addEventListener('input', (e) => {
  minLen = Math.max(0, Number((e.target as HTMLInputElement).value) || 0);
  changed();
});
const scoresToggle = $<HTMLInputElement>('scores');
scoresToggle.parentElement!.dataset.title = scoresToggle.parentElement!.title;
scoresToggle.addEventListener('change', () => {
  showScores = scoresToggle.checked;
  requestDraw();
});
$<HTMLInputElement>('search').addEventListener('change', (e) => {
  const input = e.target as HTMLInputElement;
  const t = run.byId.get(Number(input.value));
  const hidden = t && spanFrames(t) < minLen;
  input.title = !input.value ? '' : !t ? `No track ${input.value}` : hidden ? `Track ${t.id} is shorter than the minimum length` : '';
  input.classList.toggle('invalid', !!input.title);
  if (!t || hidden) return;
  reveal(t);
  select(t.id);
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && !detail.hidden) $('close-detail').click();
});

// ---- wiring -----------------------------------------------------------------------------

window.addEventListener('message', (e: MessageEvent<HostMessage>) => {
  const m = e.data;
  if (m.type === 'snapshot') loadSnapshot(m.run);
  else if (m.type === 'event') onEvent(m.event);
  else if (m.type === 'crops') showCrops(m);
  else if (m.type === 'runs') showRuns(m);
});
onThemeChange(() => {
  theme = readTheme();
  requestDraw();
});
new ResizeObserver(resize).observe(plot);

/** Read-only view of what the last frame drew, for the browser tests and for diagnosing. */
Object.assign(window, {
  episodeTimeline: {
    stats: () => lastStats,
    view: () => ({ ...view }),
    run: () => ({ state: run.state, tracks: run.tracks.length, cuts: run.cuts.length, malformed: run.malformed, total: run.total }),
    drawNow: () => {
      draw();
      return lastStats;
    },
  },
});
vscode.postMessage({ type: 'ready' });
