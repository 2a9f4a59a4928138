// The "Episode Runs" view in the Explorer: every episode config of the workspace, and under it the
// runs of its episode from runs.json, newest first, a sweep's runs grouped under the sweep.
// Configs and run lists are read once and kept until something changes them (a config file, a
// runs.json, the end of a run): rendering the tree never touches the disk.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listRuns, type RunSummary } from '../server/engine/history';
import type { RunEventParams } from '../server/lsp/protocol';
import { CACHED } from '../webview/run-format';
import { runFolderOf, type RunFolder } from './run-folder';
import { runDescription, runStartLabel, runTooltipMarkdown, sweepPointLabel } from './run-format';

export const RUNS_VIEW_ID = 'episodeLab.runs';
/** Context key: the workspace holds at least one episode config (shows the view). */
const HAS_CONFIGS = 'episodeLab.hasConfigs';
const CONFIG_GLOB = '**/*.episode.{yaml,yml}';
const RUNNING_POLL_MS = 5000;

export interface ConfigNode {
  kind: 'config';
  uri: vscode.Uri;
  /** Absent when the config cannot name its run folder yet; `problem` says why. */
  folder?: RunFolder;
  problem?: string;
}

export interface SweepNode {
  kind: 'sweep';
  config: ConfigNode;
  folder: RunFolder;
  sweepId: string;
  /** In grid order. */
  runs: RunSummary[];
}

export interface RunNode {
  kind: 'run';
  config: ConfigNode;
  folder: RunFolder;
  summary: RunSummary;
}

export type RunsNode = ConfigNode | SweepNode | RunNode;

/** contextValue of each kind, for the menus in package.json (`viewItem == …`). */
export const NODE_CONTEXT = { config: 'episodeConfig', sweep: 'episodeSweep', run: 'episodeRun' } as const;

export class RunsTree implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<RunsNode>;
  private configs: Promise<ConfigNode[]> | undefined;
  /** Runs by run folder (configs of one episode share it). */
  private readonly runs = new Map<string, Promise<RunSummary[]>>();
  /** A runs.json watcher per run folder: runs from a terminal or another window show up too. */
  private readonly indexWatchers = new Map<string, vscode.Disposable>();
  private readonly disposables: vscode.Disposable[] = [];
  private pendingFire: NodeJS.Timeout | undefined;

  constructor(onDidRunEvent: vscode.Event<RunEventParams>) {
    this.view = vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: this, canSelectMany: true, showCollapseAll: true });
    const configWatcher = vscode.workspace.createFileSystemWatcher(CONFIG_GLOB);
    // A saved config may name another ep_id or output_root, hence another run folder.
    const reloadConfigs = () => this.refresh();
    this.disposables.push(
      this.view, this.changed, configWatcher,
      configWatcher.onDidCreate(reloadConfigs), configWatcher.onDidDelete(reloadConfigs), configWatcher.onDidChange(reloadConfigs),
      vscode.workspace.onDidChangeWorkspaceFolders(reloadConfigs),
      onDidRunEvent((p) => {
        if (p.event.type === 'exit') void this.refreshEpisode(p.ep_id);
      }),
    );
    // Read now, not when the view first renders: the view is shown only once the key is set.
    void this.configNodes();
  }

  /** Forgets everything read; the view reads again what it shows. */
  refresh(): void {
    this.configs = undefined;
    this.runs.clear();
    this.fire();
  }

  /** Forgets the runs of one run folder. */
  refreshRuns(outDir: string): void {
    this.runs.delete(outDir);
    this.fire();
  }

  private async refreshEpisode(epId: string): Promise<void> {
    for (const c of await this.configNodes()) if (c.folder?.epId === epId) this.refreshRuns(c.folder.outDir);
  }

  /** The workspace's episode configs, sorted by path, each with its run folder. */
  configNodes(): Promise<ConfigNode[]> {
    this.configs ??= this.findConfigs();
    return this.configs;
  }

  /**
   * An episode's runs, oldest first (runs.json order). While one is running (here, in a
   * terminal or in another window) they are read again every few seconds: a run killed outright
   * changes no file, and must turn from running to interrupted all the same.
   */
  runsOf(folder: RunFolder): Promise<RunSummary[]> {
    let runs = this.runs.get(folder.outDir);
    if (!runs) {
      runs = listRuns(folder.layout);
      this.runs.set(folder.outDir, runs);
      void runs.then((list) => {
        if (list.some((r) => r.state === 'running')) setTimeout(() => this.runs.get(folder.outDir) === runs && this.refreshRuns(folder.outDir), RUNNING_POLL_MS);
      });
    }
    return runs;
  }

  private async findConfigs(): Promise<ConfigNode[]> {
    const uris = (await vscode.workspace.findFiles(CONFIG_GLOB, '**/node_modules/**'))
      .sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    const nodes = await Promise.all(uris.map(async (uri): Promise<ConfigNode> => {
      try {
        return { kind: 'config', uri, folder: await runFolderOf(uri.fsPath) };
      } catch (e) {
        return { kind: 'config', uri, problem: (e as Error).message };
      }
    }));
    this.watchIndexes(new Map(nodes.flatMap((n) => (n.folder ? [[n.folder.outDir, n.folder.layout.runsIndex]] : []))));
    void vscode.commands.executeCommand('setContext', HAS_CONFIGS, nodes.length > 0);
    return nodes;
  }

  /** Watches each run folder's runs.json (given by run folder). */
  private watchIndexes(indexes: Map<string, string>): void {
    for (const [outDir, watcher] of this.indexWatchers) {
      if (indexes.has(outDir)) continue;
      watcher.dispose();
      this.indexWatchers.delete(outDir);
    }
    for (const [outDir, index] of indexes) {
      if (this.indexWatchers.has(outDir)) continue;
      // The folder may not exist before the first run, and may lie outside the workspace.
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(index)), path.basename(index)));
      const reload = () => this.refreshRuns(outDir);
      this.indexWatchers.set(outDir, vscode.Disposable.from(w, w.onDidCreate(reload), w.onDidChange(reload), w.onDidDelete(reload)));
    }
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (!node) return this.configNodes();
    if (node.kind === 'sweep') return node.runs.map((summary) => ({ kind: 'run', config: node.config, folder: node.folder, summary }));
    if (node.kind === 'run' || !node.folder) return [];
    return groupRuns(node, node.folder, await this.runsOf(node.folder));
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'config': return configItem(node);
      case 'sweep': return sweepItem(node);
      case 'run': return runItem(node);
    }
  }

  private fire(): void {
    // A run's end, its runs.json rename and a config save come together: one refresh for all.
    clearTimeout(this.pendingFire);
    this.pendingFire = setTimeout(() => this.changed.fire(undefined), 100);
  }

  dispose(): void {
    clearTimeout(this.pendingFire);
    this.indexWatchers.forEach((w) => w.dispose());
    this.disposables.forEach((d) => d.dispose());
  }
}

