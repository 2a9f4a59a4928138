// The Sweep page: one row per run of the sweep, and a plot of speed (realtime factor) against
// fragmentation (tracks per minute), so the fast runs that do not shred faces stand out.
import type { RunSummary, SummaryMetric } from '../server/engine/history/run-summary';
import { niceScale, type NiceScale } from './nice-scale';
import { formatMetric, formatValue, METRIC_FORMAT, shortKey } from './run-format';
import type { RunsHostMessage } from './runs-protocol';

export type SweepMessage = Extract<RunsHostMessage, { type: 'sweep' }>;

export interface SweepStats {
  rows: number;
  points: { runId: string; cx: number; cy: number }[];
}

const COLUMNS: SummaryMetric[] = ['tracks', 'tracks_per_minute', 'id_switches', 'wall_time_s', 'realtime_factor'];
const SVG = 'http://www.w3.org/2000/svg';
/** Plot box inside the 520 × 340 viewBox: room on the left and below for ticks and labels. */
const BOX = { left: 64, right: 504, top: 16, bottom: 288 };

const $ = (id: string) => document.getElementById(id)!;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * A run's row or point: click, Enter or Space opens the run (Tab reaches it); hover or focus
 * marks the row and the point together.
 */
function bindRun(el: Element, runId: string, openRun: (runId: string) => void): void {
  el.setAttribute('data-run-id', runId);
  el.setAttribute('tabindex', '0');
  el.setAttribute('role', 'button');
  el.addEventListener('click', () => openRun(runId));
  el.addEventListener('keydown', (e) => {
    const key = (e as KeyboardEvent).key;
    if (key !== 'Enter' && key !== ' ') return;
    e.preventDefault();
    openRun(runId);
  });
  const mark = (on: boolean) => document.querySelectorAll(`[data-run-id="${CSS.escape(runId)}"]`).forEach((m) => m.classList.toggle('hot', on));
  for (const ev of ['pointerenter', 'focus']) el.addEventListener(ev, () => mark(true));
  for (const ev of ['pointerleave', 'blur']) el.addEventListener(ev, () => mark(false));
}

/** Round ticks around the values, with a margin so no point sits on the frame (never below 0). */
function scaleOf(values: number[]): NiceScale {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = (hi - lo) * 0.08;
  return niceScale(Math.max(lo >= 0 ? 0 : -Infinity, lo - pad), hi + pad);
}

const valuesOf = (r: RunSummary, keys: string[]) => keys.map((k) => `${shortKey(k)}=${formatValue(r.sweep?.values[k])}`).join(', ');

export function createSweepView(openRun: (runId: string) => void) {
  let points: SweepStats['points'] = [];
  let rows = 0;

  function renderTable(m: SweepMessage): void {
    const table = $('sweep-table');
    const head = document.createElement('tr');
    head.append(...m.keys.map((k) => Object.assign(document.createElement('th'), { scope: 'col', textContent: shortKey(k), title: k })));
    head.append(...COLUMNS.map((c) => Object.assign(document.createElement('th'), { scope: 'col', textContent: METRIC_FORMAT[c].label })));
    table.querySelector('thead')!.replaceChildren(head);
    table.querySelector('tbody')!.replaceChildren(...m.runs.map((r) => {
      const tr = document.createElement('tr');
      tr.title = `Open run ${r.run_id}`;
      tr.append(...m.keys.map((k) => Object.assign(document.createElement('td'), { textContent: formatValue(r.sweep?.values[k]) })));
      tr.append(...COLUMNS.map((c) => Object.assign(document.createElement('td'), { className: 'num', textContent: formatMetric(c, r[c]) })));
      bindRun(tr, r.run_id, openRun);
      return tr;
    }));
    rows = m.runs.length;
  }

  function renderPlot(m: SweepMessage): void {
    const plot = $('sweep-plot');
    points = [];
    if (!m.runs.length) {
      plot.replaceChildren(svg('text', { x: 260, y: 170, 'text-anchor': 'middle' }, 'No runs in this sweep yet.'));
      return;
    }
    const xs = scaleOf(m.runs.map((r) => r.realtime_factor));
    const ys = scaleOf(m.runs.map((r) => r.tracks_per_minute));
    const px = (v: number) => BOX.left + ((v - xs.lo) / (xs.hi - xs.lo)) * (BOX.right - BOX.left);
    const py = (v: number) => BOX.bottom - ((v - ys.lo) / (ys.hi - ys.lo)) * (BOX.bottom - BOX.top);
    const axes = svg('g', { class: 'axes' });
    const tickLabel = (s: NiceScale, v: number) => v.toFixed(s.digits);
    for (const v of xs.ticks) {
      axes.append(svg('line', { class: 'grid', x1: px(v), x2: px(v), y1: BOX.top, y2: BOX.bottom }));
      axes.append(svg('text', { x: px(v), y: BOX.bottom + 16, 'text-anchor': 'middle' }, tickLabel(xs, v)));
    }
    for (const v of ys.ticks) {
      axes.append(svg('line', { class: 'grid', x1: BOX.left, x2: BOX.right, y1: py(v), y2: py(v) }));
      axes.append(svg('text', { x: BOX.left - 6, y: py(v) + 4, 'text-anchor': 'end' }, tickLabel(ys, v)));
    }
    axes.append(
      svg('rect', { class: 'frame', x: BOX.left, y: BOX.top, width: BOX.right - BOX.left, height: BOX.bottom - BOX.top }),
      svg('text', { class: 'label', x: (BOX.left + BOX.right) / 2, y: BOX.bottom + 40, 'text-anchor': 'middle' }, 'Speed: realtime factor (×, faster →)'),
      svg('text', { class: 'label', transform: `translate(16 ${(BOX.top + BOX.bottom) / 2}) rotate(-90)`, 'text-anchor': 'middle' }, 'Fragmentation: tracks per minute'),
    );
    const dots = m.runs.map((r) => {
      const c = svg('circle', { class: 'point', cx: px(r.realtime_factor), cy: py(r.tracks_per_minute), r: 6 });
      const text = [
        `${r.run_id}${m.keys.length ? ` (${valuesOf(r, m.keys)})` : ''}`,
        `${formatMetric('realtime_factor', r.realtime_factor)} realtime · ${formatMetric('tracks_per_minute', r.tracks_per_minute)}`,
        `${r.tracks} tracks · ${r.id_switches} ID switches · ${formatMetric('wall_time_s', r.wall_time_s)}`,
      ].join('\n');
      c.append(svg('title', {}, text));
      c.setAttribute('aria-label', text.replace(/\n/g, '; '));
      bindRun(c, r.run_id, openRun);
      points.push({ runId: r.run_id, cx: px(r.realtime_factor), cy: py(r.tracks_per_minute) });
      return c;
    });
    plot.replaceChildren(axes, ...dots);
  }

  return {
    show(m: SweepMessage): void {
      renderTable(m);
      renderPlot(m);
    },
    stats: (): SweepStats => ({ rows, points: [...points] }),
  };
}
