// The editor's runs and the episode lock, over the protocol with the real server and engine: a
// run from the editor and one from a terminal on the same episode never both run (either way
// round, the second is refused naming the first), and when the server goes away mid-run, by a
// clean shutdown or killed outright, the engine cancels cleanly instead of running on unseen.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { listRuns } from '../../server/engine/history';
import { EpisodeLayout } from '../../server/engine/manifests/layout';
import { generateEpisode } from '../fixtures/episode-generator';
import { runCli } from '../helpers/run-cli';
import { LspClient } from './lsp-client';

/** Races each way round; SAFETY_ATTEMPTS=20 for the full repro. */
const ATTEMPTS = Number(process.env.SAFETY_ATTEMPTS ?? 1);

async function workspace(epId: string, extra: string[] = []): Promise<{ ws: string; uri: string; layout: EpisodeLayout; video: string }> {
  const ep = await generateEpisode({ width: 640, height: 360, fps: 24, durationS: 10, seed: 7 });
  const ws = mkdtempSync(path.join(tmpdir(), 'lsp-safety-'));
  const file = path.join(ws, `${epId}.episode.yaml`);
  writeFileSync(file, [`ep_id: ${epId}`, `video: ${ep.video}`, 'output_root: out', ...extra, ''].join('\n'));
  return { ws, uri: pathToFileURL(file).href, layout: new EpisodeLayout(path.join(ws, 'out'), epId), video: ep.video };
}

async function server(ws: string): Promise<LspClient> {
  const client = new LspClient();
  await client.initialize(ws);
  return client;
}

const runEpisode = (client: LspClient, uri: string) =>
  client.request('workspace/executeCommand', { command: 'episodeLab.runEpisode', arguments: [uri] });

const waitUntil = async (what: string, ok: () => boolean, timeoutMs = 60_000) => {
  for (const t0 = Date.now(); !ok();) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

/** Gone, or a zombie (its parent, the server, is gone too, and nobody may reap it here). */
function exited(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** manifests/ holds one run's files only: each is the file recorded under the metrics' run id. */
function assertConsistent(layout: EpisodeLayout): string {
  const runId = readJson(layout.manifest('metrics')).run_id;
  for (const f of readdirSync(layout.manifestsDir)) {
    assert.equal(statSync(path.join(layout.manifestsDir, f)).ino, statSync(path.join(layout.runManifestsDir(runId), f)).ino, f);
  }
  return runId;
}

test('editor and terminal on one episode: whichever starts second is refused, naming the first', async (t) => {
  // No cache: a replay would end before the other side started.
  const { ws, uri, layout, video } = await workspace('both', ['stride: 2', 'cache: {enabled: false}']);
  const cliArgs = ['--ep-id', 'both', '--video', video, '--output-root', layout.outputRoot, '--stride', '2', '--no-cache'];
  const client = await server(ws);
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      // The editor first: the terminal run is refused.
      const since = client.notifications.length;
      const editor = runEpisode(client, uri);
      await client.waitFor('episodeLab/runEvent', (p) => p.event.type === 'phase' && p.event.phase === 'detect_track', 30_000, since);
      const cli = await runCli([...cliArgs, '--quiet']);
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /^episode-run: episode both is busy: run \S+ \(pid \d+ on .+\) holds it; wait for it to finish or cancel it/);
      assert.equal((await editor).state, 'completed');
      assertConsistent(layout);

      // The terminal first: the editor's run is refused with the "already running" code and the holder.
      let started!: () => void;
      const running = new Promise<void>((r) => (started = r));
      const terminal = runCli([...cliArgs, '--json'], {
        onLine: (line) => JSON.parse(line).phase === 'detect_track' && started(),
      });
      await running;
      await assert.rejects(runEpisode(client, uri), (e: any) => {
        assert.equal(e.code, 1002);
        assert.match(e.message, /^episode both is busy: run \S+ \(pid \d+ on .+\) holds it; wait for it to finish or cancel it/);
        return true;
      });
      assert.equal((await terminal).code, 0);
      assertConsistent(layout);
    }
    const runs = await listRuns(layout);
    assert.equal(runs.length, 2 * ATTEMPTS);
    assert.ok(runs.every((r) => r.state === 'completed'), JSON.stringify(runs.map((r) => r.state)));
    t.diagnostic(`${ATTEMPTS} races each way round: ${2 * ATTEMPTS} consistent manifests/ folders, ${2 * ATTEMPTS} refused, ${runs.length} completed runs recorded`);
  } finally {
    await client.close();
  }
});

for (const how of ['shuts down', 'is killed'] as const) {
  test(`when the language server ${how} mid-run, the engine cancels cleanly: manifests written, state cancelled`, async () => {
    const { ws, uri, layout } = await workspace(`gone-${how === 'shuts down' ? 'a' : 'b'}`, ['stride: 1', 'cache: {enabled: false}']);
    const client = await server(ws);
    const run = runEpisode(client, uri).catch(() => undefined);
    await client.waitFor('episodeLab/runEvent', (p) => p.event.type === 'progress' && p.event.frames_done > 24, 60_000);
    const engine = readJson(path.join(layout.lockDir, 'owner.json')).pid as number;
    if (how === 'is killed') client.proc.kill('SIGKILL');
    else await client.close();
    await run;
    await waitUntil('the engine to exit', () => !existsSync(layout.lockDir) && exited(engine));
    assert.equal(readJson(layout.manifest('progress')).state, 'cancelled');
    const metrics = readJson(layout.manifest('metrics'));
    assert.equal(metrics.state, 'cancelled');
    assert.ok(metrics.stats.frames_decoded < 240, `stopped early (${metrics.stats.frames_decoded} frames)`);
    assert.equal(assertConsistent(layout), metrics.run_id);
    assert.deepEqual((await listRuns(layout)).map((r) => r.state), ['cancelled']);
  });
}
