// The appearance gate and faces_embed inside full engine runs (real ONNX models, real ffmpeg).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEpisode } from '../fixtures/episode-generator';
import { sharedClip } from '../helpers/shared-data';
import { readJsonl, readManifest, runCli } from '../helpers/run-cli';

const tos = sharedClip('clip_01_tears_of_steel.mp4');

async function engine(video: string, extra: string[]): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'ep-id-'));
  const r = await runCli(['--ep-id', 'e', '--video', video, '--output-root', root, '--quiet', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return join(root, 'e');
}

/** faces.f32 rows by face row, as unit vectors. */
function faceEmbeddings(out: string): { rows: any[]; vec: (row: number) => Float32Array } {
  const rows = readJsonl(out, 'faces.jsonl');
  const shape = readManifest(out, 'faces.f32.json').shape as [number, number];
  const buf = readFileSync(join(out, 'manifests', 'faces.f32'));
  assert.equal(buf.length, shape[0] * shape[1] * 4);
  assert.equal(shape[0], rows.filter((r) => r.embedding_row !== undefined).length, 'one vector per non-skipped row');
  const all = new Float32Array(buf.buffer, buf.byteOffset, shape[0] * shape[1]);
  return { rows, vec: (row) => all.subarray(row * shape[1], (row + 1) * shape[1]) };
}

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

test('swap without a cut: the gate splits the track; with the gate off it does not', async () => {
  const ep = await generateEpisode({ width: 640, height: 360, fps: 24, seed: 4, preset: 'swap' });
  const on = await engine(ep.video, []);
  const tracksOn = readJsonl(on, 'tracks.jsonl');
  const m = readManifest(on, 'track_metrics.json');
  assert.ok(m.forced_splits >= 1, `forced splits ${m.forced_splits}`);
  const split = tracksOn.find((t) => t.split_reason && t.split_reason !== 'max_gap');
  assert.ok(split, `a gate split: ${JSON.stringify(tracksOn.map((t) => [t.track_id, t.first_frame_idx, t.last_frame_idx, t.split_reason]))}`);
  const swapAt = ep.frames / 2;
  // Embedded every emb_every (3) analysed frames at stride 6, a streak of 3: within 3 × 3 × 6 frames.
  assert.ok(split.first_frame_idx >= swapAt && split.first_frame_idx <= swapAt + 3 * 3 * 6, `split at ${split.first_frame_idx}, swap at ${swapAt}`);

  const off = await engine(ep.video, ['--no-gate']);
  assert.equal(readManifest(off, 'track_metrics.json').forced_splits, 0);
  assert.equal(readJsonl(off, 'tracks.jsonl').length, 1, 'one track through the swap without the gate');
});

test('Tears of Steel: no track holds two people, the close-up is not shattered, G3 reuses gate embeddings', { skip: tos.skip }, async () => {
  const out = await engine(tos.path, ['--faces-embed', '--no-g3']);
  const { rows, vec } = faceEmbeddings(out);
  const byTrack = new Map<number, any[]>();
  for (const r of rows) if (r.embedding_row !== undefined) byTrack.set(r.track_id, [...(byTrack.get(r.track_id) ?? []), r]);
  for (const [id, faces] of byTrack) {
    const sim = cosine(vec(faces[0].embedding_row), vec(faces[faces.length - 1].embedding_row));
    assert.ok(sim >= 0.35, `track ${id}: first and last faces differ (cosine ${sim.toFixed(2)})`);
  }
  const closeUp = readJsonl(out, 'tracks.jsonl').filter((t) => t.first_frame_idx >= 65 && t.last_frame_idx <= 184);
  assert.ok(closeUp.length >= 1 && closeUp.length <= 2, `close-up (1 visible face) in ${closeUp.length} tracks`);

  // G3 on: tracks with a gate embedding are reused, not recomputed, and the reused prototypes
  // equal the recomputed ones (same faces, same weights).
  const g3 = await engine(tos.path, ['--faces-embed']);
  const fe = readManifest(g3, 'track_metrics.json').faces_embed;
  const reused = readJsonl(g3, 'tracks.jsonl').filter((t) => t.gate_embedding);
  assert.ok(reused.length >= 1);
  assert.equal(fe.reused, reused.length);
  assert.ok(fe.frames_decoded < readManifest(out, 'track_metrics.json').faces_embed.frames_decoded, 'G3 decodes fewer frames');
  // faces.jsonl is complete with G3: a row per sampled face, the same faces, and their vectors
  // agree with the recomputed ones.
  const faces = faceEmbeddings(g3);
  assert.ok(faces.rows.length > 0);
  assert.deepEqual(faces.rows.map((r) => [r.face_id, r.track_id, r.frame_idx, r.skip ?? null]), rows.map((r) => [r.face_id, r.track_id, r.frame_idx, r.skip ?? null]));
  assert.equal(faces.rows.filter((r) => r.embedding_row !== undefined).length, rows.filter((r) => r.embedding_row !== undefined).length);
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].embedding_row === undefined) continue;
    const sim = cosine(faces.vec(faces.rows[i].embedding_row), vec(rows[i].embedding_row));
    assert.ok(sim >= 0.99, `face ${i} (track ${rows[i].track_id}, frame ${rows[i].frame_idx}): G3 vs recomputed cosine ${sim.toFixed(4)}`);
  }
  const proto = (dir: string) => new Map(readJsonl(dir, 'face_tracks.jsonl').map((t) => [t.track_id, t]));
  const [fresh, onG3] = [proto(out), proto(g3)];
  assert.deepEqual([...onG3.keys()], [...fresh.keys()]);
  for (const { track_id: id } of reused) {
    const [a, b] = [onG3.get(id), fresh.get(id)];
    assert.equal(a.source, 'gate');
    assert.equal(a.kept, b.kept, `track ${id}: faces kept`);
    const sim = cosine(a.embedding, b.embedding);
    assert.ok(sim >= 0.99, `track ${id}: reused vs recomputed prototype cosine ${sim.toFixed(4)}`);
  }
});
