import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../server/engine/manifests/atomic-file';
import { JsonlWriter } from '../../server/engine/manifests/jsonl-writer';
import { roundBBox, roundConf, roundTs } from '../../server/engine/manifests/manifest-types';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'manifests-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const readLines = (path: string): unknown[] =>
  readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

test('writeFileAtomic replaces the file and leaves no temp file', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'a.json');
  writeFileSync(path, 'old');
  await writeFileAtomic(path, 'new');
  assert.equal(readFileSync(path, 'utf8'), 'new');
  await writeJsonAtomic(path, { x: [1, 2] });
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { x: [1, 2] });
  assert.deepEqual(readdirSync(dir), ['a.json']);
});

test('writeFileAtomic rejects into a missing folder and leaves nothing behind', async (t) => {
  const dir = tempDir(t);
  await assert.rejects(writeFileAtomic(join(dir, 'missing', 'a.json'), 'x'), { code: 'ENOENT' });
  assert.deepEqual(readdirSync(dir), []);
});

test('JsonlWriter writes to .partial and renames on close, rows in order', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'rows.jsonl');
  const w = new JsonlWriter<{ i: number; s: string }>(path, { chunkBytes: 100 });
  for (let i = 0; i < 500; i++) w.write({ i, s: 'ü'.repeat(i % 7) });
  await w.drain();
  assert.ok(existsSync(`${path}.partial`));
  assert.ok(!existsSync(path));
  assert.equal(w.rows, 500);
  await w.close();
  assert.ok(!existsSync(`${path}.partial`));
  const rows = readLines(path) as { i: number }[];
  assert.deepEqual(rows.map((r) => r.i), [...Array(500).keys()]);
  await assert.rejects(w.close());
  assert.throws(() => w.write({ i: 0, s: '' }));
});

test('JsonlWriter.abandon leaves the .partial with the rows handed over', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'rows.jsonl');
  const w = new JsonlWriter(path);
  w.write({ a: 1 });
  w.write({ a: 2 });
  await w.abandon();
  assert.ok(!existsSync(path));
  assert.deepEqual(readLines(`${path}.partial`), [{ a: 1 }, { a: 2 }]);
});

test('JsonlWriter.write reports backpressure above the high-water mark until drained', async (t) => {
  const dir = tempDir(t);
  const w = new JsonlWriter(join(dir, 'rows.jsonl'), { chunkBytes: 1024, highWaterMark: 4096 });
  const row = { pad: 'x'.repeat(100) };
  let writes = 0;
  while (w.write(row)) writes++;
  assert.ok(writes > 20 && writes < 45, `backpressure after ${writes} rows`);
  await w.drain();
  assert.equal(w.write(row), true);
  await w.close();
});

test('JsonlWriter surfaces an open failure on drain and close, keeping nothing under the final name', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'missing', 'rows.jsonl');
  const w = new JsonlWriter(path);
  w.write({ a: 1 });
  await assert.rejects(w.drain(), { code: 'ENOENT' });
  await assert.rejects(w.close(), { code: 'ENOENT' });
  assert.ok(!existsSync(path));
});

test('rounding: 0.1 px boxes, 4-decimal conf and ts', () => {
  assert.deepEqual(roundBBox([10.04, 10.06, 99.96, 0.149]), [10, 10.1, 100, 0.1]);
  assert.equal(roundConf(0.912345), 0.9123);
  assert.equal(roundTs(125 / 24), 5.2083);
});
