import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEpisode } from '../fixtures/episode-generator';
import { loadFaceLibrary, type FaceLibrary } from '../fixtures/face-library';
import { iou, loadFixtureDetector } from '../fixtures/fixture-detector';
import { readMotFile, type MotRow } from '../fixtures/mot-format';
import { PRESETS } from '../fixtures/presets';
import { groundTruthAt, planEpisode, placementsAt, rng, TrackIds, type EpisodePlan, type ShotSpec } from '../fixtures/scenario';
import type { BBox } from '../../server/engine/types';

const FFMPEG: string = require('@ffmpeg-installer/ffmpeg').path;

const W = 320;
const H = 180;
const FPS = 24;
// 5 s: a two-face shot with a zoom, then a cut at frame 50 to one face walking off the right.
const SCRIPT: ShotSpec[] = [
  {
    frames: 50,
    faces: [
      { identity: 0, from: [0.3, 0.5], to: [0.32, 0.48], size: [0.36, 0.36] },
      { identity: 1, from: [0.72, 0.5], to: [0.66, 0.5], size: [0.3, 0.4] },
    ],
  },
  { frames: 70, faces: [{ identity: 2, from: [0.5, 0.5], to: [1.2, 0.45], size: [0.4, 0.34] }] },
];

test('a scripted 5 s 320×180 episode: GT, cuts, frame count, and faces where the GT says', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'episode-gen-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ep = await generateEpisode({ outPath: dir, width: W, height: H, fps: FPS, seed: 11, shots: SCRIPT });
  assert.equal(ep.generated, true);
  assert.equal(ep.frames, 120);
  assert.deepEqual(ep.cuts, [50]);
  assert.deepEqual(JSON.parse(await readFile(ep.cutsPath, 'utf8')), [50]);

  const gt = await readMotFile(ep.gtPath);
  for (const r of gt) {
    assert.ok(r.frame >= 0 && r.frame < 120 && r.id >= 1, `row ${JSON.stringify(r)}`);
    assert.ok(r.bbox[0] >= 0 && r.bbox[1] >= 0 && r.bbox[2] <= W && r.bbox[3] <= H && r.bbox[2] > r.bbox[0]);
    assert.ok(r.visibility !== undefined && r.visibility > 0 && r.visibility <= 1);
  }
  // A new GT id per (shot, face): the two faces of shot 1, then the one of shot 2.
  const ids = (from: number, to: number) => [...new Set(gt.filter((r) => r.frame >= from && r.frame < to).map((r) => r.id))].sort();
  assert.deepEqual(ids(0, 50), [1, 2]);
  assert.deepEqual(ids(50, 120), [3]);
  assert.equal(ep.tracks, 3);
  // Walking off the right edge: the last rows are clipped, become "ignore", then stop.
  const leaving = gt.filter((r) => r.id === 3);
  assert.ok(leaving.some((r) => r.conf === 0) && leaving.at(-1)!.frame < 119, 'the face leaves the frame');

  assert.equal(await countFrames(ep.video), 120);

  // GT boxes and pixels agree: the detector, run on a crop around each scored GT box of a few
  // decoded frames, finds that face.
  const probe = [5, 30, 49, 60, 85];
  const frames = await decodeFrames(ep.video, probe);
  const det = await loadFixtureDetector();
  let checked = 0;
  for (const [k, f] of probe.entries()) {
    for (const r of gt.filter((g) => g.frame === f && g.conf === 1)) {
      const found = await det.detect({ data: frames[k], width: W, height: H }, 0.5, around(r.bbox));
      const best = Math.max(0, ...found.map((d) => iou(d.bbox, r.bbox)));
      assert.ok(best >= 0.5, `frame ${f} GT ${r.id}: best detection IoU ${best.toFixed(2)}`);
      checked++;
    }
  }
  assert.ok(checked >= 7, `checked ${checked} GT boxes`);

  // Same options and folder: reused, not rendered again.
  assert.equal((await generateEpisode({ outPath: dir, width: W, height: H, fps: FPS, seed: 11, shots: SCRIPT })).generated, false);
});

test('random scripts are deterministic per seed, with 2–8 s shots and 1–3 faces', async () => {
  const lib = await loadFaceLibrary();
  const opts = { width: 640, height: 360, fps: 24, durationS: 60 };
  const a = planEpisode({ ...opts, seed: 5 }, lib);
  assert.deepEqual(planEpisode({ ...opts, seed: 5 }, lib), a);
  assert.notDeepEqual(planEpisode({ ...opts, seed: 6 }, lib).shots, a.shots);
  assert.equal(a.frames, 60 * 24);
  for (const s of a.shots) {
    assert.ok(s.frames >= 2 * 24 && s.frames < 10 * 24, `shot of ${s.frames} frames`);
    assert.ok(s.faces.length >= 1 && s.faces.length <= 3);
  }
  assert.deepEqual(a.cuts, a.shots.slice(1).map((s) => s.start));
});

