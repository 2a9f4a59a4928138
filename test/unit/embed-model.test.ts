import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { FaceDetector } from '../../server/engine/detect/face-detector';
import { EmbedWorker } from '../../server/engine/embed/embed-worker';
import { cosine, FaceEmbedder } from '../../server/engine/embed/face-embedder';
import { ensureModels } from '../../server/engine/models/ensure-models';
import type { BBox } from '../../server/engine/types';
import { ensurePhotos } from '../helpers/photos';

interface Face {
  photo: string;
  rgb: Buffer;
  width: number;
  height: number;
  bbox: BBox;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** Every confident face of the photos: each is its own person (faces within one photo surely are). */
async function detectFaces(photos: string, names: string[], detectPath: string): Promise<Face[]> {
  const detector = await FaceDetector.load(detectPath, { confThreshold: 0.9, nmsIou: 0.3, minSize: 40, threads: 1 });
  const faces: Face[] = [];
  try {
    for (const photo of names) {
      const { data, info } = await sharp(join(photos, photo)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const small = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).resize(320, 240, { fit: 'fill' }).raw().toBuffer();
      for (const d of await detector.detectSmall(small, info.width, info.height)) faces.push({ photo, rgb: data, width: info.width, height: info.height, bbox: d.bbox });
    }
  } finally {
    await detector.close();
  }
  return faces;
}

/** The same face as another camera would give it: rescaled frame, shifted box, a different crop. */
async function variant(f: Face, scale: number, shift: number): Promise<Face> {
  const width = Math.round(f.width * scale), height = Math.round(f.height * scale);
  const rgb = await sharp(f.rgb, { raw: { width: f.width, height: f.height, channels: 3 } }).resize(width, height).raw().toBuffer();
  const w = f.bbox[2] - f.bbox[0];
  const bbox = f.bbox.map((v, i) => v * scale + (i % 2 === 0 ? shift : -shift) * w * scale) as BBox;
  return { ...f, rgb, width, height, bbox };
}

describe('FaceEmbedder (landmarks → align → MobileFaceNet)', () => {
  let models: Awaited<ReturnType<typeof ensureModels>>;
  let embedder: FaceEmbedder;
  let faces: Face[] = [];

  before(async () => {
    models = await ensureModels();
    embedder = await FaceEmbedder.load({ landmark: models.landmark, feature: models.feature, threads: 1 });
    faces = await detectFaces(await ensurePhotos(), ['faces.jpg', 'sample1.jpg', 'sample4.jpg'], models.detect);
  });
  after(() => embedder?.close());

  const embed = (f: Face) => embedder.embedFrame(f.rgb, f.width, f.height, f.bbox);

  test('the model id names both weights', () => {
    assert.match(embedder.modelId, /^mfn512:[0-9a-f]{12}\+lm68:[0-9a-f]{12}$/);
  });

  test('a wrong model (the detector as the embedder) gets an error naming the expected input shape', async () => {
    await assert.rejects(
      FaceEmbedder.load({ landmark: models.landmark, feature: models.detect, threads: 1 }),
      (err: Error) => err.message.includes('fr_detect.onnx is not a face-embedding model') &&
        err.message.includes('expected input shape [1,3,112,112]') && err.message.includes('[1,3,240,320]'),
    );
    await assert.rejects(FaceEmbedder.load({ landmark: models.feature, feature: models.feature, threads: 1 }), /expected input shape \[1,1,64,64\]/);
  });

  test('embeddings are unit length; same face from other crops, scales and shifts ≥ 0.7; different people median ≤ 0.3', async () => {
    assert.ok(faces.length >= 8, `only ${faces.length} faces found`);
    const base = await Promise.all(faces.map(embed));
    for (const e of base) assert.ok(Math.abs(cosine(e, e) - 1) < 1e-4);
    const same: number[] = [];
    for (const [i, f] of faces.entries()) {
      for (const [scale, shift] of [[0.6, 0.04], [1.3, -0.05], [0.8, 0.06]]) same.push(cosine(base[i], await embed(await variant(f, scale, shift))));
    }
    const different: number[] = [];
    for (let i = 0; i < faces.length; i++) for (let j = i + 1; j < faces.length; j++) different.push(cosine(base[i], base[j]));
    assert.ok(Math.min(...same) >= 0.7, `same-face cosines ${same.map((v) => v.toFixed(2))}`);
    assert.ok(median(different) <= 0.3, `different-people median ${median(different).toFixed(3)}`);
  });

  test('the worker gives the main thread\'s embedding and leaves the main thread free', async () => {
    const worker = await EmbedWorker.start({ landmark: models.landmark, feature: models.feature, threads: 1, maxInFlight: 4 });
    try {
      assert.equal(worker.modelId, embedder.modelId);
      const f = faces[0];
      assert.ok(cosine(await worker.embedFrame(f.rgb, f.width, f.height, f.bbox), await embed(f)) > 0.9999);
      const n = 12;
      const main = await blockedWhile(async () => {
        for (let i = 0; i < n; i++) await embed(faces[i % faces.length]);
      });
      const off = await blockedWhile(() => Promise.all(Array.from({ length: n }, (_, i) => {
        const g = faces[i % faces.length];
        return worker.embedFrame(g.rgb, g.width, g.height, g.bbox);
      })));
      const report = (what: string, r: typeof main) =>
        `${what} ${(r.wallMs / n).toFixed(1)} ms/face, event loop blocked ${r.blockedMs.toFixed(0)} of ${r.wallMs.toFixed(0)} ms`;
      console.log(`${report('main thread:', main)}; ${report('worker:', off)}`);
      // On the main thread every inference blocks the event loop; the worker path blocks it only
      // for the region copies (plus whatever CPU contention steals on a busy machine).
      assert.ok(off.blockedMs < main.blockedMs, `${report('main', main)}; ${report('worker', off)}`);
    } finally {
      await worker.close();
    }
  });
});

/** Runs `work` while a 1 ms timer sums the gaps between its ticks longer than 4 ms: time the event loop was blocked. */
async function blockedWhile(work: () => Promise<unknown>): Promise<{ wallMs: number; blockedMs: number }> {
  let last = performance.now();
  let blockedMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last > 4) blockedMs += now - last;
    last = now;
  }, 1);
  const t0 = performance.now();
  await work();
  const wallMs = performance.now() - t0;
  clearInterval(timer);
  return { wallMs, blockedMs };
}
