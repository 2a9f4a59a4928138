// Entry point: wires the context, the commands and the lens; the work lives in the modules.
import * as vscode from 'vscode';
import { ExecuteCommandRequest } from 'vscode-languageclient/node';
import { Commands, LANGUAGE_ID, SEASON_LANGUAGE_ID, type DecodeFrameResult } from '../server/lsp/protocol';
import { RunCodeLens, SeasonCodeLens } from './codelens';
import { clearCache } from './clear-cache';
import { cancelRun, newConfig, openIdentities, openTimeline, runEpisode } from './commands';
import { RESTART_SETTINGS } from './config';
import { Ctx } from './ctx';
import { compareRuns, openRun, openSweep } from './run-commands';
import { exportMot } from './export-mot';
import { FramePanel } from './frame-panel';
import { cancelSeason, openSeason, runSeason } from './season-commands';

let current: Ctx | undefined;

/** Returns the context as the extension's API, which the in-host tests use. */
export async function activate(context: vscode.ExtensionContext): Promise<Ctx> {
  const ctx = (current = new Ctx(context));
  const command = (id: string, fn: (...args: never[]) => unknown) => vscode.commands.registerCommand(id, fn);
  // The frame view's frames come from the language server, which owns the ffmpeg.
  FramePanel.decoder = async (p) => (await (await ctx.languageClient()).sendRequest(ExecuteCommandRequest.type, { command: Commands.decodeFrame, arguments: [p] })) as DecodeFrameResult;
  context.subscriptions.push(
    ctx,
    command('episodeLab.run', runEpisode(ctx)),
    command('episodeLab.cancel', cancelRun(ctx)),
    command('episodeLab.openTimeline', openTimeline(ctx)),
    command('episodeLab.openIdentities', openIdentities(ctx)),
    command('episodeLab.newConfig', newConfig()),
    command('episodeLab.showOutput', () => ctx.output.show()),
    command('episodeLab.openRun', openRun(ctx)),
    command('episodeLab.compareRuns', compareRuns(ctx)),
    command('episodeLab.openSweep', openSweep(ctx)),
    command('episodeLab.exportMot', exportMot(ctx)),
    command('episodeLab.clearCache', clearCache(ctx)),
    command('episodeLab.refreshRuns', () => ctx.runsTree.refresh()),
    command('episodeLab.runSeason', runSeason(ctx)),
    command('episodeLab.cancelSeason', cancelSeason(ctx)),
    command('episodeLab.openSeason', openSeason(ctx)),
    vscode.languages.registerCodeLensProvider({ language: LANGUAGE_ID }, new RunCodeLens(ctx)),
    vscode.languages.registerCodeLensProvider({ language: SEASON_LANGUAGE_ID }, new SeasonCodeLens(ctx)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (RESTART_SETTINGS.some((s) => e.affectsConfiguration(s)) && ctx.runs.size === 0) void ctx.restartClient();
    }),
    // Leaving Restricted Mode: the server learns it at its start, and the lenses offer Run again.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void ctx.trustGranted()),
  );
  await ctx.languageClient();
  return ctx;
}

/** Stopping the client shuts the server down, which cancels any engine still running. */
export function deactivate(): Promise<void> | undefined {
  return current?.stopClient();
}
