// The one context object: the language client, the output channel, the status bar and the runs
// in progress. Commands are small functions of it.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { Notifications, type RunEventParams } from '../server/lsp/protocol';
import { createClient } from './client';
import { readSettings } from './config';
import type { RunFolder } from './run-folder';
import { RunStatus } from './run-status';
import { RunsTree } from './runs-tree';
import { TimelinePanel } from './timeline-panel';

export interface ActiveRun {
  /** Undefined when the config does not name a run folder yet (the server then refuses it). */
  folder?: RunFolder;
  cancel: vscode.CancellationTokenSource;
}

export class Ctx implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel('Episode Lab', { log: true });
  readonly status = new RunStatus();
  /** Runs in progress by config URI. */
  readonly runs = new Map<string, ActiveRun>();
  private readonly runsChangedEmitter = new vscode.EventEmitter<void>();
  readonly onRunsChanged = this.runsChangedEmitter.event;
  private readonly runEventEmitter = new vscode.EventEmitter<RunEventParams>();
  /** Every run event, after the status bar and the timeline have seen it. */
  readonly onDidRunEvent = this.runEventEmitter.event;
  /** The Explorer's Episode Runs view. */
  readonly runsTree = new RunsTree(this.onDidRunEvent);
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;

  constructor(readonly extension: vscode.ExtensionContext) {}

  get extensionUri(): vscode.Uri {
    return this.extension.extensionUri;
  }

  /** The running client, started on first use. */
  languageClient(): Promise<LanguageClient> {
    this.starting ??= this.startClient();
    return this.starting;
  }

  private async startClient(): Promise<LanguageClient> {
    const client = createClient(this.extensionUri, readSettings(), this.output);
    client.onNotification(Notifications.runEvent, (p: RunEventParams) => this.onRunEvent(p));
    await client.start();
    this.client = client;
    return client;
  }

  async stopClient(): Promise<void> {
    const old = this.client;
    this.client = undefined;
    this.starting = undefined;
    await old?.stop();
  }

  /** Applies settings that the server reads only at start. */
  async restartClient(): Promise<void> {
    await this.stopClient();
    await this.languageClient();
  }

  /** The workspace became trusted: a server that knows it, and lenses that offer Run. */
  async trustGranted(): Promise<void> {
    await this.restartClient();
    this.runsChangedEmitter.fire();
  }

  setRun(configUri: string, run: ActiveRun | undefined): void {
    if (run) this.runs.set(configUri, run);
    else this.runs.delete(configUri);
    this.runsChangedEmitter.fire();
  }

  private onRunEvent(p: RunEventParams): void {
    this.status.update(p);
    const e = p.event;
    if (e.type === 'log') this.output.info(`[${p.ep_id}] ${e.message}`);
    const folder = this.runs.get(p.uri)?.folder;
    if (folder) {
      if (e.type === 'phase' && e.phase === 'init') TimelinePanel.show(this.extensionUri, folder).startLive();
      const panel = TimelinePanel.find(folder.outDir);
      panel?.event(e);
      // The manifests are final now: they add the frame rate and anything the events left out.
      if (e.type === 'exit') void panel?.reload();
    }
    this.runEventEmitter.fire(p);
  }

  dispose(): void {
    this.runsTree.dispose();
    this.status.dispose();
    this.output.dispose();
    this.runsChangedEmitter.dispose();
    this.runEventEmitter.dispose();
  }
}
