import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveConfig, parseConfigYaml, ConfigError } from '../../server/config/episode-config';
import { validateAgainstSchema } from '../../server/config/validate';
import { episodeConfigSchema } from '../../server/config/schema';
import { parseCli } from '../../server/cli/args';
import { planRun } from '../../server/engine/run-plan';
import { semanticFindings } from '../../server/config/semantic-checks';
import type { VideoInfo } from '../../server/engine/types';

const video: VideoInfo = {
  path: '/v.mp4', width: 1920, height: 1080, rotation: 0, fps: 24, durationS: 60, startPtsS: 0, framesEstimate: 1440, constantRate: true, codec: 'h264',
  pixFmt: 'yuv420p', color: { matrix: 'bt709', range: 'limited' },
};

test('defaults fill every section', () => {
  const cfg = resolveConfig({ ep_id: 'E1', video: 'v.mp4' });
  assert.equal(cfg.stride, 6);
  assert.equal(cfg.scene.cooldown, 24);
  assert.deepEqual(cfg.detector.tiles, [1, 1]);
  assert.equal(cfg.optimizations.d1, true);
  assert.equal(cfg.export.crops, false);
});

test('schema issues name the path, the problem and a suggestion', () => {
  const issues = validateAgainstSchema({ ep_id: 'E1', video: 'v.mp4', stride: 0, scene: { cooldwn: 3 }, tracker: { match_thresh: 'high' } }, episodeConfigSchema);
  const byCode = Object.fromEntries(issues.map((i) => [i.code, i]));
  assert.equal(issues.length, 3);
  assert.deepEqual(byCode['range'].path, ['stride']);
  assert.equal(byCode['range'].suggestion, 1);
  assert.deepEqual(byCode['unknown-key'].path, ['scene', 'cooldwn']);
  assert.equal(byCode['unknown-key'].suggestion, 'cooldown');
  assert.match(byCode['unknown-key'].message, /Did you mean `cooldown`\?/);
  assert.match(byCode['type'].message, /`tracker\.match_thresh` must be a number, not string "high"/);
});

test('missing required keys are reported', () => {
  const issues = validateAgainstSchema({}, episodeConfigSchema);
  assert.deepEqual(issues.map((i) => i.suggestion).sort(), ['ep_id', 'video']);
});

test('a YAML syntax error names the line', () => {
  assert.throws(() => parseConfigYaml('ep_id: x\nvideo: [unclosed\n', 'a.episode.yaml'), (e: Error) => e instanceof ConfigError && /a\.episode\.yaml:\d+:\d+: YAML syntax error/.test(e.message));
});

test("the seed's command line works as written", () => {
  const opts = parseCli(['--ep-id', 'TEST-S01E01', '--video', 'path/to/episode.mp4', '--stride', '6', '--max-gap', '60', '--max-gap-sec', '2.0',
    '--min-track-length', '3', '--track-sample-limit', '6', '--scene-cut-cooldown', '24', '--save-crops', '--device', 'auto'], '/tmp/x');
  const c = opts.config;
  assert.equal(c.ep_id, 'TEST-S01E01');
  assert.equal(c.video, '/tmp/x/path/to/episode.mp4');
  assert.equal(c.output_root, '/tmp/x/data/episodes');
  assert.equal(c.tracker.max_gap, 60);
  assert.equal(c.tracker.max_gap_sec, 2);
  assert.equal(c.tracker.track_sample_limit, 6);
  assert.equal(c.scene.cooldown, 24);
  assert.equal(c.export.crops, true);
});

test('flags override the config file; config paths are relative to the file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epcfg-'));
  const file = path.join(dir, 'a.episode.yaml');
  fs.writeFileSync(file, 'ep_id: A\nvideo: clips/a.mp4\nstride: 4\ntracker:\n  match_thresh: 0.7\n');
  const c = parseCli(['--config', file, '--stride', '8', '--no-d1', '--set', 'tracker.track_buffer=90', '--tiles', '3x2'], '/elsewhere').config;
  assert.equal(c.video, path.join(dir, 'clips/a.mp4'));
  assert.equal(c.output_root, path.join(dir, 'data/episodes'));
  assert.equal(c.stride, 8);
  assert.equal(c.tracker.match_thresh, 0.7);
  assert.equal(c.tracker.track_buffer, 90);
  assert.equal(c.optimizations.d1, false);
  assert.deepEqual(c.detector.tiles, [3, 2]);
});

