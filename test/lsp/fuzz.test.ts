// 1,000 seeded mutations of a full config (deletions, insertions, type swaps), each sent as a
// didChange: the server must answer every one with diagnostics whose ranges lie in the text.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspClient, TOS_CLIP } from './lsp-client';
// mulberry32, shared with the episode generator, so a failure replays exactly.
import { rng } from '../fixtures/scenario';

const BASE = [
  '# fuzz base',
  'ep_id: fuzz-01',
  `video: ${TOS_CLIP}`,
  'output_root: out',
  'stride: 6',
  'fps: 8',
  'device: auto',
  'scene:',
  '  enabled: true',
  '  threshold: 0.35',
  '  min_len: 12',
  '  warmup: 3',
  '  cooldown: 24',
  'detector:',
  '  model: default',
  '  tiles: [1, 1]',
  'tracker:',
  '  track_thresh: 0.75',
  '  low_thresh: 0.3',
  '  track_buffer: 60',
  '  max_gap: 60',
  'export: {crops: true, jpeg_quality: 90}',
  '',
].join('\n');

const INSERTS = [
  ':', '\n', '  ', '\t', '- ', '[', ']', '{', '}', '"', "'", '#', ',', '&a ', '*a', '!!str ', '? ', '|\n', '---\n',
  'stride: ', 'scene:\n  ', 'colldown: 3\n', '\u0000', '\uFFFD', 'é', '😀', '\r\n', '%YAML 1.2\n', '<<: *a\n',
];
const SWAPS = ['true', 'null', '~', '-5', '0', '1e309', '.nan', '"text"', '[1, 2, 3]', '{a: 1}', '', '0x1F', '2024-01-01', '*a'];

function mutate(text: string, rand: () => number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const at = () => Math.floor(rand() * (text.length + 1));
  for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) {
    const kind = rand();
    if (kind < 0.35) {
      const start = at();
      text = text.slice(0, start) + text.slice(start + 1 + Math.floor(rand() * 20));
    } else if (kind < 0.7) {
      const i = at();
      text = text.slice(0, i) + pick(INSERTS) + text.slice(i);
    } else {
      // Swap one value for a value of another type.
      const lines = text.split('\n');
      const i = Math.floor(rand() * lines.length);
      lines[i] = lines[i].replace(/:\s.*$/, `: ${pick(SWAPS)}`);
      text = lines.join('\n');
    }
  }
  return text;
}

test('1,000 mutated configs each get diagnostics and never crash the server', async () => {
  const ws = mkdtempSync(path.join(tmpdir(), 'lsp-fuzz-'));
  const client = new LspClient();
  try {
    await client.initialize(ws, { diagnosticsDelayMs: 0 });
    const uri = pathToFileURL(path.join(ws, 'fuzz.episode.yaml')).href;
    await client.open(uri, BASE);
    const rand = rng(20240601);
    for (let version = 2; version <= 1001; version++) {
      const text = mutate(BASE, rand);
      const diags = await client.change(uri, text, version);
      const lineCount = text.split(/\r\n|\r|\n/).length;
      for (const d of diags) {
        const { start, end } = d.range;
        assert.ok(start.line <= end.line && end.line < lineCount, `v${version}: range ${JSON.stringify(d.range)} outside the text:\n${text}`);
        assert.equal(typeof d.message, 'string');
      }
    }
    assert.ok(client.alive);
    assert.doesNotMatch(client.stderr, /Error/, client.stderr);
    const internal = client.notifications.filter((n) => n.method === 'window/logMessage' && n.params.type === 1);
    assert.deepEqual(internal.map((n) => n.params.message), [], 'no internal errors were logged');
  } finally {
    await client.close();
    rmSync(ws, { recursive: true, force: true });
  }
});
