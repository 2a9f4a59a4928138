// The stage cache's parts: the analysis key, the entry file format, entry safety (temp + rename,
// checksums, leftover temps) and eviction.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../server/config/episode-config';
import { AnalysisWriter, readAnalysis, ROWS_FILE, EMBEDDINGS_FILE } from '../../server/engine/cache/analysis-file';
import { analysisInputs, binaryIdentity, engineCodeHash, fileIdentity, stageKey } from '../../server/engine/cache/stage-key';
import { canonicalJson } from '../../server/engine/cache/canonical-json';
import { beginEntry, checkEntry, commitEntry, entryDir, evictEntries, isCacheName, removeTemps, type StageManifest } from '../../server/engine/cache/stage-store';
import type { BBox } from '../../server/engine/types';

const tmp = () => mkdtempSync(join(tmpdir(), 'cache-unit-'));
const VIDEO = { size: 10, mtime_ms: 1, head_sha256: 'h', tail_sha256: 't' };
const FFMPEG = { path: '/usr/bin/ffmpeg', size: 20, mtime_ms: 1, head_sha256: 'fh', tail_sha256: 'ft' };
const cfg = (over: Record<string, unknown> = {}) => resolveConfig({ ep_id: 'e', video: 'v.mp4', ...over });
const key = (over: Record<string, unknown> = {}, video = VIDEO, det = 'd1', emb: string | null = 'e1', engine = 'code1', ffmpeg = FFMPEG) =>
  stageKey(analysisInputs(cfg(over), engine, video, ffmpeg, det, emb));

describe('analysis key', () => {
  test('canonical JSON ignores key order', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), canonicalJson({ a: [{ c: 3, d: 2 }], b: 1 }));
  });

  test('tracker, gate, recorder and export settings leave it unchanged', () => {
    const base = key();
    assert.equal(key({ tracker: { match_thresh: 0.6, track_buffer: 10 } }), base);
    assert.equal(key({ gate: { appear_hard: 0.2 } }), base);
    assert.equal(key({ optimizations: { b4: false, d1: false, c3: false } }), base);
    assert.equal(key({ export: { crops: true } }), base);
  });

  test('each input of the stage changes it', () => {
    const base = key();
    const changed = [
      key({ stride: 3 }), key({ fps: 4 }), key({ detector: { conf_threshold: 0.4 } }), key({ detector: { nms_iou: 0.4 } }),
      key({ detector: { min_size: 20 } }), key({ detector: { tiles: [2, 2] } }), key({ detector: { tiles: 'auto' } }),
      key({ detector: { tiles: 'auto', auto_tiles: { refresh: 8 } } }), key({ detector: { tiles: [2, 2], verify: { min_redetect: 0.6 } } }),
      key({ detector: { tiles: [2, 2], verify: { scope: 'off' } } }), key({ detector: { verify: { scope: 'all' } } }), key({ scene: { threshold: 0.3 } }),
      key({ scene: { min_len: 4 } }), key({ scene: { warmup: 1 } }), key({ scene: { cooldown: 10 } }), key({ scene: { enabled: false } }),
      key({ optimizations: { f1: false } }), key({}, { ...VIDEO, mtime_ms: 2 }), key({}, { ...VIDEO, tail_sha256: 'x' }),
      key({}, VIDEO, 'd2'), key({}, VIDEO, 'd1', null), key({}, VIDEO, 'd1', 'e1', 'code2'),
      // Another ffmpeg, or the same path upgraded in place.
      key({}, VIDEO, 'd1', 'e1', 'code1', { ...FFMPEG, path: '/opt/ffmpeg' }), key({}, VIDEO, 'd1', 'e1', 'code1', { ...FFMPEG, tail_sha256: 'x' }),
    ];
    for (const k of changed) assert.notEqual(k, base);
    assert.equal(new Set(changed).size, changed.length);
  });

  test('tile and face-check settings count only where they act', () => {
    // No tiles: auto_tiles and the check's thresholds decide nothing; a fixed grid ignores auto_tiles.
    assert.equal(key({ detector: { auto_tiles: { refresh: 8 }, verify: { min_redetect: 0.9 } } }), key());
    assert.equal(key({ detector: { tiles: [2, 2], auto_tiles: { grid: [3, 3] } } }), key({ detector: { tiles: [2, 2] } }));
    assert.equal(key({ detector: { tiles: [2, 2], verify: { scope: 'off', min_redetect: 0.9 } } }), key({ detector: { tiles: [2, 2], verify: { scope: 'off' } } }));
    const withLandmarks = (sha: string) => stageKey(analysisInputs(cfg({ detector: { tiles: 'auto' } }), 'code1', VIDEO, FFMPEG, 'd1', 'e1', sha));
    assert.notEqual(withLandmarks('l1'), withLandmarks('l2'), 'the landmark model is part of the check');
  });

  test('the engine code hash is stable between calls', async () => {
    assert.match(await engineCodeHash(), /^[0-9a-f]{64}$/);
    assert.equal(await engineCodeHash(), await engineCodeHash());
  });

  test('file identity: size, mtime and the hashes of the first and last MiB', async () => {
    const dir = tmp();
    const f = join(dir, 'v.bin');
    writeFileSync(f, Buffer.alloc(3 << 20, 1));
    const a = await fileIdentity(f);
    utimesSync(f, new Date(), new Date(Date.now() + 5000));
    const b = await fileIdentity(f);
    assert.notEqual(a.mtime_ms, b.mtime_ms);
    assert.equal(a.head_sha256, b.head_sha256);
    const buf = Buffer.alloc(3 << 20, 1);
    buf[buf.length - 1] = 2;
    writeFileSync(f, buf);
    const c = await fileIdentity(f);
    assert.equal(c.head_sha256, a.head_sha256);
    assert.notEqual(c.tail_sha256, a.tail_sha256);
  });

  test('the ffmpeg binary is identified through its links: its real path and its file', async () => {
    const dir = tmp();
    const bin = join(dir, 'ffmpeg-6.1');
    writeFileSync(bin, 'not really ffmpeg');
    symlinkSync(bin, join(dir, 'ffmpeg'));
    const viaLink = await binaryIdentity(join(dir, 'ffmpeg'));
    assert.deepEqual(viaLink, { path: bin, ...(await fileIdentity(bin)) });
  });
});

