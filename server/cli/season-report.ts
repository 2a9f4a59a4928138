// How `episode-run --season` shows a season on a terminal: a line per finished episode, a status
// line redrawn in place on a TTY, and the totals at the end. --json prints the events instead.
import type { EpisodeRow, SeasonEvent, SeasonSummary } from '../season/season-events';

export class SeasonReport {
  private readonly rows = new Map<string, EpisodeRow>();
  private readonly printed = new Set<string>();
  private drawn = false;

  constructor(private readonly out: NodeJS.WriteStream, private readonly tty: boolean) {}

  update(e: SeasonEvent): void {
    if (e.type === 'log') return this.line(`${e.level}: ${e.message}`);
    const rows = e.type === 'season' ? e.summary.episodes : [e.row];
    for (const row of rows) {
      this.rows.set(row.ep_id, row);
      const finished = row.status !== 'queued' && row.status !== 'running';
      if (finished && !this.printed.has(row.ep_id)) {
        this.printed.add(row.ep_id);
        this.line(describeRow(row));
      }
    }
    this.status();
  }

  /** The closing lines: the counts, the totals and where the summary is. */
  finish(s: SeasonSummary, summaryDir: string): void {
    this.clear();
    const c = s.counts;
    const parts = (['completed', 'failed', 'cancelled', 'queued', 'running'] as const).filter((k) => c[k]).map((k) => `${c[k]} ${k}`);
    this.out.write([
      `season ${s.season}: ${parts.join(', ')} (run ${s.run_id})`,
      `  totals   ${s.totals.tracks} tracks, ${s.totals.id_switches} id switches, ${s.totals.wall_time_s}s of engine time`,
      `  summary  ${summaryDir}/season.json, season.csv`,
    ].join('\n') + '\n');
  }

  private status(): void {
    if (!this.tty) return;
    const all = [...this.rows.values()];
    const done = all.filter((r) => r.status !== 'queued' && r.status !== 'running').length;
    const running = all.filter((r) => r.status === 'running').map((r) => `${r.ep_id} ${r.progress !== undefined ? `${Math.round(r.progress)}%` : r.phase ?? ''}`.trim());
    const text = `${done}/${all.length} done${running.length ? ` · running ${running.join(', ')}` : ''}`;
    this.out.write(`\r${text.slice(0, (this.out.columns || 120) - 1)}\x1b[K`);
    this.drawn = true;
  }

  private line(text: string): void {
    this.clear();
    this.out.write(text + '\n');
  }

  private clear(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}

export function describeRow(r: EpisodeRow): string {
  const head = `  ${r.ep_id.padEnd(12)} ${r.status.padEnd(9)}`;
  if (r.status === 'completed') {
    return `${head} ${r.tracks} tracks, ${r.id_switches} id switches, ${r.wall_time_s}s${r.attempts && r.attempts > 1 ? ` (attempt ${r.attempts})` : ''}`;
  }
  return r.error ? `${head} ${r.error}` : head;
}
