// Every command of the extension, each a small function of the context.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ExecuteCommandRequest, ResponseError, WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import { Commands, RunErrorCodes, type RunEpisodeResult } from '../server/lsp/protocol';
import { configUri, NO_CONFIG } from './active-config';
import type { Ctx } from './ctx';
import { showSweep } from './run-commands';
import { idProblem } from '../server/engine/manifests/ids';
import { EpisodeLayout } from '../server/engine/manifests/layout';
import { runFolderAt, runFolderOf, type RunFolder } from './run-folder';
import { epIdFromVideo, scaffoldConfig } from './scaffold';
import { TimelinePanel } from './timeline-panel';
import { IdentitiesPanel } from './identities-panel';
import type { IdentitiesSnapshot } from '../webview/identities-protocol';
import { requireTrust } from './trust';

/** Episode Lab: Run Episode. Resolves with the run's outcome (undefined when it never started). */
export function runEpisode(ctx: Ctx) {
  return async (arg?: vscode.Uri): Promise<RunEpisodeResult | undefined> => {
    const uri = configUri(arg);
    if (!uri) return void vscode.window.showErrorMessage(NO_CONFIG);
    if (!requireTrust('Run Episode')) return undefined;
    const key = uri.toString();
    if (ctx.runs.has(key)) return void vscode.window.showInformationMessage('This episode is already running; cancel it from the notification or the status bar.');
    // The server runs the saved file.
    await vscode.workspace.textDocuments.find((d) => d.uri.toString() === key && d.isDirty)?.save();
    const folder = await runFolderOf(uri.fsPath).catch(() => undefined);
    const client = await ctx.languageClient();
    const cancel = new vscode.CancellationTokenSource();
    ctx.setRun(key, { folder, cancel });
    try {
      const result = await commandWithProgress<RunEpisodeResult>(client, `Episode ${folder?.epId ?? path.basename(uri.fsPath)}`, Commands.runEpisode, key, cancel);
      reportOutcome(ctx, result);
      // A config's sweep ran its grid: its table and plot are what to look at now.
      if (result.sweep_id && folder) void showSweep(ctx, folder, result.sweep_id);
      return result;
    } catch (e) {
      reportRefusal(ctx, e);
      return undefined;
    } finally {
      ctx.setRun(key, undefined);
      cancel.dispose();
    }
  };
}

/**
 * Runs a long server command (a run, a season) under a cancellable notification that shows the
 * server's work-done progress. The server reports on our token; without one it would open a
 * second, non-cancellable notification of its own.
 */
export async function commandWithProgress<T>(
  client: LanguageClient, title: string, command: string, arg: string, cancel: vscode.CancellationTokenSource,
): Promise<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    token.onCancellationRequested(() => cancel.cancel());
    const workDoneToken = `episodeLab.${Date.now()}.${Math.random().toString(36).slice(2)}`;
    let reported = 0;
    const sub = client.onProgress(WorkDoneProgress.type, workDoneToken, (v) => {
      if (v.kind === 'end') return;
      const pct = v.percentage ?? reported;
      progress.report({ message: v.message, increment: pct - reported });
      reported = pct;
    });
    try {
      return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [arg], workDoneToken }, cancel.token)) as T;
    } finally {
      sub.dispose();
    }
  });
}

function reportOutcome(ctx: Ctx, r: RunEpisodeResult): void {
  ctx.output.info(`run ${r.ep_id}: ${r.state} (exit ${r.exit_code})${r.out_dir ? ` → ${r.out_dir}` : ''}`);
  if (r.state === 'failed') {
    void vscode.window.showErrorMessage(`Episode ${r.ep_id} failed: ${r.error ?? `exit code ${r.exit_code}`}`, 'Show Output')
      .then((a) => a && ctx.output.show());
  } else if (r.state === 'cancelled') {
    void vscode.window.showInformationMessage(`Episode ${r.ep_id} cancelled; the timeline shows what was recorded.`);
  }
}

