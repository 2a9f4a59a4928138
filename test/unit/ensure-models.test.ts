import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_MODELS } from '../../server/engine/models/default-models';
import { ensureModels, sha256File } from '../../server/engine/models/ensure-models';

const DETECT = DEFAULT_MODELS[0];

describe('ensureModels', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'episode-lab-models-'));
  let good: Record<string, string>;
  let n = 0;

  /** A fresh models dir holding verified copies, with fr_detect.onnx replaced by junk. */
  function dirWithCorruptDetect(): string {
    const dir = join(scratch, `models-${n++}`);
    mkdirSync(dir);
    for (const path of Object.values(good)) copyFileSync(path, join(dir, basename(path)));
    writeFileSync(join(dir, DETECT.file), 'not a model');
    return dir;
  }

  /** Runs fn with npm unable to reach the registry: offline, with an empty npm cache. */
  async function offline<T>(fn: () => Promise<T>): Promise<T> {
    const saved = { offline: process.env.npm_config_offline, cache: process.env.npm_config_cache };
    process.env.npm_config_offline = 'true';
    process.env.npm_config_cache = mkdtempSync(join(scratch, 'npm-cache-'));
    try {
      return await fn();
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[`npm_config_${key}`];
        else process.env[`npm_config_${key}`] = value;
      }
    }
  }

  before(async () => {
    good = await ensureModels();
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('returns absolute paths of the three verified models', async () => {
    for (const m of DEFAULT_MODELS) assert.equal(await sha256File(good[m.key]), m.sha256);
    assert.deepEqual(Object.keys(good).sort(), ['detect', 'feature', 'landmark']);
  });

  test('EPISODE_LAB_MODELS names the folder; missing files are extracted there', async () => {
    const dir = join(scratch, 'from-env');
    const saved = process.env.EPISODE_LAB_MODELS;
    process.env.EPISODE_LAB_MODELS = dir;
    try {
      const paths = await ensureModels();
      assert.equal(paths.detect, join(dir, DETECT.file));
      for (const m of DEFAULT_MODELS) assert.equal(await sha256File(paths[m.key]), m.sha256);
    } finally {
      if (saved === undefined) delete process.env.EPISODE_LAB_MODELS;
      else process.env.EPISODE_LAB_MODELS = saved;
    }
  });

  test('a corrupt model is fetched again and then verifies', async () => {
    const dir = dirWithCorruptDetect();
    const log: string[] = [];
    const paths = await ensureModels({ dir, log: (m) => log.push(m) });
    assert.equal(await sha256File(paths.detect), DETECT.sha256);
    assert.match(log[0], /fr_detect\.onnx: sha256 [0-9a-f]{64} does not match the pinned 6c0256/);
  });

  test('a corrupt model that cannot be fetched again: one clear line', async () => {
    const dir = dirWithCorruptDetect();
    const actual = await sha256File(join(dir, DETECT.file));
    const emptyCache = mkdtempSync(join(scratch, 'tarballs-'));
    await offline(() =>
      assert.rejects(ensureModels({ dir, cacheDir: emptyCache }), (err: Error) => {
        assert.ok(!err.message.includes('\n'), err.message);
        assert.ok(err.message.includes(`${join(dir, DETECT.file)} has sha256 ${actual}, expected ${DETECT.sha256}`), err.message);
        assert.match(err.message, /npm pack faceplugin-face-recognition-js@0\.0\.1 failed/);
        assert.match(err.message, /run `npm run models`.*or delete the file$/);
        return true;
      }),
    );
  });

  test('a cached tarball with wrong contents is discarded and fetched once more', async () => {
    const dir = dirWithCorruptDetect();
    const cacheDir = mkdtempSync(join(scratch, 'tarballs-'));
    const src = join(scratch, 'fake');
    mkdirSync(join(src, 'package', 'model'), { recursive: true });
    writeFileSync(join(src, DETECT.member), 'also not a model');
    const tarball = join(cacheDir, 'faceplugin-face-recognition-js-0.0.1.tgz');
    execFileSync('tar', ['-czf', tarball, '-C', src, DETECT.member]);
    const log: string[] = [];
    await offline(() => assert.rejects(ensureModels({ dir, cacheDir, log: (m) => log.push(m) }), /npm pack .* failed/));
    assert.ok(log.some((m) => /cached .* tarball gives a wrong fr_detect\.onnx; fetching it again/.test(m)), log.join('\n'));
    assert.equal(existsSync(tarball), false);
  });
});
