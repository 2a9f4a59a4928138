/// <reference types="mocha" />
// Runs inside a real VS Code extension host, against the sample workspace of test/e2e.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunEpisodeResult, RunEventParams } from '../../server/lsp/protocol';

interface Api {
  onDidRunEvent: vscode.Event<RunEventParams>;
}

const folder = () => vscode.workspace.workspaceFolders![0].uri;
const file = (name: string) => vscode.Uri.joinPath(folder(), name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function clipPath(): string | undefined {
  const m = /^video: (.+)$/m.exec(readFileSync(file('tos.episode.yaml').fsPath, 'utf8'));
  const p = m && (JSON.parse(m[1]) as string);
  return p && existsSync(p) ? p : undefined;
}

const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => ({ label: t.label, column: g.viewColumn })));

suite('Episode Lab in the editor', () => {
  let api: Api;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<Api>('episode-lab.episode-lab');
    assert.ok(ext, 'the extension is installed');
    api = await ext.activate();
  });

  test('registers its commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of ['episodeLab.run', 'episodeLab.cancel', 'episodeLab.openTimeline', 'episodeLab.newConfig']) assert.ok(all.includes(id), id);
  });

  test('the language server reports a broken config', async () => {
    const doc = await vscode.workspace.openTextDocument(file('broken.episode.yaml'));
    assert.equal(doc.languageId, 'episode-config');
    await vscode.window.showTextDocument(doc);
    const diags = await until('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(doc.uri);
      return d.length ? d : undefined;
    });
    assert.ok(diags.some((d) => /stride/.test(d.message)), diags.map((d) => d.message).join('\n'));
  });

  test('Run Episode on Tears of Steel: completed, timeline beside the config', async function () {
    if (!clipPath()) return this.skip();
    const uri = file('tos.episode.yaml');
    await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One });
    const result = (await vscode.commands.executeCommand('episodeLab.run', uri)) as RunEpisodeResult;
    assert.equal(result.state, 'completed', result.error);
    const timeline = await until('the timeline tab', () => tabs().find((t) => t.label === 'Timeline: tos'));
    const config = tabs().find((t) => t.label === 'tos.episode.yaml');
    assert.ok(config && timeline.column !== config.column, `side by side: ${JSON.stringify(tabs())}`);
    const cuts = JSON.parse(readFileSync(path.join(result.out_dir!, 'manifests', 'scene_cuts.json'), 'utf8')).cuts;
    assert.deepEqual(cuts, [21, 65, 185]);
  });

  test('Cancel stops a run within 2 s and leaves it marked cancelled', async function () {
    if (!clipPath()) return this.skip();
    const uri = file('tos-cancel.episode.yaml');
    await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One });
    let cancelledAt = 0;
    const sub = api.onDidRunEvent((p) => {
      if (!cancelledAt && p.event.type === 'progress' && p.event.frames_done > 0) {
        cancelledAt = Date.now();
        void vscode.commands.executeCommand('episodeLab.cancel', uri);
      }
    });
    try {
      const result = (await vscode.commands.executeCommand('episodeLab.run', uri)) as RunEpisodeResult;
      assert.ok(cancelledAt, 'the run reported progress');
      const took = Date.now() - cancelledAt;
      assert.equal(result.state, 'cancelled', JSON.stringify(result));
      assert.ok(took < 2000, `stopped ${took} ms after the cancel`);
      const progress = JSON.parse(readFileSync(path.join(path.dirname(uri.fsPath), 'episodes', 'tos-cancel', 'manifests', 'progress.json'), 'utf8'));
      assert.equal(progress.state, 'cancelled');
      await until('the timeline tab', () => tabs().find((t) => t.label === 'Timeline: tos-cancel'));
    } finally {
      sub.dispose();
    }
  });
});
