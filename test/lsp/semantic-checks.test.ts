// The semantic checks and the video hover, called as plain functions (no connection needed).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { photoCacheFile } from '../../server/engine/identity/cast-folder';
import { EpisodeLayout } from '../../server/engine/manifests/layout';
import { computeDiagnostics } from '../../server/lsp/diagnostics';
import { hoverAt } from '../../server/lsp/hover';
import { createVideoProber } from '../../server/lsp/video-cache';
import { TOS_CLIP } from './lsp-client';

const skip = existsSync(TOS_CLIP) ? false : `needs ${TOS_CLIP} (the shared data folder is absent)`;
const ws = '/tmp/episode-ws';
const configPath = path.join(ws, 'a.episode.yaml');
const probe = createVideoProber();
const docOf = (lines: string[]) => TextDocument.create(`file://${configPath}`, 'episode-config', 1, lines.join('\n') + '\n');
const check = async (lines: string[]) =>
  (await computeDiagnostics(docOf(lines), { configPath, workspaceFolders: [ws], probe }))
    .map((d) => `${d.range.start.line}:${d.range.start.character} ${d.severity === 1 ? 'error' : 'warning'} ${d.code}`);

test('each semantic check fires on the key it is about', { skip }, async () => {
  assert.deepEqual(await check([
    'ep_id: sem', `video: ${TOS_CLIP}`, 'stride: 1', 'fps: 60', 'output_root: /elsewhere/out',
    'scene:', '  warmup: 3', '  min_len: 12', '  cooldown: 5',
    'detector:', '  model: models/none.onnx',
    'tracker:', '  low_thresh: 0.8', '  track_thresh: 0.7', '  track_buffer: 30',
  ]), [
    '10:9 error model-missing',
    '3:5 warning fps-above-source',
    '6:10 warning warmup-unused',
    '8:12 warning cooldown-below-min-len',
    '14:16 warning buffer-below-max-gap',
    '4:13 warning output-outside-workspace',
    '12:14 warning thresholds-inverted',
  ]);
});

test('a sensible config gets no diagnostics; a file that is not a video gets one', { skip }, async () => {
  assert.deepEqual(await check(['ep_id: ok', `video: ${TOS_CLIP}`, 'output_root: out', 'scene:', '  cooldown: 24']), []);
  assert.deepEqual(await check(['ep_id: notvideo', `video: ${__filename}`]), ['1:7 error video']);
});

test('hover on video shows the probed facts and the frames analysed', { skip }, async () => {
  const doc = docOf(['ep_id: h', `video: ${TOS_CLIP}`, 'stride: 6']);
  const hover = await hoverAt(doc, { line: 1, character: 2 }, configPath, probe);
  const text = (hover!.contents as { value: string }).value;
  assert.match(text, /640×360, 24 fps, 10 s \(about 240 frames\), h264/);
  assert.match(text, /about 40 frames at effective stride 6/);
});

test('identity.cast_dir: a missing folder, an empty person, and photos a run found faceless or unreadable get warnings', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cast-lsp-'));
  const cfgPath = path.join(dir, 'c.episode.yaml');
  const diags = async (lines: string[]) => {
    const doc = TextDocument.create(`file://${cfgPath}`, 'episode-config', 1, lines.join('\n') + '\n');
    return (await computeDiagnostics(doc, { configPath: cfgPath, workspaceFolders: [dir], probe }))
      .filter((d) => String(d.code).startsWith('cast'))
      .map((d) => `${d.range.start.line}:${d.range.start.character} ${d.code} ${d.message}`);
  };
  const base = ['ep_id: c', 'output_root: out'];
  assert.deepEqual(await diags([...base, 'identity:', '  cast_dir: nowhere']), [`3:12 cast cast folder ${path.join(dir, 'nowhere')} does not exist.`]);
  // identity.enabled without a cast folder: the default `cast` is optional.
  assert.deepEqual(await diags([...base, 'identity:', '  enabled: true']), []);
  mkdirSync(path.join(dir, 'cast', 'Ana'), { recursive: true });
  mkdirSync(path.join(dir, 'cast', 'Ben'));
  writeFileSync(path.join(dir, 'cast', 'Ana', 'wall.jpg'), 'a wall');
  writeFileSync(path.join(dir, 'cast', 'Ana', 'odd.png'), 'odd bytes');
  const cache = new EpisodeLayout(path.join(dir, 'out'), 'c').castCacheDir;
  mkdirSync(cache, { recursive: true });
  writeFileSync(path.join(cache, photoCacheFile(Buffer.from('a wall'))), JSON.stringify({ model: 'm', problem: 'no_face' }));
  writeFileSync(path.join(cache, photoCacheFile(Buffer.from('odd bytes'))), JSON.stringify({ model: 'm', problem: 'unreadable', detail: 'unsupported image format' }));
  assert.deepEqual(await diags([...base, 'identity:', '  enabled: true']), [
    `3:11 cast cast member "Ben" has no photo (.jpg, .png or .webp) in ${path.join(dir, 'cast', 'Ben')}.`,
    `3:11 cast-photo Cast photo ${path.join(dir, 'cast', 'Ana', 'odd.png')} is not an image the engine can read (unsupported image format).`,
    `3:11 cast-photo No face found in cast photo ${path.join(dir, 'cast', 'Ana', 'wall.jpg')} (last run): it does not count for Ana.`,
  ]);
});
