// Scene cuts with the default scene settings through the real decode path (probe + frame
// source) on real footage from ../shared/data; skipped where that folder is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
import { probeVideo } from '../../server/engine/decode/probe';
import { openFrameSource, SMALL_HEIGHT, SMALL_WIDTH, smallFrameColor } from '../../server/engine/decode/frame-source';
import { TransitionDetector, transitionOptions } from '../../server/engine/scenes/transition-detector';
import { resolveConfig } from '../../server/config/episode-config';
import { SHARED_DATA as DATA } from '../helpers/shared-data';

/** The shipped defaults: the config schema is their single source. */
const SCENE = resolveConfig({ ep_id: 't', video: 'v' }).scene;

const skip = fs.existsSync(DATA) ? false : `real clips not found at ${DATA} (they live outside the repo)`;

async function cutsOf(clip: string): Promise<number[]> {
  const ffmpeg = resolveFfmpeg().path;
  const info = await probeVideo(ffmpeg, path.join(DATA, 'clips', clip));
  const detector = new TransitionDetector(transitionOptions(SCENE, smallFrameColor(info)));
  const events: string[] = [];
  const source = openFrameSource({ ffmpegPath: ffmpeg, info, stride: 6, full: false, d1: true });
  for await (const f of source) for (const e of detector.push(f.index, f.small, SMALL_WIDTH, SMALL_HEIGHT)) events.push(`${e.kind} ${e.idx}`);
  for (const e of detector.finish()) events.push(`${e.kind} ${e.idx}`);
  assert.equal((await source.done()).damaged, false);
  assert.equal(detector.frames, 240);
  // Neither clip fades through black or dissolves.
  assert.deepEqual([detector.fades, detector.dissolves], [[], []]);
  return events.map((e) => {
    const [kind, idx] = e.split(' ');
    assert.equal(kind, 'cut');
    return Number(idx);
  });
}

const near = (cuts: number[], want: number) => cuts.some((c) => Math.abs(c - want) <= 1);

test('Tears of Steel: cuts at 21, 65, 185; none in the hologram flicker or the face morph', { skip }, async (t) => {
  const cuts = await cutsOf('clip_01_tears_of_steel.mp4');
  t.diagnostic(`cuts ${JSON.stringify(cuts)}`);
  assert.deepEqual(cuts, [21, 65, 185]);
  assert.ok(!cuts.some((c) => (c >= 192 && c <= 206) || (c >= 212 && c <= 230)), JSON.stringify(cuts));
});

test('Sintel: finds every PySceneDetect reference cut, and the two white-on-white cuts it misses', { skip }, async (t) => {
  const cuts = await cutsOf('clip_03_sintel.mp4');
  const reference = [76, 96, 118, 140, 209];
  // Beyond the reference we also find, and require, 58 and 176: both visually real cuts
  // (snow-white frames on both sides, which PySceneDetect's mean-HSV-difference misses; the
  // histogram distance carries them).
  t.diagnostic(`cuts ${JSON.stringify(cuts)}, PySceneDetect reference ${JSON.stringify(reference)}`);
  for (const want of [...reference, 58, 176]) assert.ok(near(cuts, want), `no cut near ${want}: ${JSON.stringify(cuts)}`);
  assert.deepEqual(cuts, [58, 76, 96, 118, 140, 176, 209]);
});
