/// <reference types="mocha" />
// Runs inside a real VS Code extension host, against the sample workspace of test/e2e.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunEpisodeResult, RunEventParams } from '../../server/lsp/protocol';
import type { CompareMessage, SweepMessage } from '../../extension/run-compare';
import type { RunsNode } from '../../extension/runs-tree';
import type { RunSnapshot } from '../../webview/protocol';

interface Api {
  onDidRunEvent: vscode.Event<RunEventParams>;
  runsTree: vscode.TreeDataProvider<RunsNode>;
}

const folder = () => vscode.workspace.workspaceFolders![0].uri;
const file = (name: string) => vscode.Uri.joinPath(folder(), name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
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
    for (const id of [
      'episodeLab.run', 'episodeLab.cancel', 'episodeLab.openTimeline', 'episodeLab.newConfig',
      'episodeLab.openRun', 'episodeLab.compareRuns', 'episodeLab.openSweep', 'episodeLab.clearCache', 'episodeLab.refreshRuns', 'episodeLab.exportMot',
    ]) assert.ok(all.includes(id), id);
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

  suite('the iteration loop: run, change a tracker setting, run again', () => {
    const epDir = () => path.join(folder().fsPath, 'episodes', 'iter');
    const runDirTracks = (runId: string) => readFileSync(path.join(epDir(), 'runs', runId, 'manifests', 'tracks.jsonl'), 'utf8')
      .split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { track_id: number }).track_id);
    let first: RunEpisodeResult;
    let second: RunEpisodeResult;

    /** The children of the Runs view's node for `name`, once `ready` holds of them. */
    async function runsOfConfig(name: string, ready: (nodes: RunsNode[]) => boolean): Promise<RunsNode[]> {
      const tree = api.runsTree;
      return until(`the Runs view under ${name}`, async () => {
        const config = ((await tree.getChildren()) ?? []).find((n) => n.kind === 'config' && n.uri.fsPath.endsWith(name));
        const nodes = config ? (await tree.getChildren(config)) ?? [] : [];
        return ready(nodes) && nodes;
      });
    }
    const runNodes = (nodes: RunsNode[]) => nodes.filter((n): n is Extract<RunsNode, { kind: 'run' }> => n.kind === 'run');

    suiteSetup(async function () {
      if (!clipPath()) return this.skip();
      const uri = file('iter.episode.yaml');
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(`ep_id: iter\nvideo: ${JSON.stringify(clipPath())}\noutput_root: episodes\nstride: 6\n`));
      const doc = await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One });
      first = (await vscode.commands.executeCommand('episodeLab.run', uri)) as RunEpisodeResult;
      assert.equal(first.state, 'completed', first.error);
      // Tracker settings only: the second run replays the first one's analysis.
      await doc.edit((e) => e.insert(new vscode.Position(doc.document.lineCount, 0), 'tracker:\n  match_thresh: 0.7\n  min_track_length: 48\n'));
      await doc.document.save();
      second = (await vscode.commands.executeCommand('episodeLab.run', uri)) as RunEpisodeResult;
      assert.equal(second.state, 'completed', second.error);
      assert.ok(first.run_id && second.run_id && first.run_id !== second.run_id);
    });

    test('the Runs view lists both runs, newest first, the second on cached detections', async () => {
      const nodes = await runsOfConfig('iter.episode.yaml', (n) => n.length === 2);
      assert.deepEqual(runNodes(nodes).map((n) => n.summary.run_id), [second.run_id, first.run_id]);
      const [newer, older] = await Promise.all(nodes.map((n) => api.runsTree.getTreeItem(n)));
      assert.match(String(newer.label), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.match(String(newer.description), /cached detections/);
      assert.doesNotMatch(String(older.description), /cached detections/);
      assert.match(String(newer.description), /^[\d.]+ s · \d+ tracks? · \d+ id switch/);
      assert.equal((newer.iconPath as vscode.ThemeIcon).id, 'database');
      assert.equal(newer.contextValue, 'episodeRun');
      assert.equal(newer.command?.command, 'episodeLab.openRun');
      assert.match((newer.tooltip as vscode.MarkdownString).value, /Mean track length/);
    });

    test('Open Run shows a recorded run: its snapshot comes from runs/<id>/manifests', async () => {
      const [newer, older] = runNodes(await runsOfConfig('iter.episode.yaml', (n) => n.length === 2));
      const olderIds = runDirTracks(first.run_id!);
      const newerIds = runDirTracks(second.run_id!);
      assert.notDeepEqual(olderIds, newerIds, 'min_track_length 48 drops some tracks');
      const shown = (await vscode.commands.executeCommand('episodeLab.openRun', older)) as RunSnapshot;
      assert.deepEqual(shown.tracks.tracks.map((t) => t.id), olderIds);
      assert.equal(shown.state, 'completed');
      await until('the timeline tab', () => tabs().find((t) => t.label === 'Timeline: iter'));
      const back = (await vscode.commands.executeCommand('episodeLab.openRun', newer)) as RunSnapshot;
      assert.deepEqual(back.tracks.tracks.map((t) => t.id), newerIds);
    });

    test('Compare Runs on the two selected runs: older as a, the metrics and the changed tracker keys', async () => {
      const nodes = runNodes(await runsOfConfig('iter.episode.yaml', (n) => n.length === 2));
      const m = (await vscode.commands.executeCommand('episodeLab.compareRuns', nodes[0], nodes)) as CompareMessage;
      assert.equal(m.a.summary.run_id, first.run_id);
      assert.equal(m.b.summary.run_id, second.run_id);
      assert.deepEqual(m.b.snapshot.tracks.tracks.map((t) => t.id), runDirTracks(second.run_id!));
      assert.deepEqual(m.config.map((c) => [c.key, c.a, c.b]), [['tracker.match_thresh', 0.8, 0.7], ['tracker.min_track_length', 3, 48]]);
      const tracks = m.metrics.find((d) => d.metric === 'tracks')!;
      assert.equal(tracks.delta, m.b.summary.tracks - m.a.summary.tracks);
      await until('the Compare tab', () => tabs().find((t) => t.label === 'Compare: iter'));
    });

    test('Export as MOT writes the run\'s tracks, every frame, as MOT 1.1 (gt.txt + labels.txt)', async () => {
      const [newer] = runNodes(await runsOfConfig('iter.episode.yaml', (n) => n.length === 2));
      const target = vscode.Uri.joinPath(folder(), 'exports', 'gt.txt');
      const files = (await vscode.commands.executeCommand('episodeLab.exportMot', newer, target)) as string[];
      assert.deepEqual(files, [target.fsPath, path.join(path.dirname(target.fsPath), 'labels.txt')]);
      assert.equal(readFileSync(files[1], 'utf8'), 'face\n');
      const rows = readFileSync(files[0], 'utf8').split('\n').filter(Boolean).map((l) => l.split(',').map(Number));
      assert.ok(rows.every((r) => r.length === 9 && r[6] === 1 && r[7] === 1), 'frame, id, box, considered, class 1, visible');
      assert.deepEqual([...new Set(rows.map((r) => r[1]))].sort((a, b) => a - b), runDirTracks(second.run_id!).sort((a, b) => a - b));
      // Interpolated: each track has a row on every frame from its first to its last.
      const spans = new Map<number, number[]>();
      for (const [frame, id] of rows) spans.set(id, [...(spans.get(id) ?? []), frame]);
      for (const frames of spans.values()) assert.equal(frames.length, Math.max(...frames) - Math.min(...frames) + 1);
    });

    test('Run Episode on a config with a sweep runs its grid and opens the Sweep page', async () => {
      const uri = file('iter-sweep.episode.yaml');
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(
        `ep_id: iter\nvideo: ${JSON.stringify(clipPath())}\noutput_root: episodes\nstride: 6\nsweep:\n  tracker.match_thresh: [0.6, 0.8]\n`));
      // The lens provider runs on open documents only.
      await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One });
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      assert.ok(lenses.some((l) => l.command?.title === '$(play) Run Sweep (2 runs)'), JSON.stringify(lenses.map((l) => l.command?.title)));
      const result = (await vscode.commands.executeCommand('episodeLab.run', uri)) as RunEpisodeResult;
      assert.equal(result.state, 'completed', result.error);
      assert.ok(result.sweep_id);
      await until('the Sweep tab', () => tabs().find((t) => t.label === 'Sweep: iter'));
      const nodes = await runsOfConfig('iter-sweep.episode.yaml', (n) => n[0]?.kind === 'sweep' && n[0].sweepId === result.sweep_id);
      const sweep = nodes[0] as Extract<RunsNode, { kind: 'sweep' }>;
      assert.deepEqual(sweep.runs.map((r) => [r.sweep?.values['tracker.match_thresh'], r.cache.analysis]), [[0.6, 'reused'], [0.8, 'reused']]);
      const m = (await vscode.commands.executeCommand('episodeLab.openSweep', sweep)) as SweepMessage;
      assert.deepEqual(m.keys, ['tracker.match_thresh']);
      assert.equal(m.runs.length, 2);
    });

    test('Clear Cache empties the episode\'s cache folder and says what it freed', async () => {
      const cacheDir = path.join(epDir(), 'cache');
      assert.ok(readdirSync(cacheDir).length > 0, 'the runs cached their analysis');
      const freed = (await vscode.commands.executeCommand('episodeLab.clearCache', file('iter.episode.yaml'), { confirmed: true })) as number;
      assert.ok(freed > 0, `${freed} bytes freed`);
      assert.ok(!existsSync(cacheDir) || readdirSync(cacheDir).length === 0);
      assert.ok(existsSync(path.join(epDir(), 'runs', first.run_id!, 'manifests', 'tracks.jsonl')), 'recorded runs stay');
    });
  });
});
