// The frame view webview: one panel per run folder, opened from an error marker on the timeline.
// What it shows is FrameHost's; this file connects it to VS Code. Frames are decoded by the
// language server (the extension bundles no decoder), and not at all in Restricted Mode (trust.ts).
import * as vscode from 'vscode';
import type { ErrorKind } from '../server/engine/eval/frame-types';
import type { DecodeFrameParams, DecodeFrameResult } from '../server/lsp/protocol';
import type { FrameHostMessage } from '../webview/frame-protocol';
import { frameHtml } from './frame-html';
import { FrameHost } from './frame-host';
import type { RunFolder } from './run-folder';
import { createPagePanel, PageChannel, pageResources, showPerFolder } from './webview-page';

export type FrameDecoder = (p: DecodeFrameParams) => Promise<DecodeFrameResult>;

export class FramePanel {
  private static readonly open = new Map<string, FramePanel>();
  /** Set at activation: sends the decode to the language server. */
  static decoder: FrameDecoder | undefined;
  private readonly host: FrameHost;

  static show(extensionUri: vscode.Uri, run: RunFolder): FramePanel {
    return showPerFolder(this.open, run.outDir, () =>
      new FramePanel(createPagePanel('episodeLab.frame', `Frame: ${run.epId}`, extensionUri, run.outDir), extensionUri, run));
  }

  private constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, run: RunFolder) {
    const webview = panel.webview;
    const channel = new PageChannel<FrameHostMessage>(webview);
    const decoder = FramePanel.decoder;
    this.host = new FrameHost(run, {
      post: (m) => channel.post(m),
      opened: () => channel.open(),
      fileUrl: (file) => webview.asWebviewUri(vscode.Uri.file(file)).toString(),
      warn: (message) => console.warn(`Episode Lab frame view: ${message}`),
    }, vscode.workspace.isTrusted && decoder ? decoder : undefined);
    webview.html = frameHtml(pageResources(webview, extensionUri, 'frame'));
    webview.onDidReceiveMessage((m: unknown) => void this.host.receive(m));
  }

  /** Shows a frame of a run (undefined: the latest) and returns what it posted. */
  showFrame(frame: number, runId: string | undefined, kind?: ErrorKind): Promise<FrameHostMessage> {
    return this.host.show(frame, runId, kind);
  }
}
