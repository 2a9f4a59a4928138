// The Compare page: two runs' timelines stacked on one time axis (zoom or pan either, both
// follow), their tracks matched and classed, the metrics side by side and the config diff.
import type { RunSummary } from '../server/engine/history/run-summary';
import { bindCanvasInput, fitCanvas, frameScheduler, placeTooltip } from './canvas-input';
import { describeTrack } from './describe';
import { packLanes } from './lanes';
import { formatScore, formatScoreDelta, higherIsBetter } from '../server/engine/eval/scores';
import { CACHED, formatMetric, formatValue, METRIC_FORMAT, plural, runTime } from './run-format';
import type { ComparedRun, RunsHostMessage } from './runs-protocol';
import { contentHeight, drawTimeline, trackAtPoint, type Cut, type DrawStats, type Highlight } from './render';
import { snapshotCuts, snapshotTotal } from './snapshot';
import { readTheme } from './theme';
import { countClasses, estimateStride, matchTracks, type MatchClass, type MatchSide } from './track-match';
import type { TimelineTrack } from './tracks';
import { clamp, fit, pan, zoomAt, type Viewport } from './viewport';

export type CompareMessage = Extract<RunsHostMessage, { type: 'compare' }>;
type Key = 'a' | 'b';

export interface CompareStats {
  /** The shared axis: first frame shown, zoom, and the frames it spans. */
  axis: { start: number; pxPerFrame: number; total: number };
  /** Per run, the view it was drawn with: the same start and zoom for both. */
  runs: { key: Key; runId: string; view: { start: number; pxPerFrame: number }; rows: number; bars: number; highlighted: Record<string, number>; classes: Record<MatchClass, number> }[];
}

