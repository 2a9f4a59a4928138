// The lenses on the first line of a config: Run Episode (Cancel while it runs) and Open Timeline.
import * as vscode from 'vscode';
import type { Ctx } from './ctx';

export class RunCodeLens implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly ctx: Ctx) {
    this.onDidChangeCodeLenses = ctx.onRunsChanged;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    const running = this.ctx.runs.has(doc.uri.toString());
    return [
      new vscode.CodeLens(top, running
        ? { title: '$(debug-stop) Cancel Run', command: 'episodeLab.cancel', arguments: [doc.uri] }
        : { title: '$(play) Run Episode', command: 'episodeLab.run', arguments: [doc.uri] }),
      new vscode.CodeLens(top, { title: '$(graph) Open Timeline', command: 'episodeLab.openTimeline', arguments: [doc.uri] }),
    ];
  }
}
