// The Sweep page, a tuning tool: one row per run of the sweep and a plot of any two of the
// points' metrics (default: HOTA against a standalone run's speed when the runs are scored,
// else tracks per minute against speed), with the Pareto front for the axes' directions drawn
// and the best point on the chosen objective marked. Apply (on the best point or a row) asks the
// host to write that point's values into the episode config.
import type { RunSummary } from '../server/engine/history/run-summary';
import { standaloneSpeed } from '../server/engine/history/run-summary';
import { bestPoint, defaultAxes, directionOf, metricNames, paretoFront, pointValues } from '../server/engine/sweep/pareto';
import { niceScale, type NiceScale } from './nice-scale';
import { formatMetric, formatValue, METRIC_FORMAT, shortKey } from './run-format';
import type { RunsHostMessage, SweepStats } from './runs-protocol';

export type SweepMessage = Extract<RunsHostMessage, { type: 'sweep' }>;


/** Table columns after the swept keys: the standalone speed, then the summary's; scores (any other metric with a better side) follow. */
const COLUMNS = ['speed', 'tracks', 'tracks_per_minute', 'id_switches', 'wall_time_s'];
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

/** A metric's name for people: the summary's labels, `speed` as a standalone run's, others as named. */
function labelOf(metric: string): string {
  if (metric === 'speed') return 'Speed';
  return metric in METRIC_FORMAT ? METRIC_FORMAT[metric as keyof typeof METRIC_FORMAT].label : metric;
}

function formatAny(metric: string, v: number): string {
  if (metric === 'speed') return `${v.toFixed(1)}×`;
  if (metric in METRIC_FORMAT) return formatMetric(metric as keyof typeof METRIC_FORMAT, v);
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 3 : 1);
}

function axisTitle(metric: string): string {
  const dir = directionOf(metric);
  const what = metric === 'speed' ? 'Speed: × realtime, standalone' : labelOf(metric);
  return `${what} (${dir === 'min' ? 'lower is better' : dir === 'max' ? 'higher is better' : 'no better side'})`;
}

