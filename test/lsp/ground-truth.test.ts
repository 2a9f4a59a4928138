// `evaluation.ground_truth` in the built server over stdio: a missing file, a malformed line,
// negative sizes and frames past the video's end each get a diagnostic on the config's
// `ground_truth` value that names the file's line (and links to it); hover and completion know
// the evaluation keys. The video is a generated episode (20 s at 24 fps: 480 frames).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { generateEpisode } from '../fixtures/episode-generator';
import { writeZip } from '../../server/engine/eval/zip';
import { LspClient } from './lsp-client';

const ws = mkdtempSync(path.join(tmpdir(), 'lsp-gt-'));
const uriOf = (name: string) => pathToFileURL(path.join(ws, name)).href;
let client: LspClient;
let video: string;

before(async () => {
  video = (await generateEpisode({ width: 640, height: 360, fps: 24, durationS: 20, seed: 1 })).video;
  client = new LspClient();
  await client.initialize(ws, { diagnosticsDelayMs: 0 });
});
after(async () => {
  await client.close();
  rmSync(ws, { recursive: true, force: true });
});

const config = (gt: string, extra: string[] = []) => ['ep_id: gt', `video: ${video}`, 'evaluation:', `  ground_truth: ${gt}`, ...extra, ''].join('\n');
/** "line:col-line:col code message" per diagnostic. */
const summarize = (diags: any[]) => diags.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.code} ${d.message}`);

test('a good ground truth gets no diagnostic', async () => {
  const ep = await generateEpisode({ width: 640, height: 360, fps: 24, durationS: 20, seed: 1 });
  copyFileSync(ep.gtPath, path.join(ws, 'good.txt'));
  assert.deepEqual(await client.open(uriOf('good.episode.yaml'), config('good.txt')), []);
});

test('a missing ground truth is an error on its value', async () => {
  const diags = await client.open(uriOf('missing.episode.yaml'), config('nope/gt.txt'));
  assert.deepEqual(summarize(diags), [
    `3:16-3:27 ground-truth ground truth not found: ${path.join(ws, 'nope/gt.txt')}. Fix \`ground_truth\` (relative to this config file).`,
  ]);
});

test('a malformed line, a negative size and a frame past the end: one diagnostic each, naming the line, linking to it', async () => {
  const gt = path.join(ws, 'bad.txt');
  writeFileSync(gt, [
    '1,1,10,10,50,60,1,1,1',
    '2,1,10,10,50', // malformed
    '3,1,10,10,-50,60,1,1,1', // negative width
    '480,1,10,10,50,60,1,1,1', // the last frame (1-based)
    '482,1,10,10,50,60,1,1,1', // past the end
    '',
  ].join('\n'));
  const diags = await client.open(uriOf('bad.episode.yaml'), config('bad.txt'));
  assert.deepEqual(summarize(diags), [
    '3:16-3:23 ground-truth-line ' + `${gt} line 2: expected at least 6 comma-separated fields (frame, id, left, top, width, height), got 5.`,
    '3:16-3:23 ground-truth-line ' + `${gt} line 3: negative box size -50×60.`,
    '3:16-3:23 ground-truth-frames ' + `${gt} line 5: frame 482 is past the video's end (its last frame is 480 with evaluation.frame_base 1).`,
  ]);
  assert.ok(diags.every((d: any) => d.severity === 1));
  assert.deepEqual(diags.map((d: any) => [d.relatedInformation[0].location.uri, d.relatedInformation[0].location.range.start.line]), [
    [pathToFileURL(gt).href, 1], [pathToFileURL(gt).href, 2], [pathToFileURL(gt).href, 4],
  ]);
  // frame_base 0: the same numbers are frame_idx, so frame 480 is past the end too.
  const zeroBased = await client.open(uriOf('bad0.episode.yaml'), config('bad.txt', ['  frame_base: 0']));
  assert.deepEqual(zeroBased.filter((d: any) => d.code === 'ground-truth-frames').map((d: any) => d.message.replace(`${gt} `, '')), [
    "line 4: frame 480 is past the video's end (its last frame is 479 with evaluation.frame_base 0).",
    "line 5: frame 482 is past the video's end (its last frame is 479 with evaluation.frame_base 0).",
  ]);
});

