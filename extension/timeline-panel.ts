// The timeline webview beside a config: one panel per run folder. It shows the manifests on
// disk and, during a run, the run's events as they come.
import * as vscode from 'vscode';
import type { RunStreamEvent } from '../server/lsp/protocol';
import type { HostMessage, PageMessage } from '../webview/protocol';
import { attributionFor, readCrops, readRunSnapshot, trackLine, tracksPath } from './manifests';
import type { RunFolder } from './run-folder';
import { timelineHtml } from './timeline-html';

export class TimelinePanel {
  private static readonly open = new Map<string, TimelinePanel>();
  private ready = false;
  private queue: HostMessage[] = [];

  static find(outDir: string): TimelinePanel | undefined {
    return this.open.get(outDir);
  }

  /** Opens (or reveals) the panel of a run folder beside the active editor. */
  static show(extensionUri: vscode.Uri, run: RunFolder): TimelinePanel {
    const existing = this.open.get(run.outDir);
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel('episodeLab.timeline', `Timeline: ${run.epId}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        // Live events are not replayable, so the page keeps its state while hidden.
        retainContextWhenHidden: true,
        localResourceRoots: [extensionUri, vscode.Uri.file(run.outDir)],
      });
    const created = new TimelinePanel(panel, extensionUri, run);
    this.open.set(run.outDir, created);
    return created;
  }

  private constructor(private readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly run: RunFolder) {
    const webview = panel.webview;
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
    webview.html = timelineHtml({ scriptUri: asset('timeline.js'), styleUri: asset('timeline.css'), cspSource: webview.cspSource });
    webview.onDidReceiveMessage((m: PageMessage) => void this.onMessage(m));
    panel.onDidDispose(() => TimelinePanel.open.delete(run.outDir));
  }

  /** Shows what the manifests on disk hold. */
  async reload(): Promise<void> {
    this.post({ type: 'snapshot', run: await readRunSnapshot(this.run.outDir, this.run.epId, this.run.video) });
  }

  /** Starts from an empty timeline that the run's events fill in. */
  startLive(): void {
    this.queue = [];
    this.post({
      type: 'snapshot',
      run: { epId: this.run.epId, state: 'running', tracks: { tracks: [], malformed: 0 }, cuts: [], suppressed: [], attribution: attributionFor(this.run.video) },
    });
  }

  event(event: RunStreamEvent): void {
    this.post({ type: 'event', event });
  }

  private post(m: HostMessage): void {
    if (this.ready) void this.panel.webview.postMessage(m);
    else this.queue.push(m);
  }

  private async onMessage(m: PageMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.queue.splice(0).forEach((q) => this.post(q));
        break;
      case 'selectTrack': {
        const crops = await readCrops(this.run.outDir, m.trackId);
        this.post({
          type: 'crops', trackId: m.trackId,
          crops: crops.map((c) => ({ src: this.panel.webview.asWebviewUri(vscode.Uri.file(c.file)).toString(), frame_idx: c.frame_idx })),
          note: crops.length ? undefined : 'No crops saved for this track (set export.crops: true in the config).',
        });
        break;
      }
      case 'revealTrack': {
        const line = await trackLine(this.run.outDir, m.trackId);
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(tracksPath(this.run.outDir)));
        const pos = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
        await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(pos, pos) });
        break;
      }
    }
  }
}
