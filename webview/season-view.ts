// The Season page's table: one row per episode with its status, progress and results, the
// season's counts above it, and the screen-time table below when the runs have identities.
import type { EpisodeRow, SeasonSummary } from '../server/season/season-events';
import { plural } from './run-format';

const COLUMNS = ['Episode', 'Status', 'Progress', 'Tracks', 'ID switches', 'Engine time', 'Tries', 'Worker'] as const;

export interface SeasonView {
  show(summary: SeasonSummary): void;
  update(row: EpisodeRow): void;
  stats(): { rows: { ep_id: string; status: string; progress: string }[] };
}

export function createSeasonView(table: HTMLTableElement, counts: HTMLElement, screen: HTMLElement, onOpen: (epId: string) => void): SeasonView {
  let summary: SeasonSummary | undefined;
  const rows = new Map<string, HTMLTableRowElement>();
  table.tHead!.innerHTML = `<tr>${COLUMNS.map((c, i) => `<th scope="col"${i >= 3 && i <= 6 ? ' class="num"' : ''}>${c}</th>`).join('')}</tr>`;

  const fill = (tr: HTMLTableRowElement, r: EpisodeRow) => {
    tr.className = `status-${r.status}`;
    tr.dataset.epId = r.ep_id;
    tr.title = r.error ? `${r.ep_id}: ${r.error}` : `Open the timeline of ${r.ep_id}`;
    const cells = [
      r.ep_id,
      `<span class="badge status">${r.status}</span>`,
      progressCell(r),
      num(r.tracks),
      num(r.id_switches),
      r.wall_time_s !== undefined ? `${r.wall_time_s.toFixed(1)} s` : '',
      num(r.attempts),
      escape(r.worker ?? ''),
    ];
    tr.innerHTML = cells.map((c, i) => `<td class="${i >= 3 && i <= 6 ? 'num' : ''}">${i === 0 ? escape(c) : c}</td>`).join('');
  };

  const renderCounts = () => {
    if (!summary) return;
    const all = [...rows.values()].map((tr) => tr.className.replace('status-', ''));
    const by = (s: string) => all.filter((x) => x === s).length;
    const parts = ['completed', 'running', 'queued', 'failed', 'cancelled'].filter((s) => by(s)).map((s) => `${by(s)} ${s}`);
    const where = summary.mode === 'queue' ? `on ${summary.queue}` : 'on this machine';
    counts.textContent = `${plural(all.length, 'episode')} ${where} · ${parts.join(' · ')}`;
  };

  return {
    show(s) {
      summary = s;
      const body = table.tBodies[0];
      body.replaceChildren();
      rows.clear();
      for (const r of s.episodes) {
        const tr = body.insertRow();
        tr.tabIndex = 0;
        tr.addEventListener('click', () => onOpen(r.ep_id));
        tr.addEventListener('keydown', (e) => e.key === 'Enter' && onOpen(r.ep_id));
        fill(tr, r);
        rows.set(r.ep_id, tr);
      }
      renderCounts();
      renderScreenTime(screen, s);
    },
    update(r) {
      const tr = rows.get(r.ep_id);
      if (!tr) return;
      fill(tr, r);
      renderCounts();
    },
    stats: () => ({
      rows: [...rows.values()].map((tr) => ({
        ep_id: tr.dataset.epId!, status: tr.className.replace('status-', ''), progress: tr.cells[2].textContent ?? '',
      })),
    }),
  };
}

function progressCell(r: EpisodeRow): string {
  if (r.status === 'failed' || r.status === 'cancelled') return r.error ? `<span class="error">${escape(r.error)}</span>` : '';
  if (r.status !== 'running') return r.status === 'completed' && r.video_duration_s ? `<span class="muted">${r.video_duration_s.toFixed(0)} s of video</span>` : '';
  const pct = r.progress ?? 0;
  const detail = [r.phase?.replace('_', ' '), `${Math.round(pct)}%`, r.fps ? `${r.fps} fps` : '', r.eta_s ? `ETA ${formatEta(r.eta_s)}` : ''].filter(Boolean).join(' · ');
  return `<progress max="100" value="${pct}"></progress><span class="muted">${escape(detail)}</span>`;
}

function renderScreenTime(el: HTMLElement, s: SeasonSummary): void {
  const st = s.screen_time;
  el.hidden = !st;
  if (!st) return;
  const head = `<tr><th scope="col">Person</th>${Object.keys(st.by_episode).map((e) => `<th scope="col">${escape(e)}</th>`).join('')}<th scope="col">Season</th></tr>`;
  const body = st.people.map((p) => `<tr><td>${escape(p)}</td>${Object.values(st.by_episode).map((t) => `<td class="num">${t[p] !== undefined ? `${t[p].toFixed(1)} s` : ''}</td>`).join('')}<td class="num">${st.total_s[p].toFixed(1)} s</td></tr>`).join('');
  el.innerHTML = `<table><caption>Screen time</caption><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

const num = (v: number | undefined) => (v === undefined ? '' : String(v));

function formatEta(s: number): string {
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.round(s % 60)).padStart(2, '0')}`;
}

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
