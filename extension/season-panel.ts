// The Season page beside a season file: one row per episode with its status and progress, from
// the run's events while it runs, else from season.json. A click on a row opens that episode's
// timeline (the season's run of it); Cancel stops the whole season.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EpisodeRow, SeasonEvent, SeasonSummary } from '../server/season/season-events';
import { EpisodeLayout } from '../server/engine/manifests/layout';
import type { SeasonHostMessage } from '../webview/season-protocol';
import { describeDropped, parseSeasonPageMessage } from './page-messages';
import { runFolderAt } from './run-folder';
import { seasonHtml } from './season-html';
import { TimelinePanel } from './timeline-panel';
import { createPagePanel, PageChannel, pageResources, showPerFolder } from './webview-page';

export class SeasonPanel {
  private static readonly open = new Map<string, SeasonPanel>();
  private readonly channel: PageChannel<SeasonHostMessage>;
  private readonly rows = new Map<string, EpisodeRow>();

  static find(seasonFile: string): SeasonPanel | undefined {
    return this.open.get(seasonFile);
  }

  /** Opens (or reveals) the page of a season file beside the active editor. */
  static show(extensionUri: vscode.Uri, seasonFile: string, onCancel: () => void): SeasonPanel {
    return showPerFolder(this.open, seasonFile, () => new SeasonPanel(
      createPagePanel('episodeLab.season', `Season: ${path.basename(seasonFile).replace(/\.season\.ya?ml$/, '')}`, extensionUri, path.dirname(seasonFile)),
      extensionUri, onCancel));
  }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly extensionUri: vscode.Uri, private readonly onCancel: () => void) {
    const webview = panel.webview;
    this.channel = new PageChannel(webview);
    webview.html = seasonHtml(pageResources(webview, extensionUri, 'season'));
    webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m));
  }

  showSummary(summary: SeasonSummary, running: boolean): void {
    this.rows.clear();
    for (const r of summary.episodes) this.rows.set(r.ep_id, r);
    this.channel.post({ type: 'season', summary, running });
  }

  event(e: SeasonEvent): void {
    if (e.type === 'season') this.showSummary(e.summary, e.summary.state === 'running');
    else if (e.type === 'episode') {
      this.rows.set(e.row.ep_id, e.row);
      this.channel.post({ type: 'episode', row: e.row });
    }
  }

  setRunning(running: boolean): void {
    this.channel.post({ type: 'running', running });
  }

  /** The episode's timeline: the season's run of it once there is one, else its latest manifests. */
  async openEpisode(epId: string): Promise<void> {
    const row = this.rows.get(epId);
    if (!row) return;
    const panel = TimelinePanel.show(this.extensionUri, runFolderAt(EpisodeLayout.of(row.out_dir), row.video));
    await panel.showRun(row.status === 'completed' ? row.run_id : undefined);
  }

  /** A message from the page, checked before it is acted on (page-messages.ts). */
  private async onMessage(raw: unknown): Promise<void> {
    const m = parseSeasonPageMessage(raw);
    if (!m) console.warn(`Episode Lab season page: ${describeDropped(raw)}`);
    else if (m.type === 'ready') this.channel.open();
    else if (m.type === 'openEpisode') await this.openEpisode(m.epId);
    else if (m.type === 'cancel') this.onCancel();
  }
}
