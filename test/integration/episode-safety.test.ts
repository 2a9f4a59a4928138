// What a run owns, through the built CLI on generated episodes: an ep_id can never reach outside
// its folder, two runs of one episode never mix (the second is refused), a run killed outright
// reads as interrupted and the next one cleans up after it, a closed stdout does not kill a run,
// and the analysis cache follows the video's content and the ffmpeg, not their paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { listRuns } from '../../server/engine/history';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
import { EpisodeLayout } from '../../server/engine/manifests/layout';
import { readRunSnapshot } from '../../extension/manifests';
import { runDescription } from '../../extension/run-format';
import { generateEpisode } from '../fixtures/episode-generator';
import { CLI, readManifest, runCli, type CliResult } from '../helpers/run-cli';

/** Races of two runs; SAFETY_ATTEMPTS=20 for the full repro. */
const ATTEMPTS = Number(process.env.SAFETY_ATTEMPTS ?? 3);
const episode = (seed = 1, durationS = 8) => generateEpisode({ width: 640, height: 360, fps: 24, durationS, seed });

/** Every file under `dir` (relative path → sha256), to show that nothing there changed. */
function treeHash(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** Every file of manifests/ is the one recorded under the metrics' run id (the same inode), and that run completed. */
function assertConsistent(epDir: string): string {
  const m = readManifest(epDir, 'track_metrics.json');
  const runDir = join(epDir, 'runs', m.run_id, 'manifests');
  const files = readdirSync(join(epDir, 'manifests'));
  assert.deepEqual(files.filter((f) => f.startsWith('.') || f.endsWith('.partial')), [], 'no temp or partial files');
  for (const f of files) assert.equal(statSync(join(epDir, 'manifests', f)).ino, statSync(join(runDir, f)).ino, `${f} belongs to run ${m.run_id}`);
  assert.equal(readManifest(epDir, 'progress.json').run_id, m.run_id);
  assert.equal(readManifest(epDir, 'progress.json').state, 'completed');
  return m.run_id;
}

test('ep_id `..`, `.` and `a/b` are refused in one line, and nothing around the output root changes', async () => {
  const ep = await episode();
  const root = mkdtempSync(join(tmpdir(), 'safety-epid-'));
  mkdirSync(join(root, 'crops'));
  writeFileSync(join(root, 'crops', 'keep.txt'), 'a user file');
  mkdirSync(join(root, 'sub'));
  const before = treeHash(root);
  for (const epId of ['..', '.', 'a/b']) {
    const r = await runCli(['--ep-id', epId, '--video', ep.video, '--output-root', join(root, 'sub'), '--save-crops']);
    assert.equal(r.code, 1, epId);
    assert.equal(r.stderr, `episode-run: Invalid episode config: \`ep_id\` ${JSON.stringify(epId)} is not allowed. Use letters, digits, '.', '_' and '-' only, not starting with '.', at most 128 characters.\n`);
  }
  assert.deepEqual(treeHash(root), before);
  assert.deepEqual(readdirSync(join(root, 'sub')), []);
});

test('two runs of one episode started together: one runs, the other is refused naming it, and manifests/ is all the winner\'s', async (t) => {
  const ep = await episode();
  const out = mkdtempSync(join(tmpdir(), 'safety-race-'));
  const epDir = join(out, 'race');
  // No cache: a replay (stride 6 from stride 3's analysis) would end before the other run started.
  const run = (stride: string) => runCli(['--ep-id', 'race', '--video', ep.video, '--output-root', out, '--stride', stride, '--no-cache', '--quiet']);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const results = await Promise.all([run('6'), run('3')]);
    const ok = results.filter((r) => r.code === 0);
    const refused = results.filter((r) => r.code === 1);
    assert.equal(ok.length, 1, `attempt ${attempt}: ${results.map((r) => `exit ${r.code} ${r.stderr}`).join('\n')}`);
    assert.equal(refused.length, 1);
    assert.match(refused[0].stderr, /^episode-run: episode race is busy: run \d{8}-\d{6}-[0-9a-f]{4} \(pid \d+ on .+, since .+\) holds it; wait for it to finish or cancel it \(lock: .*race\/episode\.lock\)\n$/);
    const runId = assertConsistent(epDir);
    assert.match(ok[0].stdout, new RegExp(`run +${runId}`));
    assert.equal(readManifest(epDir, 'track_metrics.json').stats.effective_stride, results[0].code === 0 ? 6 : 3);
  }
  const runs = await listRuns(EpisodeLayout.of(epDir));
  assert.equal(runs.length, ATTEMPTS, 'refused runs are not recorded');
  assert.ok(runs.every((r) => r.state === 'completed'));
  assert.ok(!existsSync(join(epDir, 'episode.lock')));
  t.diagnostic(`${ATTEMPTS} races: ${ATTEMPTS} consistent manifests/ folders, ${ATTEMPTS} refused, ${runs.length} completed runs recorded`);
});