test('preset cut-cooldown: cuts 10 frames apart', async () => {
  const lib = await loadFaceLibrary();
  const plan = planEpisode({ width: 640, height: 360, fps: 24, durationS: 0, seed: 1, shots: PRESETS['cut-cooldown'].shots(lib, 24, rng(1)) }, lib);
  assert.deepEqual(plan.cuts, [48, 58, 68, 78]);
});

test('preset swap: person A then person B in the same place, no cut, two GT tracks', async () => {
  const lib = await loadFaceLibrary();
  const plan = planEpisode({ width: 640, height: 360, fps: 24, durationS: 0, seed: 1, shots: PRESETS.swap.shots(lib, 24, rng(1)) }, lib);
  assert.deepEqual(plan.cuts, []);
  const { rows, ids } = groundTruth(plan, lib);
  const first = rows.filter((r) => r.id === 1);
  const second = rows.filter((r) => r.id === 2);
  assert.equal(first.length + second.length, plan.frames);
  assert.equal(first.at(-1)!.frame + 1, second[0].frame);
  assert.notEqual(ids.identityOf.get(1), ids.identityOf.get(2));
  assert.equal(lib.faces[ids.identityOf.get(1)!].photo, lib.faces[ids.identityOf.get(2)!].photo, 'two people of one photo');
  assert.ok(iou(first.at(-1)!.bbox, second[0].bbox) > 0.6, 'B appears where A was');
});

test('preset crossing: the rear face turns "ignore", vanishes, and comes back scored', async () => {
  const lib = await loadFaceLibrary();
  const plan = planEpisode({ width: 640, height: 360, fps: 24, durationS: 0, seed: 1, shots: PRESETS.crossing.shots(lib, 24, rng(1)) }, lib);
  const rear = groundTruth(plan, lib).rows.filter((r) => r.id === 2);
  const scored = rear.filter((r) => r.conf === 1).length;
  assert.ok(rear.some((r) => r.conf === 0), 'partly hidden rows are marked ignore');
  assert.ok(rear.length < plan.frames, 'fully hidden frames have no row');
  assert.ok(scored > plan.frames / 2 && scored < plan.frames - 5, `${scored} scored rows of ${plan.frames}`);
  assert.equal(rear.at(-1)!.conf, 1);
});

/** The GT of a plan without rendering it: the same code the generator runs per frame. */
function groundTruth(plan: EpisodePlan, lib: FaceLibrary): { rows: MotRow[]; ids: TrackIds } {
  const ids = new TrackIds();
  const rows: MotRow[] = [];
  for (let f = 0; f < plan.frames; f++) rows.push(...groundTruthAt(plan, f, placementsAt(plan, lib, f), ids));
  return { rows, ids };
}

/** The box grown 2× around its centre, clipped to the frame: room for the detector's context. */
function around(b: BBox): BBox {
  const w = b[2] - b[0];
  const h = b[3] - b[1];
  return [Math.max(0, b[0] - w / 2), Math.max(0, b[1] - h / 2), Math.min(W, b[2] + w / 2), Math.min(H, b[3] + h / 2)];
}

function ffmpeg(args: string[]): Promise<{ stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(FFMPEG, ['-hide_banner', '-nostdin', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve({ stdout: Buffer.concat(out), stderr }) : reject(new Error(`ffmpeg ${code}: ${stderr.slice(-500)}`))));
  });
}

/** Decoded frame count, from ffmpeg's own progress line of a null encode. */
async function countFrames(video: string): Promise<number> {
  const { stderr } = await ffmpeg(['-i', video, '-map', '0:v:0', '-f', 'null', '-']);
  const all = [...stderr.matchAll(/frame=\s*(\d+)/g)];
  return Number(all.at(-1)?.[1]);
}

async function decodeFrames(video: string, frames: number[]): Promise<Buffer[]> {
  const select = frames.map((f) => `eq(n\\,${f})`).join('+');
  const { stdout } = await ffmpeg(['-i', video, '-vf', `select='${select}'`, '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
  assert.equal(stdout.length, frames.length * W * H * 3);
  return frames.map((_, k) => stdout.subarray(k * W * H * 3, (k + 1) * W * H * 3));
}
