// The lenses on the first line of a config: Run Episode (Run Sweep for a config with a sweep
// grid; Cancel while it runs; in Restricted Mode, a way to trust the workspace) and Open Timeline.
import * as vscode from 'vscode';
import { parseConfigYaml } from '../server/config/episode-config';
import { expandGrid } from '../server/engine/sweep/grid';
import type { Ctx } from './ctx';

export class RunCodeLens implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly ctx: Ctx) {
    this.onDidChangeCodeLenses = ctx.onRunsChanged;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    const running = this.ctx.runs.has(doc.uri.toString());
    const points = sweepPoints(doc.getText());
    return [
      new vscode.CodeLens(top, !vscode.workspace.isTrusted
        ? { title: '$(shield) Restricted Mode: trust this workspace to run', command: 'workbench.trust.manage' }
        : running
        ? { title: '$(debug-stop) Cancel Run', command: 'episodeLab.cancel', arguments: [doc.uri] }
        : points
          ? { title: `$(play) Run Sweep (${points} runs)`, tooltip: 'One run per combination of the `sweep:` values, over one analysis pass', command: 'episodeLab.run', arguments: [doc.uri] }
          : { title: '$(play) Run Episode', command: 'episodeLab.run', arguments: [doc.uri] }),
      new vscode.CodeLens(top, { title: '$(graph) Open Timeline', command: 'episodeLab.openTimeline', arguments: [doc.uri] }),
      new vscode.CodeLens(top, { title: '$(person) Identities', command: 'episodeLab.openIdentities', arguments: [doc.uri] }),
    ];
  }
}

/** How many runs the config's sweep grid makes; 0 without one, or while the text does not parse. */
function sweepPoints(text: string): number {
  try {
    const sweep = (parseConfigYaml(text) as { sweep?: unknown }).sweep;
    const valid = typeof sweep === 'object' && sweep !== null && Object.values(sweep).every(Array.isArray);
    return valid ? expandGrid(sweep as Record<string, unknown[]>).length : 0;
  } catch {
    return 0;
  }
}

/** The lenses on the first line of a season file: Run Season (Cancel Season while it runs) and Open Season View. */
export class SeasonCodeLens implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly ctx: Ctx) {
    this.onDidChangeCodeLenses = ctx.onRunsChanged;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    const running = this.ctx.seasons.has(doc.uri.toString());
    return [
      new vscode.CodeLens(top, !vscode.workspace.isTrusted
        ? { title: '$(shield) Restricted Mode: trust this workspace to run', command: 'workbench.trust.manage' }
        : running
        ? { title: '$(debug-stop) Cancel Season', command: 'episodeLab.cancelSeason', arguments: [doc.uri] }
        : { title: '$(run-all) Run Season', tooltip: 'Every episode of the season, here or on its queue', command: 'episodeLab.runSeason', arguments: [doc.uri] }),
      new vscode.CodeLens(top, { title: '$(table) Open Season View', command: 'episodeLab.openSeason', arguments: [doc.uri] }),
    ];
  }
}
