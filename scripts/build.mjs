// Bundles every entry point with esbuild and writes the JSON Schema for VS Code.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const external = ['vscode', 'onnxruntime-node', 'sharp', '@ffmpeg-installer/ffmpeg', 'ffmpeg-static'];
const entries = {
  cli: 'server/cli.ts',
  // Loaded by dist/cli.js for --season only.
  'season-cli': 'server/cli/season-cli.ts',
  'episode-worker': 'server/worker-cli.ts',
  'fetch-models': 'server/engine/models/fetch-models-cli.ts',
  demo: 'scripts/demo.ts',
  server: 'server/lsp/server.ts',
  'embed-worker': 'server/engine/embed/embed-worker-main.ts',
  'decode-worker': 'server/engine/decode/decode-worker-main.ts',
  // The VS Code client; `vscode` is provided by the editor at run time.
  extension: 'extension/extension.ts',
};

await build({
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  external,
  logLevel: 'warning',
});

// The webview pages run in the browser sandbox: no Node, one script and one stylesheet each.
await build({
  entryPoints: { timeline: 'webview/main.ts', runs: 'webview/runs-main.ts', season: 'webview/season-main.ts', identities: 'webview/identities-main.ts', frame: 'webview/frame-main.ts' },
  outdir: 'dist/webview',
  bundle: true,
  platform: 'browser',
  target: 'chrome120',
  format: 'iife',
  sourcemap: 'linked',
  logLevel: 'warning',
});

// The schemas' single sources are server/config/schema.ts and server/season/season-schema.ts; these files are generated from them.
const require = createRequire(import.meta.url);
const { register } = require('tsx/cjs/api');
const unregister = register();
const { episodeConfigSchema } = require('../server/config/schema.ts');
const { seasonSchema } = require('../server/season/season-schema.ts');
unregister();
mkdirSync('schemas', { recursive: true });
writeFileSync('schemas/episode-config.schema.json', JSON.stringify(episodeConfigSchema, null, 2) + '\n');
writeFileSync('schemas/season-config.schema.json', JSON.stringify(seasonSchema, null, 2) + '\n');
