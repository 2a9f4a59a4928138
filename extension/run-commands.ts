// Commands on recorded runs: Open Run, Compare Runs, Open Sweep. Each takes a node of the Runs
// view (its inline and context menus) or, from the palette, asks for the runs of the active config.
import * as vscode from 'vscode';
import type { RunSummary } from '../server/engine/history';
import type { RunSnapshot } from '../webview/protocol';
import { configUri, NO_CONFIG } from './active-config';
import type { Ctx } from './ctx';
import type { CompareMessage, SweepMessage } from './run-compare';
import type { RunFolder } from './run-folder';
import { runDescription, runStartLabel, sweepPointLabel } from './run-format';
import type { RunNode, RunsNode } from './runs-tree';
import { RunsPanel } from './runs-panel';
import { TimelinePanel } from './timeline-panel';

/** An episode's run folder and its runs: a node's config, the active config, the only config, or a picked one. */
async function episodeOf(ctx: Ctx, node?: RunsNode): Promise<{ folder: RunFolder; runs: RunSummary[] } | undefined> {
  const all = await ctx.runsTree.configNodes();
  const active = configUri()?.toString();
  let config = node ? (node.kind === 'config' ? node : node.config) : all.find((c) => c.uri.toString() === active);
  if (!config) {
    const usable = all.filter((c) => c.folder);
    if (!usable.length) return void vscode.window.showErrorMessage(NO_CONFIG);
    config = usable.length === 1 ? usable[0] : (await vscode.window.showQuickPick(
      usable.map((c) => ({ label: vscode.workspace.asRelativePath(c.uri), description: c.folder!.epId, c })), { title: 'Which episode?' }))?.c;
    if (!config) return undefined;
  }
  if (!config.folder) return void vscode.window.showErrorMessage(config.problem ?? NO_CONFIG);
  const runs = await ctx.runsTree.runsOf(config.folder);
  if (!runs.length) return void vscode.window.showInformationMessage(`No recorded runs of ${config.folder.epId} yet: run the episode first.`);
  return { folder: config.folder, runs };
}

type RunPick = vscode.QuickPickItem & { run: RunSummary };

/** Quick pick items of an episode's runs, newest first. */
const runItems = (runs: readonly RunSummary[]): RunPick[] => [...runs].reverse().map((run) => ({
  label: run.sweep ? `${runStartLabel(run)}  ${sweepPointLabel(run)}` : runStartLabel(run),
  description: runDescription(run),
  detail: run.run_id,
  run,
}));

/** The run nodes among the tree's selection. */
const selectedRuns = (ctx: Ctx, selected?: readonly RunsNode[]): RunNode[] =>
  (selected ?? ctx.runsTree.view.selection).filter((n): n is RunNode => n.kind === 'run');

/** One run picked from an episode's runs (a node's config, the active config, …), newest first. */
export async function pickRun(ctx: Ctx, node: RunsNode | undefined, title: string): Promise<{ folder: RunFolder; run: RunSummary } | undefined> {
  const episode = await episodeOf(ctx, node);
  if (!episode) return undefined;
  const picked = await vscode.window.showQuickPick(runItems(episode.runs), { title: `${title}: ${episode.folder.epId}`, matchOnDetail: true });
  return picked && { folder: episode.folder, run: picked.run };
}

/** Episode Lab: Open Run — a run in the timeline (the Runs view's click). Resolves with its snapshot. */
export function openRun(ctx: Ctx) {
  return async (node?: RunsNode): Promise<RunSnapshot | undefined> => {
    if (node?.kind === 'run') return TimelinePanel.show(ctx.extensionUri, node.folder).showRun(node.summary.run_id);
    const picked = await pickRun(ctx, node, 'Open a run');
    return picked && TimelinePanel.show(ctx.extensionUri, picked.folder).showRun(picked.run.run_id);
  };
}

/**
 * Episode Lab: Compare Runs — the two runs selected in the Runs view, else two picked from the
 * active config's runs (the two newest picked to start with). Resolves with what the page got.
 */
export function compareRuns(ctx: Ctx) {
  return async (node?: RunsNode, selected?: readonly RunsNode[]): Promise<CompareMessage | undefined> => {
    const chosen = selectedRuns(ctx, selected);
    if (chosen.length === 2) {
      const [a, b] = chosen;
      if (a.folder.outDir !== b.folder.outDir) return void vscode.window.showErrorMessage('Compare runs of one episode: these two belong to different run folders.');
      return showCompare(ctx, a.folder, [a.summary.run_id, b.summary.run_id]);
    }
    if (chosen.length > 2) return void vscode.window.showErrorMessage(`Select two runs to compare, not ${chosen.length}.`);
    const episode = await episodeOf(ctx, node);
    if (!episode) return undefined;
    if (episode.runs.length < 2) return void vscode.window.showInformationMessage(`${episode.folder.epId} has one run; run it again to compare.`);
    const items = runItems(episode.runs);
    items.slice(0, 2).forEach((i) => (i.picked = true));
    const picked = await vscode.window.showQuickPick(items, {
      title: `Compare two runs of ${episode.folder.epId}`, canPickMany: true, matchOnDetail: true, placeHolder: 'Pick two runs (the two newest are picked)',
    });
    if (!picked) return undefined;
    if (picked.length !== 2) return void vscode.window.showErrorMessage(`Pick two runs to compare, not ${picked.length}.`);
    return showCompare(ctx, episode.folder, [picked[0].run.run_id, picked[1].run.run_id]);
  };
}

/** A page's data comes from the history on disk, which can change under it: say what failed. */
async function reported<T>(show: () => Promise<T>): Promise<T | undefined> {
  try {
    return await show();
  } catch (e) {
    return void vscode.window.showErrorMessage((e as Error).message);
  }
}

const showCompare = (ctx: Ctx, folder: RunFolder, ids: [string, string]) => reported(() => RunsPanel.show(ctx.extensionUri, folder).compare(ids));

/** Episode Lab: Open Sweep — a sweep's table and plot: a sweep node, a run of it, or the newest sweep of the active config. */
export function openSweep(ctx: Ctx) {
  return async (node?: RunsNode): Promise<SweepMessage | undefined> => {
    if (node?.kind === 'sweep') return showSweep(ctx, node.folder, node.sweepId);
    if (node?.kind === 'run' && node.summary.sweep) return showSweep(ctx, node.folder, node.summary.sweep.id);
    const episode = await episodeOf(ctx, node);
    if (!episode) return undefined;
    const sweeps = [...new Set(episode.runs.flatMap((r) => (r.sweep ? [r.sweep.id] : [])))].reverse();
    if (!sweeps.length) return void vscode.window.showInformationMessage(`${episode.folder.epId} has no sweep yet: add a \`sweep:\` section to its config and run it.`);
    const id = sweeps.length === 1 ? sweeps[0] : (await vscode.window.showQuickPick(sweeps, { title: `Open a sweep of ${episode.folder.epId}` }));
    return id ? showSweep(ctx, episode.folder, id) : undefined;
  };
}

/** The Sweep page of a sweep (also opened when Run Episode ran a config's grid). */
export const showSweep = (ctx: Ctx, folder: RunFolder, sweepId: string) => reported(() => RunsPanel.show(ctx.extensionUri, folder, configsOf(ctx, folder)).sweep(sweepId));

/** The workspace's configs that write to `folder`, for Apply. */
const configsOf = (ctx: Ctx, folder: RunFolder) => async () =>
  (await ctx.runsTree.configNodes()).filter((c) => c.folder?.outDir === folder.outDir).map((c) => c.uri);