test('tiles: a grid, auto, or a clear error; the face check and auto settings have ranges', () => {
  const cfg = (detector: Record<string, unknown>) => resolveConfig({ ep_id: 'E', video: 'v.mp4', detector });
  assert.equal(cfg({ tiles: 'auto' }).detector.tiles, 'auto');
  assert.deepEqual(cfg({}).detector.auto_tiles, { grid: [2, 2], small_face: 0.1, refresh: 24 });
  assert.deepEqual(cfg({}).detector.verify, { scope: 'tiles', min_redetect: 0.5, max_landmark_error: 0.2, min_contrast: 8, min_sharpness: 10 });
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ tiles: 'automatic' }, /`detector\.tiles` must be a list or "auto", not string "automatic"\./],
    [{ tiles: 2 }, /`detector\.tiles` must be a list or "auto", not number 2\./],
    [{ tiles: [2] }, /`detector\.tiles` must have exactly 2 items, not 1\./],
    [{ tiles: [0, 2] }, /`detector\.tiles\[0\]` is 0; it must be between 1 and 8\./],
    [{ auto_tiles: { refresh: -1 } }, /`detector\.auto_tiles\.refresh` is -1; it must be between 0 and 10000\./],
    [{ auto_tiles: { small_face: 1.5 } }, /`detector\.auto_tiles\.small_face` is 1\.5; it must be between 0 and 1\./],
    [{ auto_tiles: { grid: [9, 2] } }, /`detector\.auto_tiles\.grid\[0\]` is 9; it must be between 1 and 8\./],
    [{ auto_tiles: { refesh: 8 } }, /Unknown key `refesh` under `detector\.auto_tiles`\. Did you mean `refresh`\?/],
    [{ verify: { scope: 'some' } }, /`detector\.verify\.scope` must be one of "tiles", "all", "off"\./],
    [{ verify: { min_redetect: 0 } }, /`detector\.verify\.min_redetect` is 0; it must be between 0\.05 and 1\./],
    [{ verify: { max_landmark_error: 2 } }, /`detector\.verify\.max_landmark_error` is 2; it must be between 0 and 1\./],
    [{ verify: { min_contrast: -1 } }, /`detector\.verify\.min_contrast` is -1; it must be between 0 and 128\./],
    [{ verify: true }, /`detector\.verify` must be a mapping, not boolean true\./],
  ];
  for (const [detector, message] of bad) assert.throws(() => cfg(detector), (e: Error) => e instanceof ConfigError && message.test(e.message) && !e.message.includes('\n'), JSON.stringify(detector));
});

test('auto_tiles without tiles: auto, and a face check with nothing to check, are warned about', () => {
  const facts = { configDir: '/w', workspaceFolders: [], fileExists: () => true };
  const codes = (detector: Record<string, unknown>) => semanticFindings({ ep_id: 'E', video: 'v.mp4', detector }, facts).map((f) => `${f.code} ${f.at[0].join('.')}`);
  assert.deepEqual(codes({ tiles: [2, 2], auto_tiles: { refresh: 8 } }), ['auto-tiles-unused detector.auto_tiles']);
  assert.deepEqual(codes({ verify: { min_redetect: 0.6 } }), ['verify-unused detector.verify']);
  assert.deepEqual(codes({ tiles: 'auto', auto_tiles: { refresh: 8 }, verify: { min_redetect: 0.6 } }), []);
  assert.deepEqual(codes({ verify: { scope: 'all' } }), []);
});

test('--tiles takes COLSxROWS or auto, --verify a scope; anything else is one clear error', () => {
  const cli = (...flags: string[]) => parseCli(['--ep-id', 'x', '--video', 'v', ...flags], '/tmp').config.detector;
  assert.equal(cli('--tiles', 'auto').tiles, 'auto');
  assert.deepEqual(cli('--tiles', '2X2').tiles, [2, 2]);
  assert.equal(cli('--tiles', '2x2', '--verify', 'all').verify.scope, 'all');
  assert.throws(() => cli('--tiles', 'two'), /--tiles expects COLSxROWS such as 2x2, or auto; got "two"\./);
  assert.throws(() => cli('--tiles', '9x1'), /`detector\.tiles\[0\]` is 9; it must be between 1 and 8\./);
  assert.throws(() => cli('--verify', 'maybe'), /`detector\.verify\.scope` must be one of "tiles", "all", "off"\./);
});

