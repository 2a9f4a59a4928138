// Ground-truth readers (MOTChallenge text, CVAT "MOT 1.1" zip and folder), the zip container
// both ways, and track interpolation for `evaluation.frames: all`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { framesPastEnd, parseMot, readGroundTruth, GroundTruthError, describeProblems } from '../../server/engine/eval/ground-truth';
import { readZip, writeZip, crc32 } from '../../server/engine/eval/zip';
import { interpolateTracks } from '../../server/engine/eval/interpolate';

const FIX = join(__dirname, '..', 'fixtures');
// test/fixtures/cvat-mot/gt/gt.txt: 5 lines; line 4 is marked not considered (7th field 0).
const EXPECTED_ROWS = [
  { frame: 0, id: 1, x1: 10, y1: 20, x2: 40, y2: 60, line: 1 },
  { frame: 1, id: 1, x1: 12, y1: 20, x2: 42, y2: 60, line: 2 },
  { frame: 1, id: 2, x1: 100, y1: 50, x2: 120, y2: 75, line: 3 },
  { frame: 3, id: 1, x1: 16, y1: 20, x2: 46, y2: 60, line: 5 },
];

test('MOTChallenge gt.txt: 1-based frames become 0-based, ignored rows are left out', async () => {
  const gt = await readGroundTruth(join(FIX, 'cvat-mot', 'gt', 'gt.txt'), 1);
  assert.deepEqual(gt.rows, EXPECTED_ROWS);
  assert.equal(gt.ignored, 1);
  assert.deepEqual(gt.problems, []);
  assert.equal(gt.labels, undefined);
});

test('frame_base 0 keeps the file\'s numbers', () => {
  const r = parseMot('0,7,1,2,3,4\n', { frameBase: 0, dropIgnored: true });
  assert.deepEqual(r.rows, [{ frame: 0, id: 7, x1: 1, y1: 2, x2: 4, y2: 6, line: 1 }]);
});

test('CVAT MOT 1.1 export: the zip (deflated by Info-ZIP, and stored) and its unpacked folder read alike', async () => {
  for (const p of [join(FIX, 'cvat-mot.zip'), join(FIX, 'cvat-mot-stored.zip'), join(FIX, 'cvat-mot')]) {
    const gt = await readGroundTruth(p, 1);
    assert.deepEqual(gt.rows, EXPECTED_ROWS, p);
    assert.deepEqual(gt.labels, ['face'], p);
    assert.deepEqual(gt.problems, [], p);
  }
  assert.equal((await readGroundTruth(join(FIX, 'cvat-mot.zip'), 1)).file, 'cvat-mot.zip › gt/gt.txt');
});

test('malformed lines are reported with their line numbers, good lines still read', () => {
  const text = [
    '1,1,10,20,30,40,1,1,1', // 1 ok
    '', // 2 blank: skipped silently
    '2,1,10,20', // 3 too few fields
    '2,x,10,20,30,40,1,1,1', // 4 not a number
    '2.5,1,10,20,30,40,1,1,1', // 5 fractional frame
    '3,1,10,20,-30,40,1,1,1', // 6 negative width
    '0,1,10,20,30,40,1,1,1', // 7 before frame_base
    '1,1,11,20,30,40,1,1,1', // 8 id 1 again on frame 1
    '4,2,10,20,30,40,1,1,1\r', // 9 ok (CRLF)
  ].join('\n');
  const r = parseMot(text, { frameBase: 1, dropIgnored: true });
  assert.deepEqual(r.rows.map((x) => x.line), [1, 9]);
  assert.deepEqual(r.problems, [
    { line: 3, message: 'expected at least 6 comma-separated fields (frame, id, left, top, width, height), got 4' },
    { line: 4, message: 'field 2 (id) is not a number: "x"' },
    { line: 5, message: 'frame and id must be whole numbers, got 2.5, 1' },
    { line: 6, message: 'negative box size -30×40' },
    { line: 7, message: 'frame 0 is before the first frame (evaluation.frame_base is 1)' },
    { line: 8, message: 'id 1 appears twice on frame 1 (first on line 1)' },
  ]);
  assert.equal(describeProblems('gt.txt', r.problems), 'ground truth gt.txt line 3: expected at least 6 comma-separated fields (frame, id, left, top, width, height), got 4 (and 5 more problems)');
});

test('frames past the video\'s end are reported at their lines', () => {
  const r = parseMot('1,1,0,0,5,5\n10,1,0,0,5,5\n11,1,0,0,5,5\n', { frameBase: 1, dropIgnored: true });
  assert.deepEqual(framesPastEnd({ file: 'gt.txt', ...r }, 10, 1), [
    { line: 3, message: "frame 11 is past the video's end (its last frame is 10 with evaluation.frame_base 1)" },
  ]);
});

test('a missing file, a folder without gt.txt and a damaged zip are one clear error each', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-'));
  try {
    await assert.rejects(readGroundTruth(join(dir, 'nope.txt'), 1), (e: Error) => e instanceof GroundTruthError && /not found/.test(e.message));
    await assert.rejects(readGroundTruth(dir, 1), /has no gt\/gt.txt/);
    writeFileSync(join(dir, 'bad.zip'), readFileSync(join(FIX, 'cvat-mot.zip')).subarray(0, 100));
    await assert.rejects(readGroundTruth(join(dir, 'bad.zip'), 1), /bad.zip: not a zip archive/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeZip makes archives that Info-ZIP unpacks, and readZip reads them back', (t) => {
  const files = [{ name: 'gt/gt.txt', data: Buffer.from('1,1,2,3,4,5,1,1,1\n'.repeat(50)) }, { name: 'gt/labels.txt', data: Buffer.from('face\n') }];
  const zip = writeZip(files);
  const back = readZip(zip);
  assert.deepEqual([...back.keys()], ['gt/gt.txt', 'gt/labels.txt']);
  assert.ok(back.get('gt/gt.txt')!.equals(files[0].data));
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  const dir = mkdtempSync(join(tmpdir(), 'zip-'));
  try {
    writeFileSync(join(dir, 'a.zip'), zip);
    let listed: string;
    try {
      execFileSync('unzip', ['-t', join(dir, 'a.zip')], { encoding: 'utf8' });
      listed = execFileSync('unzip', ['-p', join(dir, 'a.zip'), 'gt/labels.txt'], { encoding: 'utf8' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return t.skip('Info-ZIP unzip is not installed');
      throw e;
    }
    assert.equal(listed, 'face\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('interpolation fills each track\'s frames between its recorded ones, linearly', () => {
  const rows = [
    { frame: 0, id: 5, x1: 0, y1: 0, x2: 10, y2: 10 },
    { frame: 4, id: 5, x1: 8, y1: 4, x2: 18, y2: 14 },
    { frame: 2, id: 3, x1: 1, y1: 1, x2: 2, y2: 2 },
  ];
  const out = interpolateTracks(rows);
  assert.deepEqual(out.map((r) => [r.id, r.frame]), [[3, 2], [5, 0], [5, 1], [5, 2], [5, 3], [5, 4]]);
  assert.deepEqual(out[2], { frame: 1, id: 5, x1: 2, y1: 1, x2: 12, y2: 11 });
  assert.deepEqual(out[3], { frame: 2, id: 5, x1: 4, y1: 2, x2: 14, y2: 12 });
});
