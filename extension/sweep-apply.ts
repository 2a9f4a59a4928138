// Apply on the Sweep page: a sweep point's values written into the episode's config as one
// WorkspaceEdit (one undo step) that touches only the values' text (server/config/apply-values.ts),
// so the file keeps its comments and formatting. The edit is left unsaved, like any edit.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { applyValuesEdits } from '../server/config/apply-values';
import { listRuns } from '../server/engine/history';
import type { RunFolder } from './run-folder';

/** The episode's configs (those that write to this run folder). */
export type ConfigFinder = () => Promise<vscode.Uri[]>;

export async function applySweepPoint(folder: RunFolder, runId: string, configs: ConfigFinder): Promise<{ config: string; keys: string[] }> {
  const run = (await listRuns(folder.layout)).find((r) => r.run_id === runId);
  if (!run?.sweep) throw new Error(`run ${runId} is not a sweep point of ${folder.epId}`);
  const uri = await pickConfig(folder, await configs());
  const doc = await vscode.workspace.openTextDocument(uri);
  const edits = applyValuesEdits(doc.getText(), run.sweep.values);
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits) edit.replace(uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.text);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`the editor refused the edit of ${path.basename(uri.fsPath)}`);
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preserveFocus: true, preview: false });
  return { config: path.basename(uri.fsPath), keys: Object.keys(run.sweep.values) };
}

/** The one config of the episode; with several, the active editor's or the one picked. */
async function pickConfig(folder: RunFolder, uris: vscode.Uri[]): Promise<vscode.Uri> {
  if (!uris.length) throw new Error(`no *.episode.yaml in the workspace writes to ${folder.outDir}`);
  if (uris.length === 1) return uris[0];
  const active = vscode.window.activeTextEditor?.document.uri.toString();
  const open = uris.find((u) => u.toString() === active);
  if (open) return open;
  const picked = await vscode.window.showQuickPick(uris.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })), { title: `Apply to which config of ${folder.epId}?` });
  if (!picked) throw new Error('no config picked');
  return picked.uri;
}
