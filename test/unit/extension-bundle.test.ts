// What esbuild pulls into dist/extension.js: the editor's client reads manifests and the run
// history through the layout, and never bundles the engine's decoding, detection or cache keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';

test('the extension bundle holds no decode, detection or analysis-cache code', async () => {
  const { metafile } = await build({
    entryPoints: ['extension/extension.ts'], bundle: true, platform: 'node', format: 'cjs', write: false, metafile: true, logLevel: 'silent',
    external: ['vscode', 'onnxruntime-node', 'sharp', '@ffmpeg-installer/ffmpeg', 'ffmpeg-static'],
  });
  const ours = Object.keys(metafile.inputs).filter((f) => !f.includes('node_modules'));
  assert.ok(ours.includes('server/engine/manifests/layout.ts') && ours.includes('server/engine/manifests/episode-lock.ts'), ours.join('\n'));
  const engine = ours.filter((f) => /^server\/engine\/(decode|detect|track|gate|embed|export|analysis|scenes)\/|cache\/(stage-key|analysis-)/.test(f));
  assert.deepEqual(engine, []);
});
