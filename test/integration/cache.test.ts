// The stage cache through the real CLI on generated episodes: a tracker-only change replays the
// analysis stage with no ffmpeg process and tracks equal to a --no-cache run; every key part
// invalidates; a killed run and a truncated entry are recovered from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
import { generateEpisode } from '../fixtures/episode-generator';
import { readJsonl, readManifest, runCli } from '../helpers/run-cli';

const EPISODE = { width: 640, height: 360, fps: 24, durationS: 20, seed: 1 };
const SWAP = { width: 640, height: 360, fps: 24, seed: 4, preset: 'swap' as const };

/** An ffmpeg that logs each invocation to a file, then runs the real one. */
function loggingFfmpeg(): { path: string; calls: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'ffmpeg-log-'));
  const log = join(dir, 'calls.log');
  const path = join(dir, 'ffmpeg');
  writeFileSync(path, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${resolveFfmpeg().path}' "$@"\n`);
  chmodSync(path, 0o755);
  return { path, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []) };
}

/** One run; returns its output folder, the analysis stage's status and the events. */
async function run(video: string, root: string, extra: string[] = []) {
  const r = await runCli(['--ep-id', 'c', '--video', video, '--output-root', root, '--json', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  const events = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const out = join(root, 'c');
  const metrics = readManifest(out, 'track_metrics.json');
  const stage = events.find((e) => e.type === 'stage');
  assert.equal(stage.status, metrics.cache.analysis, 'the event and the metrics agree');
  return { out, status: metrics.cache.analysis as string, metrics, events, tracks: readJsonl(out, 'tracks.jsonl') };
}

const root = () => mkdtempSync(join(tmpdir(), 'ep-cache-'));

test('a match_thresh change replays the cached analysis: no ffmpeg process, tracks equal to a --no-cache run (gate splits included)', async () => {
  for (const opts of [EPISODE, SWAP]) {
    const ep = await generateEpisode(opts);
    const ff = loggingFfmpeg();
    const r = root();
    const first = await run(ep.video, r, ['--ffmpeg', ff.path]);
    assert.equal(first.status, 'computed');
    assert.ok(ff.calls().length >= 2, 'the first run probes and decodes');
    const before = ff.calls().length;

    const cached = await run(ep.video, r, ['--ffmpeg', ff.path, '--match-thresh', '0.6']);
    assert.equal(cached.status, 'reused');
    assert.deepEqual(ff.calls().slice(before), [], 'no ffmpeg process on the cached re-run');
    assert.ok(cached.events.some((e) => e.type === 'log' && /analysis reused/.test(e.message)));

    const live = await run(ep.video, root(), ['--match-thresh', '0.6', '--no-cache']);
    assert.equal(live.status, 'off');
    assert.deepEqual(cached.tracks, live.tracks);
    assert.deepEqual(readJsonl(cached.out, 'detections.jsonl'), readJsonl(live.out, 'detections.jsonl'));
    assert.deepEqual(readManifest(cached.out, 'scene_cuts.json'), readManifest(live.out, 'scene_cuts.json'));
    for (const k of ['tracks_written', 'id_switches', 'forced_splits', 'splits_by_reason', 'scene_cuts']) assert.deepEqual(cached.metrics[k], live.metrics[k], k);
    if (opts === SWAP) assert.ok(cached.metrics.forced_splits >= 1, 'the swap episode exercises the gate');
    assert.equal(cached.metrics.stats.frames_decoded, live.metrics.stats.frames_decoded);
    // A replay neither decodes nor detects: its engine thread only tracks.
    assert.deepEqual(Object.keys(cached.metrics.stats.engine_thread_s), ['tracking']);
    assert.deepEqual(Object.keys(live.metrics.stats.engine_thread_s).sort(), ['detection', 'scenes', 'tracking', 'waiting_for_frames']);
    assert.ok(cached.metrics.cache.size_bytes > 0);
    assert.equal(readdirSync(join(r, 'c', 'runs')).length, 2, 'both runs kept in the history');
  }
});

test('invalidation: the video file, the detector model, conf_threshold and stride each recompute the analysis', async () => {
  const ep = await generateEpisode(EPISODE);
  const dir = mkdtempSync(join(tmpdir(), 'ep-inv-'));
  const video = join(dir, 'episode.mp4');
  copyFileSync(ep.video, video);
  const r = root();
  assert.equal((await run(video, r)).status, 'computed');
  assert.equal((await run(video, r, ['--track-buffer', '30'])).status, 'reused');

  utimesSync(video, new Date(), new Date(Date.now() + 60_000));
  assert.equal((await run(video, r)).status, 'computed', 'touched video');
  copyFileSync((await generateEpisode({ ...EPISODE, seed: 2, durationS: 10 })).video, video);
  assert.equal((await run(video, r)).status, 'computed', 'replaced video');

  // Another serialisation of the same network: an unknown protobuf field (number 1000) appended.
  const model = join(dir, 'detector.onnx');
  writeFileSync(model, Buffer.concat([readFileSync(join(__dirname, '../../models/fr_detect.onnx')), Buffer.from([0xc0, 0x3e, 0x01])]));
  const other = await run(video, r, ['--det-model', model]);
  assert.equal(other.status, 'computed', 'detector model with another sha256');
  assert.equal((await run(video, r, ['--det-thresh', '0.4'])).status, 'computed', 'conf_threshold');
  assert.equal((await run(video, r, ['--stride', '4'])).status, 'computed', 'stride');
  assert.equal((await run(video, r, ['--stride', '4', '--match-thresh', '0.7'])).status, 'reused');
  const entries = readdirSync(join(r, 'c', 'cache')).filter((n) => n.startsWith('analysis-'));
  assert.equal(entries.length, 4, 'cache.max_entries (4) bounds the entries');
});

test('SIGKILL during the analysis stage leaves no entry that looks complete; the re-run computes it correctly', async () => {
  const ep = await generateEpisode(EPISODE);
  const r = root();
  let killed = false;
  await runCli(['--ep-id', 'c', '--video', ep.video, '--output-root', r, '--json'], {
    onLine: (line, kill) => {
      const e = JSON.parse(line);
      if (!killed && e.type === 'progress' && e.frames_done > 100) {
        killed = true;
        kill('SIGKILL');
      }
    },
  });
  assert.ok(killed, 'killed mid-run');
  const cacheDir = join(r, 'c', 'cache');
  assert.deepEqual(readdirSync(cacheDir).filter((n) => !n.startsWith('.tmp-')), [], 'only a temp folder is left');

  const again = await run(ep.video, r);
  assert.equal(again.status, 'computed');
  assert.deepEqual(readdirSync(cacheDir).filter((n) => n.startsWith('.tmp-')), [], 'the dead run\'s temp folder is gone');
  const reference = await run(ep.video, root(), ['--no-cache']);
  assert.deepEqual(again.tracks, reference.tracks);
  assert.equal((await run(ep.video, r)).status, 'reused');
});

test('a truncated cache file is detected, warned about and recomputed', async () => {
  const ep = await generateEpisode(SWAP);
  const r = root();
  const first = await run(ep.video, r);
  const entry = join(r, 'c', 'cache', readdirSync(join(r, 'c', 'cache'))[0]);
  for (const file of ['embeddings.f32', 'rows.jsonl']) {
    const size = readFileSync(join(entry, file)).length;
    truncateSync(join(entry, file), Math.floor(size / 2));
    const again = await run(ep.video, r);
    assert.equal(again.status, 'computed', file);
    const warning = again.events.find((e) => e.type === 'log' && e.level === 'warn');
    assert.match(warning?.message ?? '', new RegExp(`corrupt \\(${file.replace('.', '\\.')} is \\d+ bytes, expected \\d+\\)`));
    assert.deepEqual(again.tracks, first.tracks);
    assert.equal((await run(ep.video, r)).status, 'reused', 'the recomputed entry is whole');
  }
});
