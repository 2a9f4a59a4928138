// Scene transitions on clips rendered by ffmpeg's filters (test/helpers/transition-clips.ts)
// from real photos and flat colours, through the real decode path with the default scene
// settings: fades through black, hard cuts within one photo's palette, dissolves, flashes and a
// pan. Exact frames: each clip's transition starts on a known frame.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
import { probeVideo } from '../../server/engine/decode/probe';
import { openFrameSource, SMALL_HEIGHT, SMALL_WIDTH, smallFrameColor } from '../../server/engine/decode/frame-source';
import { TransitionDetector, transitionOptions } from '../../server/engine/scenes/transition-detector';
import { resolveConfig } from '../../server/config/episode-config';
import { ensurePhotos } from '../helpers/photos';
import { cropCut, dissolve, fadeThroughBlack, flash, pan } from '../helpers/transition-clips';
import { readManifest, runCli } from '../helpers/run-cli';

const SCENE = resolveConfig({ ep_id: 't', video: 'v' }).scene;
const dir = mkdtempSync(join(tmpdir(), 'ep-transitions-'));
let photos = '';
const photo = (name: string) => join(photos, name);

async function scenesOf(video: string) {
  const ffmpeg = resolveFfmpeg().path;
  const info = await probeVideo(ffmpeg, video);
  const det = new TransitionDetector(transitionOptions(SCENE, smallFrameColor(info)));
  const events: { kind: string; idx: number }[] = [];
  const source = openFrameSource({ ffmpegPath: ffmpeg, info, stride: 6, full: false, d1: true });
  for await (const f of source) events.push(...det.push(f.index, f.small, SMALL_WIDTH, SMALL_HEIGHT).map((e) => ({ ...e })));
  events.push(...det.finish());
  await source.done();
  return { cuts: events.filter((e) => e.kind === 'cut').map((e) => e.idx), resets: events.filter((e) => e.kind === 'fade').map((e) => e.idx), det };
}

before(async () => {
  photos = await ensurePhotos();
});

describe('fades through black: no cut, one fade each way, one reset at the black frame', () => {
  for (const seconds of [1, 3]) {
    for (const [what, still] of [['flat', () => ({ color: '0x4a7fb5' })], ['textured', () => ({ photo: photo('sample4.jpg') })]] as const) {
      test(`${seconds} s, ${what}`, async () => {
        const { cuts, resets, det } = await scenesOf(await fadeThroughBlack(dir, `fade-${what}-${seconds}`, still(), seconds));
        assert.deepEqual(cuts, []);
        assert.deepEqual(det.fades.map((f) => f.kind), ['out', 'in']);
        const [out, back] = det.fades;
        // ffmpeg's fade-out starts at 2 s (frame 48 is the last frame at full light) and ends
        // 24·s frames later; the floor is reached in the last tenth of it (brightness < 12 of ~150).
        const frames = 24 * seconds;
        assert.equal(out.start, 48);
        assert.ok(out.end > 48 + 0.85 * frames && out.end <= 48 + frames, JSON.stringify(det.fades));
        assert.deepEqual(resets, [out.end]);
        // The fade-in segment starts at frame 24·(2.25 + s), its fade 0.25 s later; it leaves the
        // floor within its first tenth and stops brightening at its end (± codec noise).
        const fadeIn = 24 * (2.25 + seconds) + 6;
        assert.ok(back.start >= fadeIn && back.start < fadeIn + 0.15 * frames + 1, JSON.stringify(det.fades));
        assert.ok(Math.abs(back.end - (fadeIn + frames)) <= 3, JSON.stringify(det.fades));
        assert.deepEqual(det.dissolves, []);
      });
    }
  }
});

test('a hard cut between two crops of one photo (same palette, other framing) is found on its frame', async () => {
  for (const [name, a, b] of [
    ['sample1.jpg', [0, 0, 960, 540], [800, 400, 960, 540]],
    ['sample6.jpg', [0, 0, 1280, 720], [200, 100, 1280, 720]],
  ] as const) {
    const { cuts, det } = await scenesOf(await cropCut(dir, `crop-${name}`, photo(name), [...a], [...b]));
    assert.deepEqual(cuts, [48], name);
    assert.deepEqual([det.fades, det.dissolves], [[], []]);
  }
});

