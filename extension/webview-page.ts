// What the timeline and the Compare/Sweep pages share: how their panel is made, the URLs of
// their bundled script and stylesheet, and messages held back until the page says `ready`.
import * as vscode from 'vscode';
import type { PageResources } from './page-html';

/**
 * A panel beside the active editor that may load the extension's files and an episode's run
 * folder (crops), and nothing else.
 */
export function createPagePanel(viewType: string, title: string, extensionUri: vscode.Uri, outDir: string): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(viewType, title,
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    {
      enableScripts: true,
      // Live events are not replayable, so a page keeps its state while hidden.
      retainContextWhenHidden: true,
      localResourceRoots: [extensionUri, vscode.Uri.file(outDir)],
    });
}

/**
 * One page of a kind per run folder: reveals the open one, else makes one with `create`, and
 * forgets it when its panel closes.
 */
export function showPerFolder<T extends { readonly panel: vscode.WebviewPanel }>(open: Map<string, T>, outDir: string, create: () => T): T {
  const existing = open.get(outDir);
  if (existing) {
    existing.panel.reveal(vscode.ViewColumn.Beside, true);
    return existing;
  }
  const created = create();
  open.set(outDir, created);
  created.panel.onDidDispose(() => open.delete(outDir));
  return created;
}

/** dist/webview/<name>.js and .css as the webview may load them. */
export function pageResources(webview: vscode.Webview, extensionUri: vscode.Uri, name: string): PageResources {
  const asset = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', file)).toString();
  return { scriptUri: asset(`${name}.js`), styleUri: asset(`${name}.css`), cspSource: webview.cspSource };
}

/** Posts to a page, holding messages until its script has loaded and said `ready`. */
export class PageChannel<M> {
  private ready = false;
  private queue: M[] = [];

  constructor(private readonly webview: vscode.Webview) {}

  post(m: M): void {
    if (this.ready) void this.webview.postMessage(m);
    else this.queue.push(m);
  }

  /** The page said `ready`: what waited goes now, in order. */
  open(): void {
    this.ready = true;
    this.queue.splice(0).forEach((m) => this.post(m));
  }

  /** Drops what still waits (a fresh snapshot supersedes it). */
  clear(): void {
    this.queue = [];
  }
}