export function createSweepView(openRun: (runId: string) => void, apply: (runId: string) => void) {
  let stats: SweepStats = { rows: 0, points: [], axes: { x: 'speed', y: 'tracks_per_minute' }, objective: 'speed', front: [], best: undefined };
  let last: SweepMessage | undefined;
  /** The user's choices survive a refresh of the same sweep. */
  let chosen: { x?: string; y?: string; objective?: string } = {};

  function fillSelect(id: string, names: string[], value: string, onPick: (v: string) => void): void {
    const sel = $(id) as HTMLSelectElement;
    sel.replaceChildren(...names.map((n) => Object.assign(document.createElement('option'), { value: n, textContent: labelOf(n) })));
    sel.value = value;
    sel.onchange = () => onPick(sel.value);
  }

  function render(m: SweepMessage): void {
    const runs = m.runs.filter((r) => r.state === 'completed');
    const values = runs.map(pointValues);
    const names = metricNames(values);
    const fallback = defaultAxes(names);
    const pick = (v: string | undefined, d: string) => (v && names.includes(v) ? v : d);
    const x = pick(chosen.x, fallback.x);
    const y = pick(chosen.y, fallback.y);
    const objective = pick(chosen.objective, directionOf(y) ? y : 'speed');
    fillSelect('axis-x', names, x, (v) => { chosen.x = v; render(m); });
    fillSelect('axis-y', names, y, (v) => { chosen.y = v; render(m); });
    fillSelect('objective', names.filter((n) => directionOf(n)), objective, (v) => { chosen.objective = v; render(m); });
    const front = values.length ? paretoFront(values, [x, y]) : [];
    const best = values.length && names.includes(objective) ? bestPoint(values, objective) : undefined;
    stats = {
      rows: 0, points: [], axes: { x, y }, objective,
      front: front.map((i) => runs[i].run_id), best: best === undefined ? undefined : runs[best].run_id,
    };
    renderBest(m, runs, best, objective, values);
    renderTable(m, runs, values, names, best);
    renderPlot(m, runs, values, x, y, new Set(front), front, best);
  }

  function renderBest(m: SweepMessage, runs: RunSummary[], best: number | undefined, objective: string, values: Record<string, number>[]): void {
    const el = $('sweep-best');
    const button = $('apply-best') as HTMLButtonElement;
    button.disabled = best === undefined;
    if (best === undefined) {
      el.textContent = 'No completed runs yet.';
      return;
    }
    const r = runs[best];
    el.textContent = `Best on ${labelOf(objective)}: ${valuesOf(r, m.keys) || r.run_id} (${formatAny(objective, values[best][objective])})`;
    button.onclick = () => apply(r.run_id);
    button.title = `Write ${valuesOf(r, m.keys)} into the episode config (one undoable edit)`;
  }

  function renderTable(m: SweepMessage, runs: RunSummary[], values: Record<string, number>[], names: string[], best: number | undefined): void {
    const table = $('sweep-table');
    const scores = names.filter((n) => directionOf(n) && !COLUMNS.includes(n) && !(n in METRIC_FORMAT) && n !== 'standalone_s' && !m.keys.includes(n));
    const columns = [...COLUMNS, ...scores];
    const head = document.createElement('tr');
    head.append(...m.keys.map((k) => Object.assign(document.createElement('th'), { scope: 'col', textContent: shortKey(k), title: k })));
    head.append(...columns.map((c) => Object.assign(document.createElement('th'), { scope: 'col', textContent: labelOf(c), title: c })));
    head.append(Object.assign(document.createElement('th'), { scope: 'col', textContent: '' }));
    table.querySelector('thead')!.replaceChildren(head);
    table.querySelector('tbody')!.replaceChildren(...runs.map((r, i) => {
      const tr = document.createElement('tr');
      tr.title = `Open run ${r.run_id}`;
      if (i === best) tr.classList.add('best');
      tr.append(...m.keys.map((k) => Object.assign(document.createElement('td'), { textContent: formatValue(r.sweep?.values[k]) })));
      tr.append(...columns.map((c) => {
        const predicted = c === 'speed' && standaloneSpeed(r).predicted;
        return Object.assign(document.createElement('td'), {
          className: 'num', textContent: `${formatAny(c, values[i][c])}${predicted ? ' (predicted)' : ''}`,
          title: predicted ? 'Predicted from the shared analysis pass\'s measured stage costs' : '',
        });
      }));
      const cell = document.createElement('td');
      const b = Object.assign(document.createElement('button'), { className: 'apply', textContent: 'Apply', title: `Write ${valuesOf(r, m.keys)} into the episode config` });
      b.addEventListener('click', (e) => {
        e.stopPropagation();
        apply(r.run_id);
      });
      b.addEventListener('keydown', (e) => e.stopPropagation());
      cell.append(b);
      tr.append(cell);
      bindRun(tr, r.run_id, openRun);
      return tr;
    }));
    stats.rows = runs.length;
  }

  function renderPlot(
    m: SweepMessage, runs: RunSummary[], values: Record<string, number>[], x: string, y: string, onFront: Set<number>, front: number[], best: number | undefined,
  ): void {
    const plot = $('sweep-plot');
    if (!runs.length) {
      plot.replaceChildren(svg('text', { x: 260, y: 170, 'text-anchor': 'middle' }, 'No completed runs in this sweep yet.'));
      return;
    }
    const xs = scaleOf(values.map((v) => v[x]));
    const ys = scaleOf(values.map((v) => v[y]));
    const span = (s: NiceScale) => s.hi - s.lo || 1;
    const px = (v: number) => BOX.left + ((v - xs.lo) / span(xs)) * (BOX.right - BOX.left);
    const py = (v: number) => BOX.bottom - ((v - ys.lo) / span(ys)) * (BOX.bottom - BOX.top);
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
      svg('text', { class: 'label', x: (BOX.left + BOX.right) / 2, y: BOX.bottom + 40, 'text-anchor': 'middle' }, axisTitle(x)),
      svg('text', { class: 'label', transform: `translate(16 ${(BOX.top + BOX.bottom) / 2}) rotate(-90)`, 'text-anchor': 'middle' }, axisTitle(y)),
    );
    // The front as a staircase along x, so it reads as "nothing beats this line on both axes".
    const frontPath = front.map((i, k) => `${k ? 'L' : 'M'}${px(values[i][x]).toFixed(1)},${py(values[i][y]).toFixed(1)}`).join(' ');
    const layers: SVGElement[] = [axes];
    if (front.length > 1) layers.push(svg('path', { class: 'front-line', d: frontPath }));
    if (best !== undefined) {
      const bx = px(values[best][x]);
      const by = py(values[best][y]);
      layers.push(svg('circle', { class: 'best-ring', cx: bx, cy: by, r: 11 }), svg('text', { class: 'best-label', x: bx + 14, y: by - 10 }, 'best'));
    }
    const dots = runs.map((r, i) => {
      const alone = standaloneSpeed(r);
      const cls = ['point', onFront.has(i) ? 'front' : '', i === best ? 'best' : '', alone.predicted ? 'predicted' : ''].filter(Boolean).join(' ');
      const cx = px(values[i][x]);
      const cy = py(values[i][y]);
      const c = svg('circle', { class: cls, cx, cy, r: 6 });
      const text = [
        `${r.run_id}${m.keys.length ? ` (${valuesOf(r, m.keys)})` : ''}`,
        `${labelOf(x)} ${formatAny(x, values[i][x])} · ${labelOf(y)} ${formatAny(y, values[i][y])}`,
        `standalone ${alone.speed.toFixed(1)}× realtime${alone.predicted ? ' (predicted)' : ''} · ${r.tracks} tracks · ${r.id_switches} ID switches`,
        ...(onFront.has(i) ? ['on the Pareto front'] : []),
      ].join('\n');
      c.append(svg('title', {}, text));
      c.setAttribute('aria-label', text.replace(/\n/g, '; '));
      bindRun(c, r.run_id, openRun);
      stats.points.push({ runId: r.run_id, cx, cy });
      return c;
    });
    plot.replaceChildren(...layers, ...dots);
  }

  return {
    show(m: SweepMessage): void {
      if (last?.sweepId !== m.sweepId) chosen = {};
      last = m;
      $('apply-status').textContent = '';
      render(m);
    },
    /** The host's answer to Apply. */
    applied(m: Extract<RunsHostMessage, { type: 'applied' }>): void {
      $('apply-status').textContent = m.error ? `Apply failed: ${m.error}` : `Applied ${m.runId} to ${m.config}: ${m.keys.join(', ')}`;
    },
    stats: (): SweepStats => ({ ...stats, points: [...stats.points] }),
  };
}