export function reportRefusal(ctx: Ctx, e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  ctx.output.error(message);
  if (e instanceof ResponseError && e.code === RunErrorCodes.invalidConfig) {
    void vscode.window.showErrorMessage(message.split('\n')[0], 'Show Problems')
      .then((a) => a && vscode.commands.executeCommand('workbench.actions.view.problems'));
  } else if (e instanceof ResponseError && (e.code === RunErrorCodes.alreadyRunning || e.code === RunErrorCodes.untrusted)) {
    void vscode.window.showWarningMessage(message);
  } else {
    void vscode.window.showErrorMessage(`Episode Lab could not run: ${message}`, 'Show Output').then((a) => a && ctx.output.show());
  }
}

/** Episode Lab: Cancel Run (the status bar item and the CodeLens during a run). */
export function cancelRun(ctx: Ctx) {
  return (arg?: vscode.Uri): void => {
    const uri = configUri(arg);
    const run = uri ? ctx.runs.get(uri.toString()) : [...ctx.runs.values()][0];
    run?.cancel.cancel();
  };
}

/** Episode Lab: Open Identities View, for a config's run folder: its last run's people. */
export function openIdentities(ctx: Ctx) {
  return async (arg?: vscode.Uri): Promise<IdentitiesSnapshot | undefined> => {
    const uri = configUri(arg);
    if (!uri) return void vscode.window.showErrorMessage('Open an episode config (*.episode.yaml) first.');
    let folder: RunFolder;
    try {
      folder = await runFolderOf(uri.fsPath);
    } catch (e) {
      return void vscode.window.showErrorMessage((e as Error).message);
    }
    return IdentitiesPanel.show(ctx.extensionUri, folder).reload();
  };
}

/** Episode Lab: Open Timeline, for a config's run folder or a picked one. */
export function openTimeline(ctx: Ctx) {
  return async (arg?: vscode.Uri): Promise<void> => {
    const uri = configUri(arg);
    let folder: RunFolder | undefined;
    if (uri) {
      try {
        folder = await runFolderOf(uri.fsPath);
      } catch (e) {
        return void vscode.window.showErrorMessage((e as Error).message);
      }
    } else {
      const picked = await vscode.window.showOpenDialog({
        canSelectFiles: false, canSelectFolders: true, openLabel: 'Open Timeline',
        title: 'Pick a run folder (<output_root>/<ep_id>, the one holding manifests/)',
      });
      if (!picked?.[0]) return;
      const outDir = picked[0].fsPath.replace(/[\\/]manifests[\\/]?$/, '');
      try {
        folder = runFolderAt(EpisodeLayout.of(outDir));
      } catch (e) {
        return void vscode.window.showErrorMessage(`${outDir} is not an episode folder: ${(e as Error).message}`);
      }
    }
    if (!existsSync(folder.layout.manifestsDir)) {
      void vscode.window.showInformationMessage(`No run of ${folder.epId} yet (${folder.outDir}); the timeline fills in when you run it.`);
    }
    const panel = TimelinePanel.show(ctx.extensionUri, folder);
    // A run in progress is drawing from its events; the half-written manifests would not help.
    const live = uri && ctx.runs.has(uri.toString());
    if (!live) await panel.reload();
  };
}

/** Episode Lab: New Episode Config, from a video picked in a file dialog. */
export function newConfig() {
  return async (): Promise<void> => {
    const videos = await vscode.window.showOpenDialog({
      canSelectMany: false, openLabel: 'Use this video', title: 'New Episode Config: pick the episode video',
      filters: { Video: ['mp4', 'mkv', 'mov', 'avi', 'webm', 'm4v', 'ts', 'mxf'], 'All files': ['*'] },
    });
    const video = videos?.[0];
    if (!video) return;
    const epId = await vscode.window.showInputBox({
      title: 'Episode id', prompt: 'Names the output folder and is written on every manifest row',
      value: epIdFromVideo(video.fsPath),
      validateInput: (v) => idProblem('The episode id', v),
    });
    if (!epId) return;
    const base = vscode.workspace.getWorkspaceFolder(video)?.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.joinPath(video, '..');
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(base, `${epId}.episode.yaml`), filters: { 'Episode config': ['episode.yaml'] },
    });
    if (!target) return;
    const text = scaffoldConfig({ epId, configPath: target.fsPath, videoPath: video.fsPath });
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    await vscode.window.showTextDocument(target);
  };
}