describe('analysis entry files', () => {
  test('rows, embeddings, face quality and rejected boxes round-trip exactly', async () => {
    const dir = tmp();
    const w = new AnalysisWriter(dir);
    const dets = [{ bbox: [1.5, 2.25, 30.123456789, 40.1] as BBox, conf: 0.912345678 }, { bbox: [5, 6, 7, 8] as BBox, conf: 0.3 }];
    const faces = [
      { embedding: Float32Array.from([0.1, 0.2, 0.3]), quality: { contrast: 41.123456789, sharpness: 812.5 } },
      { embedding: Float32Array.from([-1, 0, 1]), quality: { contrast: 3, sharpness: 0.1 } },
    ];
    const rejected = [{ bbox: [100, 100, 140.5, 150] as BBox, conf: 0.99812, reason: 'redetect' as const }];
    w.cut(0, true);
    w.frame(0, 0, dets, faces);
    w.frame(1, 0.04, [dets[1]], undefined, rejected);
    w.cut(7, false);
    const files = await w.close();
    assert.equal(w.rows, 4);
    assert.equal(w.embeddings, 2);
    assert.equal(files[EMBEDDINGS_FILE].bytes, 2 * 3 * 4);
    const rows = [];
    for await (const r of readAnalysis(dir, 3)) rows.push(r);
    assert.deepEqual(rows, [
      { kind: 'cut', idx: 0, reset: true },
      { kind: 'frame', idx: 0, ts: 0, dets, faces },
      { kind: 'frame', idx: 1, ts: 0.04, dets: [dets[1]], faces: undefined, rejected },
      { kind: 'cut', idx: 7, reset: false },
    ]);
  });

  test('abandoning with writes still in flight (a cancel) neither crashes nor hangs a pending drain', async () => {
    const w = new AnalysisWriter(tmp());
    const faces = Array.from({ length: 4 }, () => ({ embedding: new Float32Array(512), quality: { contrast: 1, sharpness: 1 } }));
    const dets = faces.map(() => ({ bbox: [0, 0, 1, 1] as BBox, conf: 0.5 }));
    await new Promise((r) => setTimeout(r, 20)); // the files are open, so the writes below go to disk at once
    let full = false;
    for (let i = 0; i < 200; i++) full = !w.frame(i, i / 25, dets, faces) || full;
    assert.ok(full, '1.6 MB of embeddings fill the 1 MiB buffer');
    const drained = w.drain();
    await w.abandon();
    await drained;
    await new Promise((r) => setTimeout(r, 50)); // an unheard stream error would surface here as an uncaught exception
  });

  test('an entry appears only on commit; truncation and a changed key are caught', async () => {
    const root = tmp();
    const k = 'a'.repeat(64);
    const dir = entryDir(root, 'analysis', k);
    const t = await beginEntry(root, 'analysis', k);
    const w = new AnalysisWriter(t);
    w.frame(0, 0, [{ bbox: [0, 0, 10, 10], conf: 0.9 }], [{ embedding: Float32Array.from([1, 2]), quality: { contrast: 1, sharpness: 1 } }]);
    const files = await w.close();
    assert.equal((await checkEntry(dir, k)).ok, false, 'not visible before commit');
    const manifest: StageManifest = { stage: 'analysis', key: k, inputs: {}, files, created_at: '' };
    await commitEntry(t, dir, manifest);
    assert.equal((await checkEntry(dir, k)).ok, true);
    assert.deepEqual(await checkEntry(dir, 'b'.repeat(64)), { ok: false, reason: 'key mismatch' });
    truncateSync(join(dir, ROWS_FILE), 5);
    const bad = await checkEntry(dir, k);
    assert.equal(bad.ok, false);
    assert.match((bad as { reason: string }).reason, /rows\.jsonl is 5 bytes/);
  });

  test('a same-size alteration fails the checksum', async () => {
    const root = tmp();
    const k = 'c'.repeat(64);
    const t = await beginEntry(root, 'analysis', k);
    const w = new AnalysisWriter(t);
    w.cut(3, true);
    await commitEntry(t, entryDir(root, 'analysis', k), { stage: 'analysis', key: k, inputs: {}, files: await w.close(), created_at: '' });
    writeFileSync(join(entryDir(root, 'analysis', k), ROWS_FILE), '{"cut":4,"reset":true}\n');
    assert.match(((await checkEntry(entryDir(root, 'analysis', k), k)) as { reason: string }).reason, /checksum/);
  });

  test('leftover temp folders are removed (under the episode lock, nobody builds one), entries kept', async () => {
    const root = tmp();
    mkdirSync(join(root, '.tmp-analysis-abc-999999999'));
    await beginEntry(root, 'analysis', 'd'.repeat(64));
    mkdirSync(entryDir(root, 'analysis', 'e'.repeat(64)));
    await removeTemps(root);
    assert.deepEqual(readdirSync(root), [`analysis-${'e'.repeat(24)}`]);
    assert.ok(isCacheName(`analysis-${'e'.repeat(24)}`) && isCacheName('.tmp-analysis-x-1'));
    assert.ok(!isCacheName('notes.txt') && !isCacheName('My Files'));
  });

  test('eviction keeps the most recently used entries', async () => {
    const root = tmp();
    for (const [i, name] of ['analysis-1', 'analysis-2', 'analysis-3', 'other-1'].entries()) {
      mkdirSync(join(root, name));
      utimesSync(join(root, name), new Date(), new Date(1e12 + i * 1000));
    }
    const removed = await evictEntries(root, 'analysis', 2);
    assert.deepEqual(removed.map((p) => p.split('/').pop()), ['analysis-1']);
    assert.deepEqual(readdirSync(root).sort(), ['analysis-2', 'analysis-3', 'other-1']);
  });
});