/** Newest first; the runs of a sweep become one node, placed where its newest run would be. */
function groupRuns(config: ConfigNode, folder: RunFolder, oldestFirst: readonly RunSummary[]): RunsNode[] {
  const out: RunsNode[] = [];
  const sweeps = new Map<string, SweepNode>();
  for (const summary of [...oldestFirst].reverse()) {
    const sweepId = summary.sweep?.id;
    if (!sweepId) {
      out.push({ kind: 'run', config, folder, summary });
      continue;
    }
    let sweep = sweeps.get(sweepId);
    if (!sweep) {
      sweep = { kind: 'sweep', config, folder, sweepId, runs: [] };
      sweeps.set(sweepId, sweep);
      out.push(sweep);
    }
    sweep.runs.unshift(summary);
  }
  return out;
}

function configItem(node: ConfigNode): vscode.TreeItem {
  const item = new vscode.TreeItem(vscode.workspace.asRelativePath(node.uri), node.folder
    ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
  item.id = node.uri.toString();
  item.resourceUri = node.uri;
  item.description = node.folder ? node.folder.epId : node.problem;
  item.tooltip = node.folder ? `${node.folder.epId}: runs in ${node.folder.outDir}` : node.problem;
  item.contextValue = NODE_CONTEXT.config;
  return item;
}

function sweepItem(node: SweepNode): vscode.TreeItem {
  const item = new vscode.TreeItem(`Sweep ${node.sweepId}`, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `${node.config.uri}#sweep:${node.sweepId}`;
  const keys = Object.keys(node.runs[0]?.sweep?.values ?? {});
  const reused = node.runs.filter((r) => r.cache.analysis === 'reused').length;
  item.description = [`${node.runs.length} points`, keys.join(', '), reused ? `${reused} on ${CACHED}` : ''].filter(Boolean).join(' · ');
  item.tooltip = `Sweep ${node.sweepId} of ${node.folder.epId}: ${keys.join(' × ')}\n${node.runs.map((r) => `${sweepPointLabel(r)}: ${runDescription(r)}`).join('\n')}`;
  item.iconPath = new vscode.ThemeIcon('graph-scatter');
  item.contextValue = NODE_CONTEXT.sweep;
  return item;
}

function runItem(node: RunNode): vscode.TreeItem {
  const r = node.summary;
  const item = new vscode.TreeItem(r.sweep ? sweepPointLabel(r) : runStartLabel(r), vscode.TreeItemCollapsibleState.None);
  item.id = `${node.config.uri}#${r.run_id}`;
  item.description = runDescription(r);
  item.tooltip = new vscode.MarkdownString(runTooltipMarkdown(r));
  item.iconPath = runIcon(r);
  item.contextValue = NODE_CONTEXT.run;
  item.command = { title: 'Open Run', command: 'episodeLab.openRun', arguments: [node] };
  return item;
}

function runIcon(r: RunSummary): vscode.ThemeIcon {
  if (r.state === 'failed') return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
  if (r.state === 'cancelled') return new vscode.ThemeIcon('circle-slash');
  if (r.state === 'running') return new vscode.ThemeIcon('loading~spin');
  if (r.state === 'interrupted') return new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  return new vscode.ThemeIcon(r.cache.analysis === 'reused' ? 'database' : 'history');
}
