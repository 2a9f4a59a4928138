// The Compare/Sweep page of an episode: two runs side by side (metrics, config changes, both
// timelines), or a sweep's table and plot. One panel per run folder; a click on a run there
// opens it in the timeline.
import * as vscode from 'vscode';
import type { RunsHostMessage } from '../webview/runs-protocol';
import { describeDropped, parseRunsPageMessage } from './page-messages';
import { compareRuns, sweepRuns, type CompareMessage, type SweepMessage } from './run-compare';
import type { RunFolder } from './run-folder';
import { runsHtml } from './runs-html';
import { TimelinePanel } from './timeline-panel';
import { createPagePanel, PageChannel, pageResources, showPerFolder } from './webview-page';
import { applySweepPoint, type ConfigFinder } from './sweep-apply';

export class RunsPanel {
  private static readonly open = new Map<string, RunsPanel>();
  private readonly channel: PageChannel<RunsHostMessage>;

  /** The episode's configs, for Apply. */
  private configs: ConfigFinder = async () => [];

  /** Opens (or reveals) the page of a run folder beside the active editor. */
  static show(extensionUri: vscode.Uri, folder: RunFolder, configs?: ConfigFinder): RunsPanel {
    const panel = showPerFolder(this.open, folder.outDir, () =>
      new RunsPanel(createPagePanel('episodeLab.runs', `Runs: ${folder.epId}`, extensionUri, folder.outDir), extensionUri, folder));
    if (configs) panel.configs = configs;
    return panel;
  }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly extensionUri: vscode.Uri, private readonly folder: RunFolder) {
    const webview = panel.webview;
    this.channel = new PageChannel(webview);
    webview.html = runsHtml(pageResources(webview, extensionUri, 'runs'));
    webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m));
  }

  /** Shows two runs side by side; resolves with what it sent. */
  async compare(runIds: readonly [string, string]): Promise<CompareMessage> {
    return this.show(await compareRuns(this.folder, runIds), `Compare: ${this.folder.epId}`);
  }

  /** Shows a sweep's runs; resolves with what it sent. */
  async sweep(sweepId: string): Promise<SweepMessage> {
    return this.show(await sweepRuns(this.folder, sweepId), `Sweep: ${this.folder.epId}`);
  }

  private show<M extends RunsHostMessage>(m: M, title: string): M {
    this.panel.title = title;
    // Only the newest view matters if the page has not loaded yet.
    this.channel.clear();
    this.channel.post(m);
    return m;
  }

  /** A message from the page, checked before it is acted on (page-messages.ts). */
  private async onMessage(raw: unknown): Promise<void> {
    const m = parseRunsPageMessage(raw);
    if (!m) console.warn(`Episode Lab runs page: ${describeDropped(raw)}`);
    else if (m.type === 'ready') this.channel.open();
    else if (m.type === 'openRun') await TimelinePanel.show(this.extensionUri, this.folder).showRun(m.runId);
    else if (m.type === 'apply') {
      const done = await applySweepPoint(this.folder, m.runId, this.configs).then((r) => ({ ...r }), (e: Error) => ({ config: '', keys: [], error: e.message }));
      if ('error' in done) void vscode.window.showErrorMessage(`Apply: ${done.error}`);
      this.channel.post({ type: 'applied', runId: m.runId, ...done });
    }
  }
}