test('tiles, auto tiles and a face check on every box read full-resolution rgb24 frames', () => {
  const plan = (detector: Record<string, unknown>) => planRun(resolveConfig({ ep_id: 'E', video: '/v', gate: { enabled: false }, detector }), video);
  assert.equal(plan({}).needsFullFrames, false);
  assert.equal(plan({ verify: { scope: 'tiles' } }).needsFullFrames, false, 'no tiles: nothing to check');
  for (const d of [{ tiles: [2, 2] }, { tiles: 'auto' }, { verify: { scope: 'all' } }]) {
    assert.deepEqual([plan(d).needsFullFrames, plan(d).fullFormat], [true, 'rgb24'], JSON.stringify(d));
  }
});

test('bad flags give one clear error', () => {
  assert.throws(() => parseCli(['--ep-id', 'x', '--video', 'v', '--stride', 'six']), /`stride` must be a whole number, not string "six"/);
  assert.throws(() => parseCli(['--video', 'v']), /--ep-id and --video/);
  assert.throws(() => parseCli(['--bogus']), /Unknown option '--bogus'/);
});

test('effective stride is max(stride, round(src_fps / fps)); max gap takes the larger bound', () => {
  assert.equal(planRun(resolveConfig({ ep_id: 'E', video: '/v', stride: 2, fps: 4 }), video).stride, 6);
  assert.equal(planRun(resolveConfig({ ep_id: 'E', video: '/v', stride: 8, fps: 4 }), video).stride, 8);
  assert.equal(planRun(resolveConfig({ ep_id: 'E', video: '/v', tracker: { max_gap: 10, max_gap_sec: 2 } }), video).maxGap, 48);
});

test('threads 0 leaves ffmpeg its own decoder thread count; a number pins decoding and inference', () => {
  const plan = (threads: number) => planRun(resolveConfig({ ep_id: 'E', video: '/v', threads }), video);
  assert.equal(plan(0).decodeThreads, undefined);
  assert.equal(plan(0).threads, os.availableParallelism());
  assert.deepEqual([plan(3).decodeThreads, plan(3).threads], [3, 3]);
});

test('refs and keyframes sampling fall back to exact on a variable frame rate, and say so', () => {
  const plan = (sampling: string, v: VideoInfo) => planRun(resolveConfig({ ep_id: 'E', video: '/v', sampling }), v);
  assert.deepEqual([plan('refs', video).sampling, plan('refs', video).samplingNote], ['refs', undefined]);
  const vfr = { ...video, constantRate: false };
  assert.equal(plan('exact', vfr).samplingNote, undefined);
  for (const mode of ['refs', 'keyframes']) {
    assert.equal(plan(mode, vfr).sampling, 'exact');
    assert.equal(plan(mode, vfr).samplingNote, `sampling: ${mode} needs a constant frame rate and /v.mp4 has a variable one; decoding every frame (exact) instead`);
  }
});

test('full frames travel as yuv420p only when crops are their one reader, from an 8-bit 4:2:0 stream', () => {
  const plan = (raw: Record<string, unknown>, v: VideoInfo = video) => planRun(resolveConfig({ ep_id: 'E', video: '/v', ...raw }), v);
  const cropsOnly = { export: { crops: true }, gate: { enabled: false } };
  assert.equal(plan(cropsOnly).fullFormat, 'yuv420p');
  assert.equal(plan(cropsOnly, { ...video, pixFmt: 'yuvj420p' }).fullFormat, 'yuv420p');
  assert.equal(plan(cropsOnly, { ...video, pixFmt: 'yuv420p10le' }).fullFormat, 'rgb24');
  assert.equal(plan({ export: { crops: true } }).fullFormat, 'rgb24', 'the gate embeds faces from whole frames');
  assert.equal(plan({ export: { crops: true, frames: true }, gate: { enabled: false } }).fullFormat, 'rgb24');
  assert.equal(plan({ ...cropsOnly, detector: { tiles: [3, 2] } }).fullFormat, 'rgb24');
  assert.equal(plan({ gate: { enabled: false } }).needsFullFrames, false);
});

test('schemas/episode-config.schema.json is generated from the TypeScript source', () => {
  const file = path.join(__dirname, '../../schemas/episode-config.schema.json');
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), JSON.parse(JSON.stringify(episodeConfigSchema)));
});
