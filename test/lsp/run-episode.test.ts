// episodeLab.runEpisode over the protocol, on the real Tears of Steel clip: work-done progress,
// run events, manifests, cancel, one run per ep_id, and refusal of a config with errors; and on a
// synthetic episode, a config's sweep grid run over its cached analysis.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { listRuns } from '../../server/engine/history';
import { EpisodeLayout } from '../../server/engine/manifests/layout';
import { generateEpisode } from '../fixtures/episode-generator';
import { LspClient, TOS_CLIP } from './lsp-client';

const skip = existsSync(TOS_CLIP) ? false : `needs ${TOS_CLIP} (the shared data folder is absent)`;
const ws = mkdtempSync(path.join(tmpdir(), 'lsp-run-'));
let client: LspClient;

before(async () => {
  client = new LspClient();
  await client.initialize(ws);
});
after(async () => {
  await client.close();
  rmSync(ws, { recursive: true, force: true });
});

function writeConfig(name: string, lines: string[]): string {
  const file = path.join(ws, name);
  writeFileSync(file, [...lines, ''].join('\n'));
  return pathToFileURL(file).href;
}

const runEpisode = (uri: string) =>
  client.request('workspace/executeCommand', { command: 'episodeLab.runEpisode', arguments: [uri] });

/** The $/progress values of the token the server created for its run, in order. */
function progressOf(token: unknown): any[] {
  return client.notifications.filter((n) => n.method === '$/progress' && n.params.token === token).map((n) => n.params.value);
}

/** The token of the newest window/workDoneProgress/create the server sent. */
async function newestProgressToken(count: number): Promise<unknown> {
  while (client.serverRequests.filter((r) => r.method === 'window/workDoneProgress/create').length < count) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return client.serverRequests.filter((r) => r.method === 'window/workDoneProgress/create')[count - 1].params.token;
}

test('runEpisode on the TOS clip reports progress and writes manifests', { skip }, async () => {
  const uri = writeConfig('tos.episode.yaml', ['ep_id: tos-run', `video: ${TOS_CLIP}`, 'output_root: out']);
  const result = await runEpisode(uri);
  assert.equal(result.state, 'completed', result.error);
  assert.equal(result.exit_code, 0);

  const values = progressOf(await newestProgressToken(1));
  assert.equal(values[0].kind, 'begin');
  assert.equal(values[0].title, 'Episode tos-run');
  assert.equal(values[0].cancellable, true);
  assert.equal(values.at(-1).kind, 'end');
  const reports = values.filter((v) => v.kind === 'report');
  assert.ok(reports.some((r) => typeof r.percentage === 'number' && /detecting and tracking · \d+ fps · ETA \d+:\d\d/.test(r.message)),
    JSON.stringify(reports));
  assert.equal(reports.filter((r) => r.percentage !== undefined).at(-1).percentage, 100);

  const events = client.notifications.filter((n) => n.method === 'episodeLab/runEvent' && n.params.ep_id === 'tos-run');
  assert.ok(events.every((n) => n.params.uri === uri));
  assert.deepEqual(events.filter((n) => n.params.event.type === 'cut').map((n) => n.params.event.frame_idx), [21, 65, 185]);
  assert.deepEqual(events.at(-1)!.params.event, { type: 'exit', ep_id: 'tos-run', state: 'completed', exit_code: 0 });

  const manifests = path.join(ws, 'out/tos-run/manifests');
  for (const f of ['detections.jsonl', 'tracks.jsonl', 'track_metrics.json', 'scene_cuts.json']) {
    assert.ok(existsSync(path.join(manifests, f)), f);
  }
  assert.equal(JSON.parse(readFileSync(path.join(manifests, 'progress.json'), 'utf8')).state, 'completed');
});

test('cancelling mid-run stops the engine with state cancelled; a second run of the ep_id is refused', { skip }, async () => {
  const uri = writeConfig('cancel.episode.yaml', [
    'ep_id: tos-cancel', `video: ${TOS_CLIP}`, 'output_root: out', 'stride: 1', 'export:', '  crops: true', '  frames: true',
  ]);
  const since = client.notifications.length;
  const run = runEpisode(uri);
  const token = await newestProgressToken(2);
  await client.waitFor('episodeLab/runEvent', (p) => p.ep_id === 'tos-cancel' && p.event.type === 'progress' && p.event.frames_done > 0, 30_000, since);

  await assert.rejects(runEpisode(uri), (e: any) => e.code === 1002 && /tos-cancel is already running/.test(e.message));

  client.notify('window/workDoneProgress/cancel', { token });
  const result = await run;
  assert.equal(result.state, 'cancelled');
  assert.equal(result.exit_code, 130);
  assert.equal(progressOf(token).at(-1).kind, 'end');
  const progress = JSON.parse(readFileSync(path.join(ws, 'out/tos-cancel/manifests/progress.json'), 'utf8'));
  assert.equal(progress.state, 'cancelled');
  assert.ok(progress.last_event.frames_done < 240, 'it stopped before the end');
});

