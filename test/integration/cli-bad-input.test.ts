// Bad input gets exit code 1 and exactly one clear line on stderr, through the installed bin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sharedClip } from '../helpers/shared-data';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';

const BIN = resolve(__dirname, '../../bin/episode-run.js');
const dir = mkdtempSync(join(tmpdir(), 'ep-bad-'));
const tos = sharedClip('clip_01_tears_of_steel.mp4');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args, '--output-root', join(dir, 'out')], { encoding: 'utf8' });
  return { code: r.status, lines: r.stderr.trim().split('\n').filter(Boolean), stdout: r.stdout };
}

function expectOneLine(args: string[], pattern: RegExp): void {
  const r = run(args);
  assert.equal(r.code, 1, `exit code for ${args.join(' ')}`);
  assert.equal(r.lines.length, 1, `one line, got:\n${r.lines.join('\n')}`);
  assert.match(r.lines[0], pattern);
}

test('--help prints usage and exits 0', () => {
  const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^Usage: episode-run --config/);
});

test('a missing video', () => {
  expectOneLine(['--ep-id', 'x', '--video', join(dir, 'nope.mp4')], /^episode-run: Video file not found: .*nope\.mp4$/);
});

test('a zero-byte video', () => {
  const f = join(dir, 'zero.mp4');
  writeFileSync(f, '');
  expectOneLine(['--ep-id', 'x', '--video', f], /zero\.mp4 is empty \(0 bytes\)/);
});

test('a text file named .mp4', () => {
  const f = join(dir, 'text.mp4');
  writeFileSync(f, 'this is not a video\n'.repeat(50));
  expectOneLine(['--ep-id', 'x', '--video', f], /text\.mp4 is not a video file \(ffmpeg: .+\)/);
});

test('a truncated video: the frames before the damage are processed, then exit 1 with one line', { skip: tos.skip }, () => {
  // With the index (moov) in front, a cut-off file still decodes up to the cut.
  const ffmpeg = resolveFfmpeg().path;
  const faststart = join(dir, 'faststart.mp4');
  spawnSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-i', tos.path, '-c', 'copy', '-movflags', '+faststart', faststart]);
  const truncated = join(dir, 'truncated.mp4');
  const bytes = readFileSync(faststart);
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.4)));
  expectOneLine(['--ep-id', 'tr', '--video', truncated], /truncated\.mp4 may be damaged: decoded \d+ of ~240 frames.*the frames before the damage were processed/);
  const metrics = JSON.parse(readFileSync(join(dir, 'out', 'tr', 'manifests', 'track_metrics.json'), 'utf8'));
  assert.ok(metrics.stats.frames_decoded > 24 && metrics.stats.frames_decoded < 240, `${metrics.stats.frames_decoded} frames`);
  assert.ok(readFileSync(join(dir, 'out', 'tr', 'manifests', 'tracks.jsonl'), 'utf8').trim().length > 0, 'tracks from before the damage');

  // With the index at the end (ffmpeg's default), the cut-off file has none: it fails at probe.
  const tail = join(dir, 'no-index.mp4');
  writeFileSync(tail, readFileSync(tos.path).subarray(0, 300_000));
  expectOneLine(['--ep-id', 'x', '--video', tail], /no-index\.mp4 is not a video file \(ffmpeg: .+\)/);
});

test('a detector model path that does not exist', { skip: tos.skip }, () => {
  expectOneLine(['--ep-id', 'x', '--video', tos.path, '--det-model', join(dir, 'missing.onnx')], /Detector model not found: .*missing\.onnx/);
});

test('a wrong model names the expected input shape', { skip: tos.skip }, () => {
  const feature = resolve(__dirname, '../../models/fr_feature.onnx');
  expectOneLine(['--ep-id', 'x', '--video', tos.path, '--det-model', feature], /expected input 'input' \[1,3,240,320\]/);
});

test('a malformed config and a bad flag', () => {
  const cfg = join(dir, 'bad.episode.yaml');
  writeFileSync(cfg, 'ep_id: x\nvideo: [a\n');
  expectOneLine(['--config', cfg], /bad\.episode\.yaml:\d+:\d+: YAML syntax error/);
  expectOneLine(['--ep-id', 'x', '--video', 'v.mp4', '--stride', 'often'], /`stride` must be a whole number/);
});
