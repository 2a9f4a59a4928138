// The timeline webview beside a config: one panel per run folder. It shows the manifests on
// disk (the latest run, or a recorded one picked in its run switcher) and, during a run, the
// run's events as they come.
import * as vscode from 'vscode';
import { listRuns } from '../server/engine/history';
import type { RunStreamEvent } from '../server/lsp/protocol';
import type { HostMessage, PageMessage, RunSnapshot } from '../webview/protocol';
import { attributionFor, readCrops, readRunSnapshot, trackLine, tracksPath } from './manifests';
import type { RunFolder } from './run-folder';
import { timelineHtml } from './timeline-html';
import { createPagePanel, PageChannel, pageResources, showPerFolder } from './webview-page';

export class TimelinePanel {
  private static readonly open = new Map<string, TimelinePanel>();
  private readonly channel: PageChannel<HostMessage>;
  /** The recorded run shown; undefined for the latest (manifests/), which live runs draw into. */
  private current: string | undefined;

  static find(outDir: string): TimelinePanel | undefined {
    return this.open.get(outDir);
  }

  /** Opens (or reveals) the panel of a run folder beside the active editor. */
  static show(extensionUri: vscode.Uri, run: RunFolder): TimelinePanel {
    return showPerFolder(this.open, run.outDir, () =>
      new TimelinePanel(createPagePanel('episodeLab.timeline', `Timeline: ${run.epId}`, extensionUri, run.outDir), extensionUri, run));
  }

  private constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly run: RunFolder) {
    const webview = panel.webview;
    this.channel = new PageChannel(webview);
    webview.html = timelineHtml(pageResources(webview, extensionUri, 'timeline'));
    webview.onDidReceiveMessage((m: PageMessage) => void this.onMessage(m));
  }

  /** Shows what the manifests on disk hold for the run shown, and the episode's runs. */
  async reload(): Promise<void> {
    await this.showRun(this.current);
  }

  /** Shows a recorded run (undefined: the latest) and returns what it sent. */
  async showRun(runId: string | undefined): Promise<RunSnapshot> {
    this.current = runId;
    const [run, runs] = await Promise.all([
      readRunSnapshot(this.run.outDir, this.run.epId, this.run.video, runId),
      listRuns(this.run.outDir),
    ]);
    this.channel.post({ type: 'snapshot', run });
    this.channel.post({ type: 'runs', runs, current: runId });
    return run;
  }

  /** Starts from an empty timeline that the run's events fill in. */
  startLive(): void {
    this.current = undefined;
    this.channel.clear();
    this.channel.post({
      type: 'snapshot',
      run: { epId: this.run.epId, state: 'running', tracks: { tracks: [], malformed: 0 }, cuts: [], suppressed: [], attribution: attributionFor(this.run.video) },
    });
    // The switcher lists the earlier runs meanwhile; the new one joins them when it ends.
    void listRuns(this.run.outDir).then((runs) => this.channel.post({ type: 'runs', runs }));
  }

  event(event: RunStreamEvent): void {
    // A recorded run picked in the switcher stays as it is; the live one is the latest.
    if (this.current === undefined) this.channel.post({ type: 'event', event });
  }

  private async onMessage(m: PageMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.channel.open();
        break;
      case 'selectRun':
        await this.showRun(m.runId);
        break;
      case 'selectTrack': {
        // Crops are the episode folder's, written by the latest run that exported them.
        const crops = await readCrops(this.run.outDir, m.trackId);
        this.channel.post({
          type: 'crops', trackId: m.trackId,
          crops: crops.map((c) => ({ src: this.panel.webview.asWebviewUri(vscode.Uri.file(c.file)).toString(), frame_idx: c.frame_idx })),
          note: crops.length ? undefined : 'No crops saved for this track (set export.crops: true in the config).',
        });
        break;
      }
      case 'revealTrack': {
        const line = await trackLine(this.run.outDir, m.trackId, this.current);
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(tracksPath(this.run.outDir, this.current)));
        const pos = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
        await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(pos, pos) });
        break;
      }
    }
  }
}