test('a config with errors is refused with its diagnostics', async () => {
  const uri = writeConfig('bad.episode.yaml', ['ep_id: bad', 'video: nowhere.mp4', 'stride: 0']);
  await assert.rejects(runEpisode(uri), (e: any) => {
    assert.equal(e.code, 1001);
    assert.match(e.message, /bad\.episode\.yaml has 2 errors/);
    assert.deepEqual(e.data.diagnostics.map((d: any) => d.code).sort(), ['range', 'video']);
    return true;
  });
  assert.ok(!existsSync(path.join(ws, 'out/bad')), 'nothing ran');
});

test('an engine failure ends the run as failed with its message, and the server keeps serving', { skip }, async () => {
  const notModel = path.join(ws, 'not-a-model.onnx');
  writeFileSync(notModel, 'not onnx');
  const uri = writeConfig('fail.episode.yaml', ['ep_id: tos-fail', `video: ${TOS_CLIP}`, 'output_root: out', `detector: {model: ${notModel}}`]);
  const result = await runEpisode(uri);
  assert.equal(result.state, 'failed');
  assert.equal(result.exit_code, 1);
  assert.ok(result.error && result.error.length > 0);
  const exit = await client.waitFor('episodeLab/runEvent', (p) => p.ep_id === 'tos-fail' && p.event.type === 'exit');
  assert.equal(exit.event.state, 'failed');
  assert.ok(client.alive);
  const diags = await client.open(pathToFileURL(path.join(ws, 'after.episode.yaml')).href, 'ep_id: after\n');
  assert.deepEqual(diags.map((d: any) => d.code), ['required']);
});

test('a config with a 3-point sweep runs 3 runs over the cached episode, with point i/N progress and the sweep id', async () => {
  const ep = await generateEpisode({ width: 640, height: 360, fps: 24, durationS: 20, seed: 1 });
  const base = ['ep_id: sw', `video: ${ep.video}`, 'output_root: out'];
  const epDir = path.join(ws, 'out', 'sw');

  // A plain run first: it computes the analysis stage and is recorded like any other.
  const plain = await runEpisode(writeConfig('plain.episode.yaml', base));
  assert.equal(plain.state, 'completed', plain.error);
  assert.equal(plain.sweep_id, undefined);
  assert.deepEqual((await listRuns(EpisodeLayout.of(epDir))).map((r) => [r.run_id, r.cache.analysis]), [[plain.run_id, 'computed']]);

  const uri = writeConfig('sweep.episode.yaml', [...base, 'sweep:', '  tracker.match_thresh: [0.6, 0.7, 0.8]']);
  const since = client.notifications.length;
  const tokens = client.serverRequests.filter((r) => r.method === 'window/workDoneProgress/create').length;
  const result = await runEpisode(uri);
  assert.equal(result.state, 'completed', result.error);
  assert.equal(result.exit_code, 0);
  assert.match(result.sweep_id, /^\d{8}-\d{6}-[0-9a-f]{4}$/);

  const runs = (await listRuns(EpisodeLayout.of(epDir))).slice(1);
  assert.equal(runs.length, 3);
  assert.ok(runs.every((r) => r.sweep?.id === result.sweep_id && r.cache.analysis === 'reused'), JSON.stringify(runs));
  assert.deepEqual(runs.map((r) => r.sweep?.values['tracker.match_thresh']), [0.6, 0.7, 0.8]);
  assert.equal(result.run_id, runs[2].run_id, 'run_id is the last point');

  const values = progressOf(await newestProgressToken(tokens + 1));
  assert.equal(values[0].kind, 'begin');
  assert.equal(values[0].title, 'Episode sw: sweep of 3');
  assert.equal(values.at(-1).kind, 'end');
  const reports = values.filter((v) => v.kind === 'report');
  for (const i of [1, 2, 3]) assert.ok(reports.some((r) => r.message?.startsWith(`point ${i}/3 · `)), `point ${i}/3 in ${JSON.stringify(reports)}`);
  const pcts = reports.map((r) => r.percentage).filter((p): p is number => typeof p === 'number');
  assert.deepEqual(pcts, [...pcts].sort((a, b) => a - b), 'the bar only moves forward over the grid');
  // Each point ends at its share of the bar: 33, 66, then 100.
  assert.ok([33, 66, 100].every((p) => pcts.includes(p)), `spread over the points: ${pcts.join(',')}`);

  const events = client.notifications.slice(since).filter((n) => n.method === 'episodeLab/runEvent').map((n) => n.params.event);
  assert.deepEqual(events.filter((e) => e.type === 'summary').map((e) => e.run_id), runs.map((r) => r.run_id));
  assert.deepEqual(events.at(-1), { type: 'exit', ep_id: 'sw', state: 'completed', exit_code: 0 });
});
