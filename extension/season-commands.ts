// Run Season, Cancel Season and Open Season View: the season file's commands.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, SEASON_LANGUAGE_ID, type RunSeasonResult } from '../server/lsp/protocol';
import type { SeasonSummary } from '../server/season/season-events';
import { diskFacts, loadSeason } from '../server/season/season-file';
import { SEASON_JSON } from '../server/season/summary';
import type { Ctx } from './ctx';
import { commandWithProgress, reportRefusal } from './commands';
import { SeasonPanel } from './season-panel';
import { requireTrust } from './trust';

const NO_SEASON = 'Open a season file (*.season.yaml) first.';

/** The season a command acts on: its argument, else the active editor's season file. */
function seasonUri(arg?: vscode.Uri): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.languageId === SEASON_LANGUAGE_ID ? doc.uri : undefined;
}

/** Episode Lab: Run Season. Resolves with the season's outcome (undefined when it never started). */
export function runSeason(ctx: Ctx) {
  return async (arg?: vscode.Uri): Promise<RunSeasonResult | undefined> => {
    const uri = seasonUri(arg);
    if (!uri) return void vscode.window.showErrorMessage(NO_SEASON);
    if (!requireTrust('Run Season')) return undefined;
    const key = uri.toString();
    if (ctx.seasons.has(key)) return void vscode.window.showInformationMessage('This season is already running; cancel it from its Season view.');
    await vscode.workspace.textDocuments.find((d) => d.uri.toString() === key && d.isDirty)?.save();
    const client = await ctx.languageClient();
    const cancel = new vscode.CancellationTokenSource();
    ctx.setSeason(key, cancel);
    SeasonPanel.show(ctx.extensionUri, uri.fsPath, () => cancel.cancel()).setRunning(true);
    const name = path.basename(uri.fsPath);
    try {
      const result = await commandWithProgress<RunSeasonResult>(client, `Season ${name}`, Commands.runSeason, key, cancel);
      reportSeason(ctx, name, result);
      return result;
    } catch (e) {
      reportRefusal(ctx, e);
      return undefined;
    } finally {
      ctx.setSeason(key, undefined);
      SeasonPanel.find(uri.fsPath)?.setRunning(false);
      cancel.dispose();
    }
  };
}

function reportSeason(ctx: Ctx, name: string, r: RunSeasonResult): void {
  const c = r.summary?.counts;
  const counts = c ? (['completed', 'failed', 'cancelled'] as const).filter((k) => c[k]).map((k) => `${c[k]} ${k}`).join(', ') : '';
  ctx.output.info(`season ${name}: ${r.state} (exit ${r.exit_code})${counts ? `: ${counts}` : ''}${r.error ? `: ${r.error}` : ''}`);
  if (r.state === 'failed') {
    void vscode.window.showErrorMessage(`Season ${name}: ${counts || r.error || `exit code ${r.exit_code}`}`, 'Show Output').then((a) => a && ctx.output.show());
  } else if (r.state === 'running') {
    void vscode.window.showInformationMessage(`Season ${name} goes on on its queue; Run Season follows it again.`);
  }
}

/** Episode Lab: Cancel Season. */
export function cancelSeason(ctx: Ctx) {
  return (arg?: vscode.Uri): void => {
    const uri = seasonUri(arg);
    const cancel = uri ? ctx.seasons.get(uri.toString()) : [...ctx.seasons.values()][0];
    cancel?.cancel();
  };
}

/** Episode Lab: Open Season View — the season's last season.json (or its run in progress). */
export function openSeason(ctx: Ctx) {
  return async (arg?: vscode.Uri): Promise<SeasonSummary | undefined> => {
    const uri = seasonUri(arg);
    if (!uri) return void vscode.window.showErrorMessage(NO_SEASON);
    const running = ctx.seasons.get(uri.toString());
    const panel = SeasonPanel.show(ctx.extensionUri, uri.fsPath, () => running?.cancel());
    if (running) return undefined; // the run's events fill it
    let summary: SeasonSummary;
    try {
      const season = loadSeason(await readFile(uri.fsPath, 'utf8'), uri.fsPath, diskFacts);
      summary = JSON.parse(await readFile(path.join(season.summaryDir, SEASON_JSON), 'utf8'));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return void vscode.window.showInformationMessage(code === 'ENOENT' ? `${path.basename(uri.fsPath)} has not run yet: Run Season first.` : (e as Error).message);
    }
    panel.showSummary(summary, false);
    return summary;
  };
}
