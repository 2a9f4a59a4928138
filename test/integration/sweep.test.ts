// `episode-run --sweep` headless: one analysis pass at most, one run per grid point in the
// history, sweep.csv written, and the grid over a cached episode within 3× one cached re-run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRuns } from '../../server/engine/history';
import { EpisodeLayout } from '../../server/engine/manifests/layout';
import { generateEpisode } from '../fixtures/episode-generator';
import { readJsonl, runCli } from '../helpers/run-cli';

test('a 3-value sweep replays one analysis pass, records 3 runs and a CSV, in ≤3× one cached re-run', async () => {
  const ep = await generateEpisode({ width: 640, height: 360, fps: 24, durationS: 20, seed: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'ep-sweep-'));
  const config = join(dir, 'c.episode.yaml');
  writeFileSync(config, `ep_id: sw\nvideo: ${ep.video}\noutput_root: out\nsweep:\n  tracker.match_thresh: [0.6, 0.7, 0.8]\n`);
  const cli = async (...extra: string[]) => {
    const t0 = performance.now();
    const r = await runCli(['--config', config, '--quiet', ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return { ...r, wall: (performance.now() - t0) / 1000 };
  };
  const epDir = join(dir, 'out', 'sw');

  const first = await cli('--sweep');
  assert.match(first.stdout, /sweep: 3 runs/);
  let runs = await listRuns(EpisodeLayout.of(epDir));
  assert.deepEqual(runs.map((r) => r.cache.analysis), ['computed', 'reused', 'reused'], 'one analysis pass at most');
  assert.deepEqual(runs.map((r) => r.sweep?.values['tracker.match_thresh']), [0.6, 0.7, 0.8]);

  const rerun = await cli('--match-thresh', '0.75');
  const sweep = await cli('--sweep');
  console.log(`# one cached re-run ${rerun.wall.toFixed(2)} s, 3-point sweep ${sweep.wall.toFixed(2)} s (process wall)`);
  assert.ok(sweep.wall <= 3 * rerun.wall, `sweep ${sweep.wall} s vs re-run ${rerun.wall} s`);

  runs = await listRuns(EpisodeLayout.of(epDir));
  const last = runs.slice(-3);
  assert.ok(last.every((r) => r.cache.analysis === 'reused' && r.sweep?.id === last[0].sweep?.id));
  const csv = readFileSync(join(epDir, 'sweep.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 4);
  assert.match(csv[0], /^run_id,tracker\.match_thresh,tracks,id_switches,forced_splits,cuts,mean_track_length_s,tracks_per_minute,wall_time_s,realtime_factor,speed,standalone_s,speed_source,analysis,HOTA,IDF1,MOTA,cut_precision,cut_recall$/);
  assert.deepEqual(csv.slice(1).map((l) => l.split(',')[1]), ['0.6', '0.7', '0.8']);
  assert.deepEqual(csv.slice(1).map((l) => l.split(',')[0]), last.map((r) => r.run_id));
  // The latest manifests are the last point's.
  assert.deepEqual(readJsonl(epDir, 'tracks.jsonl'), readJsonl(join(epDir, 'runs', last[2].run_id), 'tracks.jsonl'));
});

test('--sweep without a sweep section, and --run-id with a bad name, fail with one clear line', async () => {
  const ep = await generateEpisode({ width: 640, height: 360, fps: 24, durationS: 20, seed: 1 });
  const out = mkdtempSync(join(tmpdir(), 'ep-sweep-'));
  const none = await runCli(['--ep-id', 'x', '--video', ep.video, '--output-root', out, '--sweep', '--quiet']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /--sweep needs a `sweep:` section/);
  const bad = await runCli(['--ep-id', 'x', '--video', ep.video, '--output-root', out, '--run-id', '..']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--run-id "\.\." is not allowed: use letters, digits/);
  const lone = await runCli(['--ep-id', 'x', '--video', ep.video, '--output-root', out, '--objective', 'hota']);
  assert.equal(lone.code, 1);
  assert.match(lone.stderr, /--objective picks the best point of a sweep: use it with --sweep\./);
});