test('a CVAT zip with a bad line names the entry and its line', async () => {
  mkdirSync(path.join(ws, 'cvat'), { recursive: true });
  writeFileSync(path.join(ws, 'cvat', 'task.zip'), writeZip([
    { name: 'gt/gt.txt', data: Buffer.from('1,1,10,10,50,60,1,1,1\n1,2,x,10,50,60,1,1,1\n') },
    { name: 'gt/labels.txt', data: Buffer.from('face\n') },
  ]));
  const diags = await client.open(uriOf('zip.episode.yaml'), config('cvat/task.zip'));
  assert.deepEqual(summarize(diags), ['3:16-3:29 ground-truth-line task.zip › gt/gt.txt line 2: field 3 (left) is not a number: "x".']);
  assert.equal(diags[0].relatedInformation, undefined);
});

test('hover and completion know the evaluation keys', async () => {
  const uri = uriOf('keys.episode.yaml');
  await client.open(uri, config('good.txt', ['  frames: ', '  ']));
  const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 4 } });
  assert.match(hover.contents.value, /CVAT "MOT 1\.1" export/);
  assert.match(hover.contents.value, new RegExp(`In effect: \`"good\\.txt"\` → \`${path.join(ws, 'good.txt').replace(/[.]/g, '\\.')}\``));
  const ep = await generateEpisode({ width: 640, height: 360, fps: 24, durationS: 20, seed: 1 });
  const rows = readFileSync(ep.gtPath, 'utf8').split('\n').filter(Boolean);
  const considered = rows.filter((l) => l.split(',')[6] !== '0');
  const frames = considered.map((l) => Number(l.split(',')[0]));
  assert.ok(hover.contents.value.includes(
    `**Ground truth:** ${considered.length} rows (${rows.length - considered.length} not considered), ${new Set(considered.map((l) => l.split(',')[1])).size} ids, ` +
    `frames ${Math.min(...frames)}–${Math.max(...frames)} (file numbering)`), hover.contents.value);
  const values = await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 4, character: 10 } });
  assert.deepEqual(values.map((i: any) => i.label), ['analysed', 'all']);
  const keys = await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 5, character: 2 } });
  assert.deepEqual(keys.map((i: any) => i.label).sort(), ['cuts', 'frame_base']);
});

test('evaluation.cuts: a missing or malformed cut list is an error on its value, in the engine\'s words; a good one none', async () => {
  const cutsConfig = (file: string) => ['ep_id: cl', `video: ${video}`, 'evaluation:', `  cuts: ${file}`, ''].join('\n');
  writeFileSync(path.join(ws, 'cuts.txt'), '# shot starts\n48\n120\n');
  assert.deepEqual(await client.open(uriOf('cuts-good.episode.yaml'), cutsConfig('cuts.txt')), []);
  assert.deepEqual(summarize(await client.open(uriOf('cuts-missing.episode.yaml'), cutsConfig('none.txt'))), [
    `3:8-3:16 cut-list cannot read the cut list ${path.join(ws, 'none.txt')}: ENOENT. Fix \`cuts\` (relative to this config file).`,
  ]);
  writeFileSync(path.join(ws, 'cuts-bad.json'), '[48, 12.5]');
  assert.deepEqual(summarize(await client.open(uriOf('cuts-bad.episode.yaml'), cutsConfig('cuts-bad.json'))), [
    `3:8-3:21 cut-list ${path.join(ws, 'cuts-bad.json')} item 2: 12.5 is not a frame number (a whole number ≥ 0). Fix \`cuts\` (relative to this config file).`,
  ]);
});
