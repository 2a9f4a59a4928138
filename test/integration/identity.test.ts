// The identity stages on a generated episode: person A, then person B in the same place with no
// cut (preset "swap"). Boxes come from the generated ground truth, standing in for the tracker.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { embedSchema, gateSchema, type EmbedConfig, type GateConfig } from '../../server/config/schema-identity';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
import { probeVideo } from '../../server/engine/decode/probe';
import { cropRegion } from '../../server/engine/embed/align';
import { cosine, FaceEmbedder } from '../../server/engine/embed/face-embedder';
import { runFacesEmbed, type FaceRow, type FaceTrackRow } from '../../server/engine/embed/faces-embed';
import { MANIFEST_FILES } from '../../server/engine/manifests/layout';
import { pickFrames } from '../../server/engine/embed/frame-picker';
import { faceQuality, type FaceQuality } from '../../server/engine/embed/quality';
import { GateFacesWriter } from '../../server/engine/embed/gate-faces';
import { gatePrototype, type GateFace } from '../../server/engine/embed/track-prototype';
import { AppearanceGate } from '../../server/engine/gate/appearance-gate';
import { ensureModels } from '../../server/engine/models/ensure-models';
import type { BBox, VideoInfo } from '../../server/engine/types';
import { generateEpisode } from '../fixtures/episode-generator';
import { readMotFile, type MotRow } from '../fixtures/mot-format';

const STRIDE = 3;
const defaults = <T>(node: { properties?: Record<string, { default?: unknown }> }) =>
  Object.fromEntries(Object.entries(node.properties!).map(([k, v]) => [k, v.default])) as T;
const GATE = defaults<GateConfig>(gateSchema);
const EMBED: EmbedConfig = { ...defaults<EmbedConfig>(embedSchema), enabled: true };
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

interface Sample {
  frame: number;
  gtId: number;
  bbox: BBox;
  embedding: Float32Array;
  quality: FaceQuality;
}

