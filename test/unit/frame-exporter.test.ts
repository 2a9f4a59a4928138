import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { FrameExporter, type CropIndexEntry, type ExporterOptions, type FrameIndexEntry } from '../../server/engine/export/frame-exporter';
import { copyRect, cropRect } from '../../server/engine/export/crop';
import { EpisodeLayout } from '../../server/engine/manifests/layout';
import { execFileSync } from 'node:child_process';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
import { sharedClip } from '../helpers/shared-data';
import { defaultYuvColor, yuv420pRectToRgb, yuv420pSize } from '../../server/engine/decode/yuv';
import type { BBox } from '../../server/engine/types';

const tos = sharedClip('clip_01_tears_of_steel.mp4');
const W = 320;
const H = 240;

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'exporter-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fresh rgb24 frame per call (the exporter may hold it while queued). */
function frame(seed: number): Buffer {
  const buf = Buffer.alloc(W * H * 3);
  for (let i = 0; i < buf.length; i += 3) {
    const p = i / 3;
    buf[i] = (p % W) + seed;
    buf[i + 1] = Math.floor(p / W);
    buf[i + 2] = seed * 7;
  }
  return buf;
}

function exporter(outDir: string, opts: Partial<ExporterOptions> = {}): FrameExporter {
  return new FrameExporter({ layout: EpisodeLayout.of(outDir), frames: false, crops: true, jpegQuality: 80, queueSize: 4, async: true, width: W, height: H, ...opts });
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** Every file is either index.json or a listed JPEG: no temp files, nothing unlisted. */
async function assertIndexMatchesFiles(dir: string, expectedSizes?: Map<string, [number, number]>): Promise<CropIndexEntry[]> {
  const index = readJson<CropIndexEntry[]>(join(dir, 'index.json'));
  assert.deepEqual(readdirSync(dir).sort(), ['index.json', ...index.map((e) => e.file)].sort());
  for (const e of index) {
    const meta = await sharp(join(dir, e.file)).metadata();
    assert.equal(meta.format, 'jpeg');
    const size = expectedSizes?.get(e.file);
    if (size) assert.deepEqual([meta.width, meta.height], size, e.file);
  }
  return index;
}

test('cropRect pads, snaps outward and clips to the frame; copyRect copies the pixels', () => {
  assert.deepEqual(cropRect([100, 50, 140, 90], W, H, 0.15), { left: 94, top: 44, width: 52, height: 52 });
  assert.deepEqual(cropRect([-10, 200, 30, 260], W, H, 0.1), { left: 0, top: 194, width: 34, height: 46 });
  assert.equal(cropRect([400, 10, 450, 60], W, H, 0.15), null);
  const f = frame(3);
  const rect = { left: 10, top: 20, width: 5, height: 4 };
  const out = copyRect(f, W, rect);
  assert.equal(out.length, 5 * 4 * 3);
  for (let y = 0; y < 4; y++) {
    const src = ((20 + y) * W + 10) * 3;
    assert.deepEqual(out.subarray(y * 15, y * 15 + 15), f.subarray(src, src + 15));
  }
});

test('async export: every listed crop and frame exists and decodes at the right size', async (t) => {
  const dir = tempDir(t);
  const ex = exporter(dir, { frames: true });
  const boxes: Record<number, BBox> = { 1: [20, 30, 80, 100], 2: [150, 40, 190, 90], 3: [290, 200, 330, 250] };
  const sizes = new Map<number, Map<string, [number, number]>>();
  for (let f = 0; f < 12; f++) {
    const rgb = frame(f);
    for (const [id, b] of Object.entries(boxes)) {
      const bbox: BBox = [b[0] + f, b[1], b[2] + f, b[3]];
      const r = cropRect(bbox, W, H, 0.15);
      assert.ok(r);
      const file = `frame_${String(f * 6).padStart(6, '0')}.jpg`;
      sizes.set(Number(id), (sizes.get(Number(id)) ?? new Map()).set(file, [r.width, r.height]));
      await ex.addCrop(Number(id), f * 6, (f * 6) / 24, rgb, bbox);
    }
    await ex.addFrame(f * 6, (f * 6) / 24, rgb);
  }
  const stats = await ex.close();
  assert.equal(stats.queued, 48);
  assert.equal(stats.written, 48);
  assert.equal(stats.failed, 0);
  assert.ok(stats.peakDepth <= 4);
  for (const id of [1, 2, 3]) {
    const index = await assertIndexMatchesFiles(join(dir, 'crops', `track_000${id}`), sizes.get(id));
    assert.equal(index.length, 12);
    assert.deepEqual(index.map((e) => e.frame_idx), [...Array(12).keys()].map((f) => f * 6), 'sorted by frame');
    assert.deepEqual(index[1], { frame_idx: 6, ts: 0.25, file: 'frame_000006.jpg', bbox_xyxy: [boxes[id][0] + 1, boxes[id][1], boxes[id][2] + 1, boxes[id][3]] });
  }
  const frames = readJson<FrameIndexEntry[]>(join(dir, 'frames', 'index.json'));
  assert.equal(frames.length, 12);
  assert.deepEqual(readdirSync(join(dir, 'frames')).sort(), ['index.json', ...frames.map((e) => e.file)].sort());
  const meta = await sharp(join(dir, 'frames', 'frame_000066.jpg')).metadata();
  assert.deepEqual([meta.width, meta.height], [W, H]);
});

test('the queue bound holds under a burst, and close() flushes everything', async (t) => {
  const dir = tempDir(t);
  const ex = exporter(dir, { frames: true, crops: false, queueSize: 3, concurrency: 2 });
  for (let f = 0; f < 60; f++) await ex.addFrame(f, f / 24, frame(f));
  const before = ex.stats;
  assert.ok(before.written < 60, 'add*() returned before the encodes finished');
  const stats = await ex.close();
  assert.equal(stats.written, 60);
  assert.equal(stats.peakDepth, 3);
  assert.ok(stats.blockedMs > 0);
  assert.equal(readJson<FrameIndexEntry[]>(join(dir, 'frames', 'index.json')).length, 60);
  assert.equal(readdirSync(join(dir, 'frames')).length, 61);
});

test('concurrent callers share the bound', async (t) => {
  const dir = tempDir(t);
  const ex = exporter(dir, { queueSize: 2 });
  await Promise.all([1, 2, 3].map(async (id) => {
    for (let f = 0; f < 10; f++) await ex.addCrop(id, f, f / 24, frame(f), [100, 100, 140, 150]);
  }));
  const stats = await ex.close();
  assert.equal(stats.written, 30);
  assert.equal(stats.peakDepth, 2);
});

test('async=false writes before add*() resolves', async (t) => {
  const dir = tempDir(t);
  const ex = exporter(dir, { async: false, frames: true });
  await ex.addCrop(7, 12, 0.5, frame(1), [10, 10, 60, 70]);
  assert.ok(existsSync(join(dir, 'crops', 'track_0007', 'frame_000012.jpg')));
  await ex.addFrame(12, 0.5, frame(1));
  assert.ok(existsSync(join(dir, 'frames', 'frame_000012.jpg')));
  const stats = await ex.close();
  assert.equal(stats.written, 2);
  assert.equal(stats.peakDepth, 1);
  await assertIndexMatchesFiles(join(dir, 'crops', 'track_0007'));
});

test('crops larger than cropMaxSide are scaled down to it, keeping their aspect; smaller ones are not', async (t) => {
  const dir = tempDir(t);
  const ex = exporter(dir, { async: false, cropMaxSide: 64, cropPad: 0 });
  await ex.addCrop(1, 0, 0, frame(1), [0, 0, 200, 100]);
  await ex.addCrop(1, 6, 0.25, frame(1), [10, 10, 50, 40]);
  await ex.close();
  const size = async (f: string) => {
    const m = await sharp(join(dir, 'crops', 'track_0001', f)).metadata();
    return [m.width, m.height];
  };
  assert.deepEqual(await size('frame_000000.jpg'), [64, 32]);
  assert.deepEqual(await size('frame_000006.jpg'), [40, 30]);
});

test('dropTrack removes the folder, whether its crops are queued or already written', async (t) => {
  const dir = tempDir(t);
  const ex = exporter(dir, { queueSize: 8 });
  for (let f = 0; f < 4; f++) {
    await ex.addCrop(1, f, f / 24, frame(f), [10, 10, 60, 70]);
    await ex.addCrop(2, f, f / 24, frame(f), [100, 10, 160, 70]);
  }
  ex.dropTrack(1); // some of its jobs are still queued
  const stats = await ex.close();
  assert.ok(!existsSync(join(dir, 'crops', 'track_0001')));
  assert.equal((await assertIndexMatchesFiles(join(dir, 'crops', 'track_0002'))).length, 4);
  assert.equal(stats.written + stats.skipped, 8);

  const dir2 = tempDir(t);
  const sync = exporter(dir2, { async: false });
  await sync.addCrop(3, 0, 0, frame(0), [10, 10, 60, 70]);
  assert.ok(existsSync(join(dir2, 'crops', 'track_0003')));
  sync.dropTrack(3);
  await sync.close();
  assert.ok(!existsSync(join(dir2, 'crops', 'track_0003')));
});

test('finishTrack writes the index as soon as the crops are in', async (t) => {
  const dir = tempDir(t);
  const ex = exporter(dir);
  for (let f = 0; f < 3; f++) await ex.addCrop(4, f, f / 24, frame(f), [10, 10, 60, 70]);
  ex.finishTrack(4);
  await ex.addCrop(5, 3, 3 / 24, frame(3), [10, 10, 60, 70]);
  const indexPath = join(dir, 'crops', 'track_0004', 'index.json');
  for (let i = 0; i < 200 && !existsSync(indexPath); i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(readJson<CropIndexEntry[]>(indexPath).length, 3);
  await ex.close();
  await assertIndexMatchesFiles(join(dir, 'crops', 'track_0005'));
});

test('encode errors are counted, not thrown, and nothing is listed', async (t) => {
  const dir = tempDir(t);
  const ex = exporter(dir, { jpegQuality: 0 }); // sharp rejects quality 0
  for (let f = 0; f < 3; f++) await ex.addCrop(1, f, 0, frame(f), [10, 10, 60, 70]);
  await ex.addCrop(1, 3, 0, frame(3), [400, 10, 450, 70]); // entirely outside the frame
  const stats = await ex.close();
  assert.equal(stats.failed, 3);
  assert.equal(stats.skipped, 1);
  assert.equal(stats.written, 0);
  assert.match(stats.lastError ?? '', /quality/);
  assert.deepEqual(readdirSync(join(dir, 'crops', 'track_0001')), ['index.json']);
  assert.deepEqual(readJson(join(dir, 'crops', 'track_0001', 'index.json')), []);
});

test('misuse is reported: wrong frame size, add after close; close() twice is fine', async (t) => {
  const dir = tempDir(t);
  const ex = exporter(dir);
  await assert.rejects(ex.addCrop(1, 0, 0, Buffer.alloc(10), [0, 0, 10, 10]), RangeError);
  const first = ex.close();
  assert.equal(ex.close(), first);
  await first;
  await assert.rejects(ex.addCrop(1, 0, 0, frame(0), [0, 0, 10, 10]), /after close/);
});

test('yuv420p frames: crops match the rgb24 crops of the same pixels, halved ones included', async (t) => {
  // A close-up of Tears of Steel (or ffmpeg's test pattern without ../shared/data), scaled to 720p.
  // Frame 100 in both: the pattern lasts 5 s.
  const [w, h] = [1280, 720];
  const input = tos.skip ? ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=24:duration=5'] : ['-i', tos.path];
  const yuv = execFileSync(resolveFfmpeg().path, [
    '-hide_banner', '-loglevel', 'error', ...input, '-vf', `select=eq(n\\,100),scale=${w}:${h},format=yuv420p`,
    '-frames:v', '1', '-f', 'rawvideo', '-',
  ], { maxBuffer: 1 << 24 });
  assert.equal(yuv.length, yuv420pSize(w, h));
  const color = defaultYuvColor(h);
  const rgb = yuv420pRectToRgb(yuv, w, h, { left: 0, top: 0, width: w, height: h }, color);
  const dirs = [tempDir(t), tempDir(t)];
  const opts = { width: w, height: h, cropMaxSide: 256, cropPad: 0 };
  const boxes: BBox[] = [[101, 51, 700, 650], [300, 200, 500, 430], [1000, 100, 1100, 300]];
  const [a, b] = [exporter(dirs[0], { ...opts, yuv: color }), exporter(dirs[1], opts)];
  for (const [i, box] of boxes.entries()) {
    await a.addCrop(1, i, 0, yuv, box);
    await b.addCrop(1, i, 0, rgb, box);
  }
  await Promise.all([a.close(), b.close()]);
  for (const i of boxes.keys()) {
    const file = (dir: string) => join(dir, 'crops', 'track_0001', `frame_00000${i}.jpg`);
    const [p, q] = await Promise.all(dirs.map((d) => sharp(file(d)).raw().toBuffer({ resolveWithObject: true })));
    assert.deepEqual([p.info.width, p.info.height], [q.info.width, q.info.height], `crop ${i}`);
    let sum = 0;
    for (let k = 0; k < p.data.length; k++) sum += Math.abs(p.data[k] - q.data[k]);
    assert.ok(sum / p.data.length <= 2.5, `crop ${i}: mean abs difference ${(sum / p.data.length).toFixed(2)}`);
  }
  assert.deepEqual((await sharp(join(dirs[0], 'crops', 'track_0001', 'frame_000000.jpg')).metadata()).width, 256);
});