test('a 1 s dissolve is one event: one cut inside it, listed as a dissolve', async () => {
  const { cuts, det } = await scenesOf(await dissolve(dir, 'dissolve', { photo: photo('sample1.jpg') }, { photo: photo('sample2.jpg') }, 1));
  assert.equal(cuts.length, 1, JSON.stringify(cuts));
  assert.ok(cuts[0] > 48 && cuts[0] < 72, JSON.stringify(cuts));
  assert.equal(det.dissolves.length, 1);
  assert.equal(det.dissolves[0].cut, cuts[0]);
  assert.ok(det.dissolves[0].start >= 48 && det.dissolves[0].end < 73, JSON.stringify(det.dissolves));
  assert.deepEqual(det.fades, []);
});

test('a white flash of 2 frames is no cut, nor is a pan', async () => {
  const flashed = await scenesOf(await flash(dir, 'flash', { photo: photo('sample1.jpg') }, 48, 49));
  assert.deepEqual([flashed.cuts, flashed.resets, flashed.det.dissolves], [[], [], []]);
  const panned = await scenesOf(await pan(dir, 'pan', photo('sample2.jpg'), 8, 4));
  assert.deepEqual([panned.cuts, panned.det.dissolves], [[], []]);
});

test('through the engine: scene_cuts.json lists the fades apart from cuts, and the one reset', async () => {
  const video = await fadeThroughBlack(dir, 'engine-fade', { photo: photo('sample4.jpg') }, 1);
  const root = join(dir, 'out');
  const r = await runCli(['--ep-id', 'fade', '--video', video, '--output-root', root, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /cuts {5}0 at \[\]; 2 fades \(1 tracker resets at black\)/);
  const m = readManifest(join(root, 'fade'), 'scene_cuts.json');
  assert.deepEqual([m.cuts, m.resets, m.dissolves], [[], [], []]);
  assert.deepEqual(m.fades.map((f: { kind: string }) => f.kind), ['out', 'in']);
  assert.deepEqual(m.fade_resets, [m.fades[0].end]);
  assert.equal(m.window, SCENE.window);
  const scores = readManifest(join(root, 'fade'), 'scene_scores.json');
  assert.equal(scores.step, 1);
  assert.equal(scores.content.length, 156);
  assert.ok(scores.brightness[m.fades[0].end] < SCENE.fade_floor);
});

test('evaluation.cuts scores the cuts against a cut list (±1 frame) into the run summary', async () => {
  const video = await cropCut(dir, 'engine-crop', photo('sample3.jpg'), [100, 100, 960, 540], [500, 300, 640, 360]);
  // 49 is one frame off the found cut at 48 and still counts; 70 is not a cut.
  writeFileSync(join(dir, 'truth.txt'), '# shot starts\n49\n70\n');
  writeFileSync(join(dir, 'crop.episode.yaml'), `ep_id: crop\nvideo: ${video}\noutput_root: out\nevaluation:\n  cuts: truth.txt\n`);
  const r = await runCli(['--config', join(dir, 'crop.episode.yaml')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /cut list precision 100\.0%, recall 50\.0% within ±1 frame \(1 of 2 true cuts; missed 70\)/);
  const m = readManifest(join(dir, 'out', 'crop'), 'track_metrics.json');
  assert.deepEqual(m.cut_scores, { truth: join(dir, 'truth.txt'), tolerance: 1, precision: 1, recall: 0.5, f1: 0.666667, matched: 1, extra: [], missed: [70] });
  writeFileSync(join(dir, 'truth.txt'), '49\nforty\n');
  const bad = await runCli(['--config', join(dir, 'crop.episode.yaml')]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /truth\.txt:2: "forty" is not a frame number/);
});
