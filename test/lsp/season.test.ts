// Season files in the built server over stdio: schema and season checks at their ranges, hover
// and completion from the season schema (episode settings inside `base` and `overrides`).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
import { LspClient } from './lsp-client';

const ws = mkdtempSync(path.join(tmpdir(), 'lsp-season-'));
const uriOf = (name: string) => pathToFileURL(path.join(ws, name)).href;
let client: LspClient;

before(async () => {
  mkdirSync(path.join(ws, 'videos'));
  // A real 2 s video for the hover; the others only need to exist.
  const r = spawnSync(resolveFfmpeg().path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '2', '-pix_fmt', 'yuv420p', path.join(ws, 'videos', 'E1.mp4')]);
  assert.equal(r.status, 0, String(r.stderr));
  for (const name of ['E2.mp4', 'E3.mp4']) writeFileSync(path.join(ws, 'videos', name), 'x');
  client = new LspClient();
  await client.initialize(ws, { diagnosticsDelayMs: 0 });
});
after(async () => {
  await client.close();
  rmSync(ws, { recursive: true, force: true });
});

const summarize = (diags: any[]) => diags
  .map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.code}`)
  .sort();

const SEASON = [
  'base:',
  '  stride: 3',
  '  tracker: { low_thresh: 0.8, track_thresh: 0.7 }',
  'episodes:',
  '  - ep_id: E1',
  '    video: videos/E1.mp4',
  '  - ep_id: E2',
  '    video: videos/missing.mp4',
  '  - ep_id: E1',
  '    video: videos/E3.mp4',
  'jobs: 0',
  '',
].join('\n');

test('a season file gets the duplicate ep_id, the missing video and its schema errors, each at its range', async () => {
  const diags = await client.open(uriOf('S01.season.yaml'), SEASON, 1, 'season-config');
  assert.deepEqual(summarize(diags), [
    '10:6-10:7 range',
    '2:25-2:28 thresholds-inverted',
    '7:11-7:29 video-missing',
    '8:11-8:13 duplicate-ep-id',
  ]);
  const dup = diags.find((d: any) => d.code === 'duplicate-ep-id');
  assert.equal(dup.message, 'Duplicate ep_id `E1`: episode 1 (line 5) has it too. Each episode needs its own ep_id: it names the episode\'s output folder.');
  assert.match(diags.find((d: any) => d.code === 'video-missing').message, /^Video file not found: .*videos\/missing\.mp4\. Fix `video`/);

  // Fixed, the file is clean; a glob that finds nothing is an error at the glob.
  const fixed = SEASON.replace('videos/missing.mp4', 'videos/E2.mp4').replace('ep_id: E1\n    video: videos/E3', 'ep_id: E3\n    video: videos/E3')
    .replace('low_thresh: 0.8', 'low_thresh: 0.3').replace('jobs: 0', 'jobs: 2');
  assert.deepEqual(await client.change(uriOf('S01.season.yaml'), fixed, 2), []);
  const glob = await client.open(uriOf('S02.season.yaml'), 'episodes:\n  glob: videos/*.mkv\n', 1, 'season-config');
  assert.deepEqual(summarize(glob), ['1:8-1:20 glob-empty']);
  // The file name alone makes a season document, whatever the client calls its language.
  const byName = await client.open(uriOf('S03.season.yaml'), 'episodes: 3\n');
  assert.deepEqual(byName.map((d: any) => d.message), ['`episodes` must be a list or a mapping, not number 3.']);
});

test('hover explains season keys and episode settings, and probes an episode video', async () => {
  const uri = uriOf('S01.season.yaml');
  const hover = async (line: number, character: number) => (await client.request('textDocument/hover', { textDocument: { uri }, position: { line, character } }))?.contents.value as string;
  assert.match(await hover(10, 1), /^\*\*jobs\*\* \(integer, 1 to 64\)\n\nEpisodes run at once on this machine/);
  assert.match(await hover(1, 3), /^\*\*base\.stride\*\* \(integer, 1 to 1000\)/);
  assert.match(await hover(0, 1), /^\*\*base\*\* \(string or object\)/);
  const video = await hover(5, 14);
  assert.match(video, /^\*\*episodes\[0\]\.video\*\* \(string\)/);
  assert.match(video, /\*\*Video:\*\* 160×120, 10 fps, 2 s \(about 20 frames\), h264/);
});

test('completion offers the keys of the mapping the cursor is in, list items included', async () => {
  const uri = uriOf('S04.season.yaml');
  const text = ['base:', '  ', 'episodes:', '  - ep_id: E1', '    ', '  - ', 'retries:', '  backoff: ', ''].join('\n');
  await client.open(uri, text, 1, 'season-config');
  const labels = async (line: number, character: number) =>
    ((await client.request('textDocument/completion', { textDocument: { uri }, position: { line, character } })) as any[]).map((i) => i.label);
  const inBase = await labels(1, 2);
  assert.ok(inBase.includes('stride') && inBase.includes('tracker'), inBase.join(','));
  assert.ok(!inBase.includes('ep_id') && !inBase.includes('sweep'), 'per-episode keys are not base settings');
  assert.deepEqual(await labels(4, 4), ['video', 'overrides']);
  assert.deepEqual(await labels(5, 4), ['ep_id', 'video', 'overrides']);
  assert.deepEqual(await labels(7, 11), ['fixed', 'exponential']);
  const root = await labels(8, 0);
  assert.deepEqual(root, ['season', 'jobs', 'queue', 'summary_dir']);
});