test('kill -9 mid-run: the run reads as interrupted; the next run settles it, cleans up and succeeds', async () => {
  const ep = await episode(2, 12);
  const out = mkdtempSync(join(tmpdir(), 'safety-kill-'));
  const layout = new EpisodeLayout(out, 'k');
  let killedRun = '';
  const killed = await runCli(['--ep-id', 'k', '--video', ep.video, '--output-root', out, '--stride', '1', '--save-crops', '--no-cache', '--json'], {
    onLine: (line, kill) => {
      const e = JSON.parse(line);
      if (e.type === 'log' && /^run \S+:/.test(e.message)) killedRun = e.message.split(' ')[1].replace(':', '');
      if (e.type === 'progress' && e.frames_done >= 48) kill('SIGKILL');
    },
  });
  assert.equal(killed.code, null, 'killed by the signal');
  assert.ok(killedRun);
  assert.equal(readManifest(layout.dir, 'progress.json').state, 'running', 'it never wrote its end');
  // Readers tell it from a live run: its process is gone.
  assert.deepEqual((await listRuns(layout)).map((r) => [r.run_id, r.state]), [[killedRun, 'interrupted']]);
  assert.equal((await readRunSnapshot(layout)).state, 'interrupted');

  const next = await runCli(['--ep-id', 'k', '--video', ep.video, '--output-root', out, '--stride', '6', '--save-crops', '--no-cache']);
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stderr, new RegExp(`warning: took over the lock of run ${killedRun} \\(pid \\d+ on .+\\): that process is gone`));
  assert.match(next.stderr, new RegExp(`warning: run ${killedRun} was interrupted: .*kept in .*runs/${killedRun}/manifests`));
  const newRun = assertConsistent(layout.dir);
  const runs = await listRuns(layout);
  assert.deepEqual(runs.map((r) => [r.run_id, r.state]), [[killedRun, 'interrupted'], [newRun, 'completed']]);
  // The Runs view's row of the killed run (the view lists listRuns with these words).
  assert.equal(runDescription(runs[0]), 'interrupted: its process ended without finishing (killed?)');
  // What the killed run wrote is kept with it, marked; no temp file or folder is left anywhere.
  assert.equal(JSON.parse(readFileSync(layout.runManifest(killedRun, 'progress'), 'utf8')).state, 'interrupted');
  assert.ok(readdirSync(layout.runManifestsDir(killedRun)).some((f) => f.endsWith('.partial')));
  assert.equal((await readRunSnapshot(layout, undefined, killedRun)).state, 'interrupted');
  const leftovers = Object.keys(treeHash(layout.dir)).filter((f) => /(^|\/)\.|\.tmp$|\.stale|\.new$|episode\.lock/.test(f) || (f.startsWith('manifests/') && f.endsWith('.partial')));
  assert.deepEqual(leftovers, []);
});

test('a closed stdout does not kill a run: it finishes and writes its manifests', async () => {
  const ep = await episode();
  const out = mkdtempSync(join(tmpdir(), 'safety-epipe-'));
  // `episode-run --json | head -1`: the reader goes after the first line.
  const child = spawn(process.execPath, [CLI, '--ep-id', 'p', '--video', ep.video, '--output-root', out, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(code, 0, stderr);
  assert.equal(stderr, '');
  assertConsistent(join(out, 'p'));
});

/** Runs the CLI on a config in `project`, from a fresh cache key standpoint. */
const runIn = (project: string, ...flags: string[]): Promise<CliResult> =>
  runCli(['--config', join(project, 'e.episode.yaml'), '--json', '--no-gate', ...flags]);

const analysisOf = (r: CliResult) => r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.type === 'stage');

test('the project moved: a cached re-run replays the analysis and faces_embed decodes the video where it is now', async () => {
  const ep = await episode(3);
  const before = mkdtempSync(join(tmpdir(), 'safety-move-'));
  const project = join(before, 'project');
  mkdirSync(project);
  cpSync(ep.video, join(project, 'ep.mp4'), { preserveTimestamps: true });
  writeFileSync(join(project, 'e.episode.yaml'), 'ep_id: moved\nvideo: ep.mp4\noutput_root: out\n');
  const first = await runIn(project);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(analysisOf(first).status, 'computed');

  const moved = join(mkdtempSync(join(tmpdir(), 'safety-moved-')), 'project');
  renameSync(project, moved);
  const again = await runIn(moved, '--faces-embed');
  assert.equal(again.code, 0, again.stderr);
  assert.equal(analysisOf(again).status, 'reused');
  const m = readManifest(join(moved, 'out', 'moved'), 'track_metrics.json');
  assert.equal(m.video.path, join(moved, 'ep.mp4'));
  assert.ok(m.faces_embed.frames_decoded > 0 && m.faces_embed.embedded > 0, JSON.stringify(m.faces_embed));
});

test('a video replaced under the same path, or another ffmpeg, is analysed again', async () => {
  const project = mkdtempSync(join(tmpdir(), 'safety-content-'));
  const [a, b] = [await episode(4), await episode(5)];
  cpSync(a.video, join(project, 'ep.mp4'));
  writeFileSync(join(project, 'e.episode.yaml'), 'ep_id: c\nvideo: ep.mp4\noutput_root: out\n');
  assert.equal(analysisOf(await runIn(project)).status, 'computed');
  assert.equal(analysisOf(await runIn(project)).status, 'reused');
  cpSync(b.video, join(project, 'ep.mp4'));
  const replaced = await runIn(project);
  assert.deepEqual([analysisOf(replaced).status, analysisOf(replaced).reason], ['computed', 'not cached yet']);

  // A wrapper is another ffmpeg binary, even though it runs the same one.
  const wrapper = join(project, 'ffmpeg-wrapper');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${JSON.stringify(resolveFfmpeg().path)} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const other = await runIn(project, '--ffmpeg', wrapper);
  assert.equal(other.code, 0, other.stderr);
  assert.equal(analysisOf(other).status, 'computed');
  assert.equal(analysisOf(await runIn(project, '--ffmpeg', wrapper)).status, 'reused');
});
