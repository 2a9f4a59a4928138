// episodeLab.runEpisode on a config with a `sweep:` section, over the protocol: the server runs the
// grid (`episode-run --sweep`), reports "point i/N" progress over the whole grid, and answers with
// the sweep's id; every point replays the episode's cached analysis.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { listRuns } from '../../server/engine/history';
import { generateEpisode } from '../fixtures/episode-generator';
import { LspClient } from './lsp-client';

const ws = mkdtempSync(path.join(tmpdir(), 'lsp-sweep-'));
let client: LspClient;

before(async () => {
  client = new LspClient();
  await client.initialize(ws);
});
after(async () => {
  await client.close();
  rmSync(ws, { recursive: true, force: true });
});

const runEpisode = (uri: string) =>
  client.request('workspace/executeCommand', { command: 'episodeLab.runEpisode', arguments: [uri] });

function writeConfig(name: string, lines: string[]): string {
  const file = path.join(ws, name);
  writeFileSync(file, [...lines, ''].join('\n'));
  return pathToFileURL(file).href;
}

/** The $/progress values of the newest work-done token the server created. */
function newestProgress(): any[] {
  const token = client.serverRequests.filter((r) => r.method === 'window/workDoneProgress/create').at(-1)!.params.token;
  return client.notifications.filter((n) => n.method === '$/progress' && n.params.token === token).map((n) => n.params.value);
}

test('a config with a 3-point sweep runs 3 runs over the cached episode, with point i/N progress and the sweep id', async () => {
  const ep = await generateEpisode({ width: 640, height: 360, fps: 24, durationS: 20, seed: 1 });
  const base = ['ep_id: sw', `video: ${ep.video}`, 'output_root: out'];
  const epDir = path.join(ws, 'out', 'sw');

  // A plain run first: it computes the analysis stage and is recorded like any other.
  const plain = await runEpisode(writeConfig('plain.episode.yaml', base));
  assert.equal(plain.state, 'completed', plain.error);
  assert.equal(plain.sweep_id, undefined);
  assert.deepEqual((await listRuns(epDir)).map((r) => [r.run_id, r.cache.analysis]), [[plain.run_id, 'computed']]);

  const uri = writeConfig('sweep.episode.yaml', [...base, 'sweep:', '  tracker.match_thresh: [0.6, 0.7, 0.8]']);
  const since = client.notifications.length;
  const result = await runEpisode(uri);
  assert.equal(result.state, 'completed', result.error);
  assert.equal(result.exit_code, 0);
  assert.match(result.sweep_id, /^\d{8}-\d{6}-[0-9a-f]{4}$/);

  const runs = (await listRuns(epDir)).slice(1);
  assert.equal(runs.length, 3);
  assert.ok(runs.every((r) => r.sweep?.id === result.sweep_id && r.cache.analysis === 'reused'), JSON.stringify(runs));
  assert.deepEqual(runs.map((r) => r.sweep?.values['tracker.match_thresh']), [0.6, 0.7, 0.8]);
  assert.equal(result.run_id, runs[2].run_id, 'run_id is the last point');

  const values = newestProgress();
  assert.equal(values[0].kind, 'begin');
  assert.equal(values[0].title, 'Episode sw: sweep of 3');
  assert.equal(values.at(-1).kind, 'end');
  const reports = values.filter((v) => v.kind === 'report');
  for (const i of [1, 2, 3]) assert.ok(reports.some((r) => r.message?.startsWith(`point ${i}/3 · `)), `point ${i}/3 in ${JSON.stringify(reports)}`);
  const pcts = reports.map((r) => r.percentage).filter((p): p is number => typeof p === 'number');
  assert.deepEqual(pcts, [...pcts].sort((a, b) => a - b), 'the bar only moves forward over the grid');
  assert.equal(pcts.at(-1), 100);
  // Each point ends at its share of the bar: 33, 66, then 100.
  assert.ok([33, 66].every((p) => pcts.includes(p)), `spread over the points: ${pcts.join(',')}`);

  const events = client.notifications.slice(since).filter((n) => n.method === 'episodeLab/runEvent').map((n) => n.params.event);
  assert.deepEqual(events.filter((e) => e.type === 'summary').map((e) => e.run_id), runs.map((r) => r.run_id));
  assert.deepEqual(events.at(-1), { type: 'exit', ep_id: 'sw', state: 'completed', exit_code: 0 });
});
