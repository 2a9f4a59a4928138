// Restricted Mode: in a workspace the user has not trusted, Episode Lab checks configs and shows
// recorded runs, and runs nothing. The engine does not start, so no Node, ffmpeg or model named
// by the workspace is loaded; the language server probes videos with the extension's own ffmpeg,
// never one from the config; and nothing is deleted (Clear Cache). VS Code itself ignores the
// workspace's values of episodeLab.engine.nodePath and episodeLab.ffmpegPath there
// (`restrictedConfigurations` in package.json).
import * as vscode from 'vscode';

const WHY = 'Episode Lab runs nothing from a workspace you have not trusted: no engine, and no Node, ffmpeg or model the workspace names.';

/** True in a trusted workspace; else says so, offers to manage trust, and returns false. */
export function requireTrust(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(`${what} is off in Restricted Mode. ${WHY}`, 'Manage Workspace Trust')
    .then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
  return false;
}