describe('identity on a generated A→B swap without a cut', () => {
  let embedder: FaceEmbedder;
  let video: VideoInfo;
  let ffmpegPath: string;
  let gt: MotRow[];
  let swapFrame: number;
  let samples: Sample[] = [];
  let dir: string;

  before(async () => {
    const models = await ensureModels();
    embedder = await FaceEmbedder.load({ landmark: models.landmark, feature: models.feature, threads: 1 });
    const ep = await generateEpisode({ preset: 'swap', width: 640, height: 360, fps: 24, seed: 1 });
    ffmpegPath = resolveFfmpeg().path;
    video = await probeVideo(ffmpegPath, ep.video);
    gt = (await readMotFile(ep.gtPath)).filter((r) => (r.conf ?? 1) > 0);
    swapFrame = Math.min(...gt.filter((r) => r.id !== gt[0].id).map((r) => r.frame));
    const analysed = [...new Set(gt.map((r) => r.frame))].filter((f) => f % STRIDE === 0);
    for await (const f of pickFrames(ffmpegPath, video, analysed)) {
      for (const r of gt.filter((g) => g.frame === f.index)) {
        const region = cropRegion(f.rgb, video.width, video.height, r.bbox);
        samples.push({ frame: f.index, gtId: r.id, bbox: r.bbox, quality: faceQuality(region, r.bbox), embedding: await embedder.embed(region, r.bbox) });
      }
    }
    dir = await mkdtemp(join(tmpdir(), 'identity-test-'));
  });
  after(async () => {
    await embedder?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Feeds the samples to a gate as one tracker id (the tracker did not notice the swap); returns the splits and the faces it embedded. */
  function runGate(cfg: GateConfig) {
    const gate = new AppearanceGate(cfg, embedder.modelId);
    const splits: { frame: number; kind: string; embeddedSinceSwap: number }[] = [];
    const embedded: Sample[] = [];
    let embeddedSinceSwap = 0;
    for (const s of samples) {
      const wants = gate.wantsEmbedding(1);
      if (wants && s.frame >= swapFrame) embeddedSinceSwap++;
      if (wants) embedded.push(s);
      const d = gate.update(1, s.frame, s.bbox, wants ? s.embedding : undefined);
      if (d.split) splits.push({ frame: s.frame, kind: d.split, embeddedSinceSwap });
    }
    return { splits, embedded };
  }

  test('the gate splits within `streak` embedded frames of the swap; disabled, it does not', () => {
    assert.ok(samples.some((s) => s.frame < swapFrame) && samples.some((s) => s.frame > swapFrame + 3 * GATE.emb_every * STRIDE));
    const on = runGate(GATE);
    assert.equal(on.splits.length, 1, JSON.stringify(on.splits));
    assert.ok(on.splits[0].frame >= swapFrame && on.splits[0].embeddedSinceSwap <= GATE.streak, JSON.stringify(on.splits));
    assert.equal(runGate({ ...GATE, enabled: false }).splits.length, 0);
  });

  test('same person across frames median cosine ≥ 0.7; the two people ≤ 0.3', () => {
    const ids = [...new Set(samples.map((s) => s.gtId))];
    assert.equal(ids.length, 2);
    const of = (id: number) => samples.filter((s) => s.gtId === id).map((s) => s.embedding);
    const pairs = (a: Float32Array[], b: Float32Array[], same: boolean) =>
      a.flatMap((x, i) => b.filter((_, j) => !same || j > i).map((y) => cosine(x, y)));
    const same = [...pairs(of(ids[0]), of(ids[0]), true), ...pairs(of(ids[1]), of(ids[1]), true)];
    const diff = pairs(of(ids[0]), of(ids[1]), false);
    assert.ok(median(same) >= 0.7, `same ${median(same)}`);
    assert.ok(median(diff) <= 0.3, `different ${median(diff)}`);
  });

  test('faces_embed: prototypes per track; G3 reuses the gate embedding, equal to the recomputed one', async () => {
    // Manifests as the engine writes them: a track per GT face, a detection per analysed frame.
    // Person A's track carries the gate's faces (as the recorder writes them); B's does not.
    const tracks = new Map<number, MotRow[]>();
    for (const r of gt.filter((g) => g.frame % STRIDE === 0)) tracks.set(r.id, [...(tracks.get(r.id) ?? []), r]);
    const idA = [...tracks.keys()][0];
    const { splits, embedded } = runGate(GATE);
    const gateFaces: GateFace[] = embedded.filter((s) => s.gtId === idA && s.frame < splits[0].frame)
      .map((s) => ({ frame_idx: s.frame, conf: 0.95, face: { embedding: s.embedding, quality: s.quality }, ts: s.frame / video.fps, bbox_xyxy: s.bbox }));
    const gateFrames = new Set(gateFaces.map((f) => f.frame_idx));
    const detections = [...tracks.values()].flat().sort((a, b) => a.frame - b.frame)
      .map((r) => ({
        ep_id: 'swap', frame_idx: r.frame, ts: r.frame / video.fps, class: 'face', conf: 0.95, bbox_xyxy: r.bbox, track_id: r.id,
        ...(r.id === idA && gateFrames.has(r.frame) ? { gate_embedded: true } : {}),
      }));
    const { fields: gateA, picks } = gatePrototype(gateFaces, EMBED, embedder.modelId);
    const gateOut = new GateFacesWriter(join(dir, MANIFEST_FILES.gateFaces));
    gateOut.add(idA, picks);
    await gateOut.close();
    assert.ok(gateA.gate_embedding && gateA.gate_samples! >= EMBED.min_samples, JSON.stringify({ ...gateA, gate_embedding: undefined }));
    const trackRows = [...tracks].map(([id, rows]) => ({
      ep_id: 'swap', track_id: id, class: 'face', first_frame_idx: rows[0].frame, last_frame_idx: rows[rows.length - 1].frame,
      ...(id === idA ? gateA : {}),
    }));
    const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
    await writeFile(join(dir, 'detections.jsonl'), jsonl(detections));
    const run = async (g3: boolean, cfg = EMBED) => {
      const summary = await runFacesEmbed({ manifestsDir: dir, video, ffmpegPath, embedder, cfg, g3 });
      const read = async <T>(name: string) => (await readFile(join(dir, name), 'utf8')).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
      return { summary, faces: await read<FaceRow>(MANIFEST_FILES.faces), protos: await read<FaceTrackRow>(MANIFEST_FILES.faceTracks) };
    };

    await writeFile(join(dir, 'tracks.jsonl'), jsonl(trackRows));
    const off = await run(false);
    assert.equal(off.summary.reused, 0);
    const shape = JSON.parse(await readFile(join(dir, MANIFEST_FILES.faceVectorsShape), 'utf8'));
    const f32 = await readFile(join(dir, MANIFEST_FILES.faceVectors));
    assert.deepEqual(shape.shape, [off.summary.embedded, 512]);
    assert.equal(f32.length, off.summary.embedded * 512 * 4);
    assert.equal(off.faces.filter((f) => f.embedding_row !== undefined).length, off.summary.embedded);
    for (const id of tracks.keys()) {
      const rows = off.faces.filter((f) => f.track_id === id);
      // A's samples are drawn from the gate's faces, first to last; B's from all its rows.
      const frames = id === idA ? [...gateFrames] : tracks.get(id)!.map((r) => r.frame);
      assert.ok(rows.length >= EMBED.min_samples && rows.length <= EMBED.max_samples);
      assert.equal(rows[0].frame_idx, frames[0]);
      assert.equal(rows[rows.length - 1].frame_idx, frames[frames.length - 1]);
      if (id === idA) assert.ok(rows.every((r) => gateFrames.has(r.frame_idx)));
    }
    const [pa, pb] = off.protos.sort((a, b) => a.track_id - b.track_id);
    assert.ok(cosine(pa.embedding!, pb.embedding!) <= 0.3);
    assert.ok(pa.spread! >= 0 && pa.spread! < 0.3);

    const on = await run(true);
    assert.equal(on.summary.reused, 1, 'reused 1 of 2 tracks');
    // The reused track's faces are still rows (from gate_faces.jsonl), with the gate's embeddings; only their frames are not decoded.
    const facesOf = (r: typeof on, id: number) => r.faces.filter((f) => f.track_id === id);
    assert.deepEqual(facesOf(on, pa.track_id).map((f) => f.frame_idx), facesOf(off, pa.track_id).map((f) => f.frame_idx));
    assert.ok(on.summary.frames_decoded < off.summary.frames_decoded, `frames decoded ${on.summary.frames_decoded} with G3, ${off.summary.frames_decoded} without`);
    const reused = on.protos.find((p) => p.track_id === pa.track_id)!;
    assert.equal(reused.source, 'gate');
    const g3Cos = cosine(reused.embedding!, pa.embedding!);
    console.log(`G3: reused ${on.summary.reused} of ${on.summary.tracks}; gate vs faces_embed prototype cosine ${g3Cos.toFixed(4)}; ` +
      `frames decoded ${on.summary.frames_decoded} vs ${off.summary.frames_decoded}, ${on.summary.wall_s} s vs ${off.summary.wall_s} s`);
    assert.ok(g3Cos >= 0.9999, `gate prototype vs recomputed: ${g3Cos}`);
    assert.equal(reused.kept, pa.kept);
    const recomputed = on.protos.find((p) => p.track_id === pb.track_id)!;
    assert.ok(cosine(recomputed.embedding!, pb.embedding!) > 0.9999);
  });

  test('faces_embed: a track whose crops are all gated out gets a skip reason, no crash', async () => {
    const res = await runFacesEmbed({ manifestsDir: dir, video, ffmpegPath, embedder, cfg: { ...EMBED, min_sharpness: 1e5 }, g3: false });
    assert.equal(res.embedded, 0);
    assert.equal(res.tracks_without_faces, 2);
    const protos = (await readFile(join(dir, MANIFEST_FILES.faceTracks), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as FaceTrackRow);
    assert.ok(protos.every((p) => p.skip === 'no_usable_faces' && !p.embedding));
    const faces = (await readFile(join(dir, MANIFEST_FILES.faces), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as FaceRow);
    assert.ok(faces.every((f) => f.skip === 'sharpness'));
    assert.equal((await readFile(join(dir, MANIFEST_FILES.faceVectors))).length, 0);
  });
});
