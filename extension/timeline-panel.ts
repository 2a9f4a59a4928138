// The timeline webview beside a config: one panel per run folder. It shows the manifests on
// disk (the latest run, or a recorded one picked in its run switcher) and, during a run, the
// run's events as they come. What it shows and how it answers the page is TimelineHost's.
import * as vscode from 'vscode';
import type { RunStreamEvent } from '../server/lsp/protocol';
import type { HostMessage, RunSnapshot } from '../webview/protocol';
import { FramePanel } from './frame-panel';
import type { RunFolder } from './run-folder';
import { timelineHtml } from './timeline-html';
import { TimelineHost } from './timeline-host';
import { createPagePanel, PageChannel, pageResources, showPerFolder } from './webview-page';

export class TimelinePanel {
  private static readonly open = new Map<string, TimelinePanel>();
  private readonly channel: PageChannel<HostMessage>;
  private readonly host: TimelineHost;

  static find(outDir: string): TimelinePanel | undefined {
    return this.open.get(outDir);
  }

  /** Opens (or reveals) the panel of a run folder beside the active editor. */
  static show(extensionUri: vscode.Uri, run: RunFolder): TimelinePanel {
    return showPerFolder(this.open, run.outDir, () =>
      new TimelinePanel(createPagePanel('episodeLab.timeline', `Timeline: ${run.epId}`, extensionUri, run.outDir), extensionUri, run));
  }

  private constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, run: RunFolder) {
    const webview = panel.webview;
    const channel = (this.channel = new PageChannel(webview));
    this.host = new TimelineHost(run, {
      post: (m) => channel.post(m),
      opened: () => channel.open(),
      fileUrl: (file) => webview.asWebviewUri(vscode.Uri.file(file)).toString(),
      reveal: async (file, line) => {
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
        const pos = new vscode.Position(Math.max(0, line - 1), 0);
        await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(pos, pos) });
      },
      warn: (message) => console.warn(`Episode Lab timeline: ${message}`),
      openFrame: (frame, runId, kind) => void FramePanel.show(extensionUri, run).showFrame(frame, runId, kind),
    });
    webview.html = timelineHtml(pageResources(webview, extensionUri, 'timeline'));
    webview.onDidReceiveMessage((m: unknown) => void this.host.receive(m));
  }

  /** Shows what the manifests on disk hold for the run shown, and the episode's runs. */
  reload(): Promise<RunSnapshot> {
    return this.host.reload();
  }

  /** Shows a recorded run (undefined: the latest) and returns what it sent. */
  showRun(runId: string | undefined): Promise<RunSnapshot> {
    return this.host.showRun(runId);
  }

  /** Starts from an empty timeline that the run's events fill in. */
  startLive(): void {
    this.channel.clear();
    this.host.startLive();
  }

  event(event: RunStreamEvent): void {
    this.host.event(event);
  }
}