interface Pane {
  key: Key;
  canvas: HTMLCanvasElement;
  g: CanvasRenderingContext2D;
  plot: HTMLElement;
  tooltip: HTMLElement;
  runId: string;
  fps?: number;
  rows: TimelineTrack[][];
  cuts: Cut[];
  match: MatchSide;
  scrollY: number;
  size: { w: number; h: number };
  hoverId?: number;
  drawn: Viewport;
  stats?: DrawStats;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const other = (k: Key): Key => (k === 'a' ? 'b' : 'a');

export function createCompareView(openRun: (runId: string) => void) {
  let theme = readTheme();
  const panes = (['a', 'b'] as const).map((key): Pane => {
    const canvas = $<HTMLCanvasElement>(`canvas-${key}`);
    return {
      key, canvas, g: canvas.getContext('2d')!, plot: canvas.parentElement!, tooltip: canvas.nextElementSibling as HTMLElement, runId: '',
      rows: [], cuts: [], match: { classOf: new Map(), partners: new Map() }, scrollY: 0, size: { w: 1, h: 1 },
      drawn: { start: 0, pxPerFrame: 1, scrollY: 0 },
    };
  });
  /** The shared horizontal view; each pane scrolls its rows on its own. */
  let axis = { start: 0, pxPerFrame: 1 };
  let total = 0;
  /** Until the user zooms or pans, both runs are shown whole. */
  let autoFit = true;

  const width = () => panes[0].size.w;
  const viewOf = (p: Pane): Viewport => ({ ...axis, scrollY: p.scrollY });
  const maxScroll = (p: Pane) => contentHeight(p.rows.length) - p.size.h;
  const setView = (p: Pane, v: Viewport) => {
    const c = clamp(v, total, width(), maxScroll(p));
    axis = { start: c.start, pxPerFrame: c.pxPerFrame };
    p.scrollY = c.scrollY;
  };

  function draw(): void {
    if (autoFit) axis = fit(total, width());
    for (const p of panes) {
      setView(p, viewOf(p));
      const highlight: Highlight = { classOf: p.match.classOf, colors: { only: theme.orange, split: theme.purple } };
      p.g.setTransform(devicePixelRatio, 0, 0, devicePixelRatio, 0, 0);
      p.drawn = viewOf(p);
      p.stats = drawTimeline(p.g, p.size.w, p.size.h, p.drawn, { rows: p.rows, cuts: p.cuts, total, fps: p.fps, hoverId: p.hoverId, highlight }, theme);
    }
  }

  const requestDraw = frameScheduler(draw);

  function resize(): void {
    for (const p of panes) p.size = fitCanvas(p.canvas, p.plot);
    draw();
  }

  for (const p of panes) {
    bindCanvasInput(p.canvas, {
      zoom(x, factor) {
        autoFit = false;
        setView(p, zoomAt(viewOf(p), x, factor, total, width()));
        requestDraw();
      },
      pan(dx, dy) {
        autoFit = false;
        setView(p, pan(viewOf(p), dx, dy, total, width(), maxScroll(p)));
        p.tooltip.hidden = true;
        requestDraw();
      },
      hover(x, y) {
        const t = trackAtPoint(p.rows, viewOf(p), x, y);
        if (t?.id !== p.hoverId) {
          p.hoverId = t?.id;
          requestDraw();
        }
        if (t) placeTooltip(p.tooltip, [...describeTrack(t, p.fps), matchLine(p, t.id)].join('\n'), x, y, p.size.w);
        else p.tooltip.hidden = true;
      },
      leave() {
        p.tooltip.hidden = true;
        p.hoverId = undefined;
        requestDraw();
      },
      fit() {
        autoFit = true;
        requestDraw();
      },
    });
    new ResizeObserver(resize).observe(p.plot);
  }
  $('fit').addEventListener('click', () => {
    autoFit = true;
    requestDraw();
  });

  function matchLine(p: Pane, id: number): string {
    const them = other(p.key).toUpperCase();
    const partners = (p.match.partners.get(id) ?? []).map((o) => `#${o}`).join(', ');
    switch (p.match.classOf.get(id)) {
      case 'same': return `same as ${them} ${partners}`;
      case 'split': return `split or changed: ${them} ${partners}`;
      default: return `only in ${p.key.toUpperCase()}`;
    }
  }

  function show(m: CompareMessage): void {
    const runs = { a: m.a, b: m.b };
    const match = matchTracks(m.a.snapshot.tracks.tracks, m.b.snapshot.tracks.tracks, {
      tolerance: Math.max(estimateStride(m.a.snapshot.tracks.tracks), estimateStride(m.b.snapshot.tracks.tracks)),
    });
    total = Math.max(snapshotTotal(m.a.snapshot), snapshotTotal(m.b.snapshot));
    for (const p of panes) {
      const run: ComparedRun = runs[p.key];
      const tracks = run.snapshot.tracks.tracks;
      Object.assign(p, {
        runId: run.summary.run_id, fps: run.snapshot.fps, rows: packLanes(tracks),
        cuts: snapshotCuts(run.snapshot), match: match[p.key], scrollY: 0, hoverId: undefined,
      });
      // As tall as its rows, within the limits runs.css sets, so a short run leaves no void.
      p.plot.style.height = `${contentHeight(p.rows.length)}px`;
      renderHead(p.key, run.summary, countClasses(p.match), tracks.length);
    }
    renderMetrics(m);
    renderConfig(m);
    renderGtChanges(m);
    autoFit = true;
    requestAnimationFrame(resize);
  }

  function renderHead(key: Key, s: RunSummary, n: Record<MatchClass, number>, tracks: number): void {
    const head = $(`head-${key}`);
    const cached = s.cache.analysis === 'reused';
    head.replaceChildren(
      Object.assign(document.createElement('b'), { textContent: key.toUpperCase() }),
      ` ${s.run_id} · ${runTime(s)}`,
      ...(cached ? [' · ', Object.assign(document.createElement('span'), { className: 'badge', textContent: CACHED })] : []),
    );
    head.onclick = () => openRun(s.run_id);
    $(`counts-${key}`).textContent = `${plural(tracks, 'track')}: ${n.same} same · ${n.split} split · ${n.only} only in ${key.toUpperCase()}`;
  }

  function renderMetrics(m: CompareMessage): void {
    const cell = (tag: 'th' | 'td', text: string) => Object.assign(document.createElement(tag), { textContent: text });
    $('metrics').querySelector('tbody')!.replaceChildren(...m.metrics.map((d) => {
      const tr = document.createElement('tr');
      tr.dataset.metric = d.metric;
      const relative = d.relative === null || d.delta === 0 ? '' : ` (${d.relative > 0 ? '+' : ''}${(d.relative * 100).toFixed(1)}%)`;
      const label = cell('th', METRIC_FORMAT[d.metric].label);
      label.scope = 'row';
      tr.append(label, cell('td', formatMetric(d.metric, d.a)), cell('td', formatMetric(d.metric, d.b)), cell('td', formatMetric(d.metric, d.delta, true) + relative));
      return tr;
    }), ...m.scores.map((d) => {
      // Scores against the ground truth, their deltas marked better or worse.
      const tr = document.createElement('tr');
      tr.dataset.score = d.key;
      const label = cell('th', d.key);
      label.scope = 'row';
      const value = (v?: number) => (v === undefined ? '—' : formatScore(d.key, v));
      const delta = cell('td', d.delta === undefined ? '—' : formatScoreDelta(d.key, d.delta));
      if (d.delta) delta.className = (d.delta > 0) === higherIsBetter(d.key) ? 'better' : 'worse';
      tr.append(label, cell('td', value(d.a)), cell('td', value(d.b)), delta);
      return tr;
    }));
  }

  function renderConfig(m: CompareMessage): void {
    const box = $('config-diff');
    if (!m.config.length) {
      box.replaceChildren(Object.assign(document.createElement('p'), { className: 'muted', textContent: 'Same config.' }));
      return;
    }
    const list = document.createElement('ul');
    list.append(...m.config.map((c) => {
      const li = document.createElement('li');
      li.append(Object.assign(document.createElement('code'), { textContent: c.key }), `: ${formatValue(c.a)} → ${formatValue(c.b)}`);
      return li;
    }));
    box.replaceChildren(Object.assign(document.createElement('h3'), { textContent: 'Config changes (A → B)' }), list);
  }

  /** The ground-truth ids whose matches changed: matched frames (share of the scored ones) and ID switches, A → B. */
  function renderGtChanges(m: CompareMessage): void {
    const box = $('gt-changes');
    box.hidden = !m.gt;
    if (!m.gt) return;
    if (!m.gt.length) {
      box.replaceChildren(Object.assign(document.createElement('p'), { className: 'muted', textContent: 'Every ground-truth id matched as before.' }));
      return;
    }
    const cell = (tag: 'th' | 'td', text: string) => Object.assign(document.createElement(tag), { textContent: text });
    const matched = (s: { matched: number; scored: number; track?: number }) =>
      `${s.matched}/${s.scored} (${s.scored ? Math.round((100 * s.matched) / s.scored) : 0}%)${s.track !== undefined ? ` · #${s.track}` : ''}`;
    const table = document.createElement('table');
    table.id = 'gt-table';
    table.append(
      Object.assign(document.createElement('caption'), { textContent: 'Ground-truth ids that got better or worse (B vs A)' }),
      Object.assign(document.createElement('thead'), { innerHTML: '<tr><th scope="col">GT id</th><th scope="col">Matched A · pair</th><th scope="col">Matched B · pair</th><th scope="col">IDSW A → B</th><th scope="col"></th></tr>' }),
    );
    const body = document.createElement('tbody');
    const shown = m.gt.slice(0, 50);
    body.append(...shown.map((c) => {
      const tr = document.createElement('tr');
      tr.dataset.gt = String(c.gtId);
      const verdict = cell('td', c.verdict);
      verdict.className = c.verdict;
      tr.append(cell('th', `GT ${c.gtId}`), cell('td', matched(c.a)), cell('td', matched(c.b)), cell('td', `${c.a.idsw} → ${c.b.idsw}`), verdict);
      return tr;
    }));
    table.append(body);
    const more = m.gt.length - shown.length;
    box.replaceChildren(table, ...(more > 0 ? [Object.assign(document.createElement('p'), { className: 'muted', textContent: `and ${more} more` })] : []));
  }

  const stats = (): CompareStats => ({
    axis: { ...axis, total },
    runs: panes.map((p) => ({
      key: p.key, runId: p.runId, view: { start: p.drawn.start, pxPerFrame: p.drawn.pxPerFrame }, rows: p.stats?.rows ?? 0, bars: p.stats?.bars ?? 0,
      highlighted: p.stats?.highlighted ?? {}, classes: countClasses(p.match),
    })),
  });

  return {
    show,
    stats,
    themeChanged() {
      theme = readTheme();
      requestDraw();
    },
    drawNow(): CompareStats {
      draw();
      return stats();
    },
  };
}
