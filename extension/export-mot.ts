// Episode Lab: Export as MOT — a recorded run's tracks, interpolated to every frame, as a MOT 1.1
// ground truth that CVAT imports (a zip: gt/gt.txt + gt/labels.txt; or a gt.txt with labels.txt
// beside it). Correct it in CVAT, then point `evaluation.ground_truth` at the corrected export.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readRunRows } from '../server/engine/eval/run-rows';
import { writeMotExport } from '../server/engine/eval/export-mot';
import type { Ctx } from './ctx';
import { pickRun } from './run-commands';
import type { RunsNode } from './runs-tree';

/** Resolves with the files written; `target` (tests) skips the save dialog. */
export function exportMot(ctx: Ctx) {
  return async (node?: RunsNode, target?: vscode.Uri): Promise<string[] | undefined> => {
    const picked = node?.kind === 'run' ? { folder: node.folder, run: node.summary } : await pickRun(ctx, node, 'Export a run as MOT');
    if (!picked) return undefined;
    const { folder, run } = picked;
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? folder.outDir;
    const uri = target ?? (await vscode.window.showSaveDialog({
      title: `Export run ${run.run_id} of ${folder.epId} as MOT 1.1`,
      defaultUri: vscode.Uri.file(path.join(base, `${folder.epId}-${run.run_id}-mot.zip`)),
      filters: { 'CVAT MOT 1.1 archive': ['zip'], 'MOT gt.txt (labels.txt beside it)': ['txt'] },
    }));
    if (!uri) return undefined;
    try {
      const files = await writeMotExport(await readRunRows(folder.layout.runManifest(run.run_id, 'detections')), uri.fsPath);
      ctx.output.info(`exported run ${run.run_id} of ${folder.epId} as MOT: ${files.join(', ')}`);
      void vscode.window.showInformationMessage(`Exported ${folder.epId} run ${run.run_id} as MOT 1.1: ${files.map((f) => path.basename(f)).join(' + ')}`);
      return files;
    } catch (e) {
      return void vscode.window.showErrorMessage(`Export as MOT failed: ${(e as Error).message}`);
    }
  };
}
