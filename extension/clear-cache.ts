// Episode Lab: Clear Cache — deletes the stage cache (<output_root>/<ep_id>/cache) of one episode
// or of every episode in the workspace, after a modal that says how much it frees. Runs and their
// manifests stay; the next run of each episode decodes and detects again. It takes each
// episode's lock as a run does: an episode being run (in this window, another one, or a
// terminal) keeps its cache, and no run can start while its cache is being deleted.
import * as vscode from 'vscode';
import { cacheSize, clearCache as deleteCache } from '../server/engine/cache';
import { describeHolder, EpisodeBusyError, readLock, withEpisodeLock } from '../server/engine/manifests/episode-lock';
import { configUri } from './active-config';
import type { Ctx } from './ctx';
import { runFolderOf, type RunFolder } from './run-folder';
import { formatBytes } from './run-format';
import type { RunsNode } from './runs-tree';
import { requireTrust } from './trust';

export interface ClearCacheOptions {
  /** Skip the confirmation (scripts and tests that already decided). */
  confirmed?: boolean;
}

/** Resolves with the bytes freed (0 when nothing was cleared). */
export function clearCache(ctx: Ctx) {
  return async (target?: RunsNode | vscode.Uri, opts: ClearCacheOptions = {}): Promise<number> => {
    if (!requireTrust('Clear Cache')) return 0;
    const folders = await targetFolders(ctx, target);
    if (!folders?.length) return 0;
    // A run in progress would lose the entry it is recording; leave its episode alone.
    const locks = await Promise.all(folders.map((f) => readLock(f.layout)));
    const busy = new Map(folders.flatMap((f, i) => (locks[i]?.live ? [[f.outDir, locks[i]!.owner ? describeHolder(locks[i]!.owner!) : 'a run']] : [])));
    const sized = await Promise.all(folders.filter((f) => !busy.has(f.outDir)).map(async (f) => ({ f, bytes: await cacheSize(f.layout) })));
    const withCache = sized.filter((s) => s.bytes > 0);
    const busyNote = () => (busy.size ? ` Kept the cache of episodes being run: ${[...busy].map(([dir, who]) => `${dir} (${who})`).join(', ')}.` : '');
    if (!withCache.length) {
      void vscode.window.showInformationMessage(`Nothing to clear for ${names(folders)}.${busyNote()}`);
      return 0;
    }
    const total = withCache.reduce((n, s) => n + s.bytes, 0);
    const what = `the analysis cache of ${names(withCache.map((s) => s.f))} (${formatBytes(total)})`;
    if (!opts.confirmed) {
      const ok = await vscode.window.showWarningMessage(`Clear ${what}?`, {
        modal: true,
        detail: `Recorded runs and their manifests stay. The next run of ${withCache.length === 1 ? 'this episode' : 'each episode'} decodes and detects again.${busyNote()}`,
      }, 'Clear Cache');
      if (ok !== 'Clear Cache') return 0;
    }
    let freed = 0;
    const cleared: RunFolder[] = [];
    for (const { f } of withCache) {
      try {
        freed += await withEpisodeLock(f.layout, { purpose: 'clear-cache' }, (lock) => deleteCache(lock, f.layout));
        cleared.push(f);
      } catch (e) {
        if (!(e instanceof EpisodeBusyError)) throw e;
        busy.set(f.outDir, describeHolder(e.holder)); // a run started meanwhile
      }
    }
    ctx.output.info(`clear cache: freed ${formatBytes(freed)} (${cleared.map((f) => f.outDir).join(', ') || 'nothing'})${busyNote()}`);
    void vscode.window.showInformationMessage(`Freed ${formatBytes(freed)}: the analysis cache of ${names(cleared) || 'no episode'} is cleared.${busyNote()}`);
    return freed;
  };
}

const names = (folders: readonly RunFolder[]) => folders.map((f) => f.epId).join(', ');

/**
 * A config node or config URI: its episode. From the palette: the active config's episode or
 * all of the workspace's, as picked; all of them when no config is active.
 */
async function targetFolders(ctx: Ctx, target?: RunsNode | vscode.Uri): Promise<RunFolder[] | undefined> {
  const configs = await ctx.runsTree.configNodes();
  const uri = target instanceof vscode.Uri ? target : target ? (target.kind === 'config' ? target.uri : target.config.uri) : configUri();
  const all = dedupe(configs.flatMap((c) => (c.folder ? [c.folder] : [])));
  const one = uri && (configs.find((c) => c.uri.toString() === uri.toString())?.folder ?? await runFolderOf(uri.fsPath).catch(() => undefined));
  if (target) return one ? [one] : void vscode.window.showErrorMessage('This config does not name a run folder yet (ep_id and video).');
  if (!one || all.length === 1) return all;
  const picked = await vscode.window.showQuickPick([
    { label: `This episode: ${one.epId}`, folders: [one] },
    { label: `All episodes in the workspace (${all.length})`, description: names(all), folders: all },
  ], { title: 'Clear the analysis cache of…' });
  return picked?.folders;
}

/** Configs of one episode share a run folder. */
const dedupe = (folders: RunFolder[]) => [...new Map(folders.map((f) => [f.outDir, f])).values()];
