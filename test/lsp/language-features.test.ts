// The built server over stdio: diagnostics with exact ranges, hover, completion, quick fixes,
// outline, formatting, and bad input (binary, empty).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspClient, applyEdits } from './lsp-client';

const ws = mkdtempSync(path.join(tmpdir(), 'lsp-features-'));
const uriOf = (name: string) => pathToFileURL(path.join(ws, name)).href;
let client: LspClient;

before(async () => {
  client = new LspClient();
  // No debounce window: each test waits for its own publish anyway.
  await client.initialize(ws, { diagnosticsDelayMs: 0 });
});
after(async () => {
  await client.close();
  rmSync(ws, { recursive: true, force: true });
});

/** "line:col-line:col code" per diagnostic, sorted, for exact comparisons. */
const summarize = (diags: any[]) => diags
  .map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.code}`)
  .sort();

const FOUR_PROBLEMS = [
  'ep_id: diag-test',
  'video: missing.mp4', // no such file
  'stride: 0', // below the minimum 1
  'scene:',
  '  coldown: 24', // misspelt cooldown
  '\tthreads: 2', // a tab as indentation: YAML syntax error
  '',
].join('\n');

test('initialize announces the features and the run commands', async () => {
  const probe = new LspClient();
  try {
    const result = await probe.initialize(ws);
    const caps = result.capabilities;
    assert.ok(caps.hoverProvider && caps.completionProvider && caps.codeActionProvider);
    assert.ok(caps.documentSymbolProvider && caps.documentFormattingProvider);
    assert.deepEqual(caps.executeCommandProvider.commands, ['episodeLab.runEpisode', 'episodeLab.cancelRun', 'episodeLab.seasonRun', 'episodeLab.seasonCancel', 'episodeLab.decodeFrame']);
  } finally {
    await probe.close();
  }
});

test('didOpen yields exactly the four diagnostics at their ranges', async () => {
  const diags = await client.open(uriOf('four.episode.yaml'), FOUR_PROBLEMS);
  assert.deepEqual(summarize(diags), [
    '1:7-1:18 video',
    '2:8-2:9 range',
    '4:2-4:9 unknown-key',
    '5:0-5:1 TAB_AS_INDENT',
  ]);
  const byCode = Object.fromEntries(diags.map((d: any) => [d.code, d]));
  assert.match(byCode['unknown-key'].message, /Did you mean `cooldown`\?/);
  assert.match(byCode.range.message, /between 1 and 1000/);
  assert.match(byCode.video.message, /Video file not found: .*missing\.mp4/);
  assert.match(byCode.TAB_AS_INDENT.message, /Tabs are not allowed/);
  assert.ok(diags.every((d: any) => d.severity === 1 && d.source === 'episode-lab'));
});

test('hover on stride returns its description, default and range', async () => {
  const uri = uriOf('hover.episode.yaml');
  await client.open(uri, 'ep_id: h\nvideo: missing.mp4\nstride: 12\n');
  const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 2 } });
  assert.match(hover.contents.value, /Analyse every Nth decoded frame/);
  assert.match(hover.contents.value, /Default: `6`/);
  assert.match(hover.contents.value, /1 to 1000/);
  assert.match(hover.contents.value, /In effect: `12`/);
  assert.deepEqual(hover.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 6 } });
});

test('hover on a scene transition setting: what it does, its default and range', async () => {
  const uri = uriOf('hover-scene.episode.yaml');
  await client.open(uri, 'ep_id: h\nvideo: missing.mp4\nscene:\n  fade_floor: 20\n  window: 2\n');
  const floor = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 4 } });
  assert.match(floor.contents.value, /Mean brightness \(0–255\) below which a frame is black/);
  assert.match(floor.contents.value, /Default: `12`/);
  assert.match(floor.contents.value, /In effect: `20`/);
  const window = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 4 } });
  assert.match(window.contents.value, /AdaptiveDetector/);
  assert.match(window.contents.value, /1 to 12/);
});

test('completion under scene: offers cooldown and the transition settings, and enum values after device:', async () => {
  const uri = uriOf('complete.episode.yaml');
  await client.open(uri, 'ep_id: c\nvideo: v.mp4\nscene:\n  min_len: 12\n  \ndevice: \n');
  const keys = await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 4, character: 2 } });
  const labels = keys.map((i: any) => i.label);
  for (const key of ['cooldown', 'window', 'adaptive_ratio', 'min_content', 'fade_floor', 'fade_reset']) assert.ok(labels.includes(key), labels.join(','));
  assert.ok(!labels.includes('min_len'), 'keys already written are not offered again');
  assert.ok(!labels.includes('stride'), 'root keys are not offered inside scene');
  const values = await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 5, character: 8 } });
  assert.deepEqual(values.map((i: any) => i.label), ['auto', 'cpu']);
});

test('identity.*: completion offers its keys, hover explains the threshold', async () => {
  const uri = uriOf('identity.episode.yaml');
  await client.open(uri, 'ep_id: i\nvideo: v.mp4\nidentity:\n  threshold: 0.4\n  \n');
  const keys = await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 4, character: 2 } });
  assert.deepEqual(keys.map((i: any) => i.label).sort(), ['cast_dir', 'cast_threshold', 'enabled', 'labels', 'min_track_quality']);
  const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 4 } });
  assert.match(hover.contents.value, /average cosine distance/);
  assert.match(hover.contents.value, /Default: `0\.5`/);
});

test('the quick fix for a misspelt key fixes it', async () => {
  const uri = uriOf('fix.episode.yaml');
  const text = 'ep_id: fix\nvideo: missing.mp4\nscene:\n  coldown: 24\n';
  const diags = await client.open(uri, text);
  const unknown = diags.find((d: any) => d.code === 'unknown-key');
  assert.ok(unknown);
  const actions = await client.request('textDocument/codeAction', {
    textDocument: { uri }, range: unknown.range, context: { diagnostics: [unknown] },
  });
  assert.equal(actions[0].title, 'Change `coldown` to `cooldown`');
  const fixed = applyEdits(text, actions[0].edit.changes[uri]);
  assert.equal(fixed, 'ep_id: fix\nvideo: missing.mp4\nscene:\n  cooldown: 24\n');
  const after = await client.change(uri, fixed, 2);
  assert.deepEqual(summarize(after), ['1:7-1:18 video']);
});

test('quick fixes clamp a value and add missing required keys', async () => {
  const uri = uriOf('clamp.episode.yaml');
  const text = 'stride: 5000\n';
  const diags = await client.open(uri, text);
  assert.deepEqual(summarize(diags), ['0:0-0:6 required', '0:0-0:6 required', '0:8-0:12 range']);
  const actions = await client.request('textDocument/codeAction', {
    textDocument: { uri }, range: diags[0].range, context: { diagnostics: diags },
  });
  assert.deepEqual(actions.map((a: any) => a.title).sort(), [
    'Add the required key `ep_id`', 'Add the required key `video`', 'Clamp `stride` to 1000',
  ]);
  const fixed = applyEdits(text, actions.flatMap((a: any) => a.edit.changes[uri]));
  for (const line of ['stride: 1000', 'ep_id: TEST-S01E01', 'video: episodes/S01E01.mp4']) assert.match(fixed, new RegExp(`^${line}$`, 'm'));
  const after = await client.change(uri, fixed, 2);
  assert.deepEqual(after.map((d: any) => d.code), ['video'], 'only the example video, which does not exist, is left');
});

test('the outline nests keys and formatting keeps comments', async () => {
  const uri = uriOf('outline.episode.yaml');
  const text = '# my episode\nep_id:   o   # id\nvideo: v.mp4\nscene:\n    cooldown: 30   # F1\n';
  await client.open(uri, text);
  const symbols = await client.request('textDocument/documentSymbol', { textDocument: { uri } });
  assert.deepEqual(symbols.map((s: any) => s.name), ['ep_id', 'video', 'scene']);
  assert.deepEqual(symbols[2].children.map((s: any) => s.name), ['cooldown']);
  const edits = await client.request('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  assert.equal(applyEdits(text, edits), '# my episode\nep_id: o # id\nvideo: v.mp4\nscene:\n  cooldown: 30 # F1\n');
});

test('a binary file and an empty file each get a diagnostic, and the server lives on', async () => {
  const binary = String.fromCharCode(...Array.from({ length: 512 }, (_, i) => (i * 7919) % 256));
  const bin = await client.open(uriOf('binary.episode.yaml'), binary);
  assert.deepEqual(bin.map((d: any) => d.code), ['binary']);
  const empty = await client.open(uriOf('empty.episode.yaml'), '');
  assert.deepEqual(empty.map((d: any) => d.message), [
    'The config is missing the required key `ep_id`. Add it, e.g. with the quick fix.',
    'The config is missing the required key `video`. Add it, e.g. with the quick fix.',
  ]);
  assert.ok(client.alive);
  const hover = await client.request('textDocument/hover', { textDocument: { uri: uriOf('binary.episode.yaml') }, position: { line: 0, character: 3 } });
  assert.equal(hover, null);
});
