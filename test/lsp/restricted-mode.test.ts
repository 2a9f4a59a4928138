// Restricted Mode over the protocol with the real server: in a workspace the editor has not
// trusted (initializationOptions.trusted false), a config's ffmpeg.path is never executed (the
// video is probed with Episode Lab's own ffmpeg, and a warning on ffmpeg.path says so), and
// runEpisode is refused with its own error code. The "ffmpeg" is a script that leaves a marker
// file: the trusted server, as a control, does run it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
import { RunErrorCodes } from '../../server/lsp/protocol';
import { LspClient } from './lsp-client';

const ws = mkdtempSync(path.join(tmpdir(), 'lsp-restricted-'));
const marker = path.join(ws, 'ffmpeg-ran');
const config = ['ep_id: restricted', 'video: clip.mp4', 'output_root: out', 'ffmpeg:', '  path: ./fake-ffmpeg.sh', ''].join('\n');
const uri = pathToFileURL(path.join(ws, 'restricted.episode.yaml')).href;

before(() => {
  execFileSync(resolveFfmpeg().path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=24', '-t', '1',
    '-pix_fmt', 'yuv420p', path.join(ws, 'clip.mp4')]);
  writeFileSync(path.join(ws, 'fake-ffmpeg.sh'), `#!/bin/sh\ntouch '${marker}'\nexit 1\n`);
  chmodSync(path.join(ws, 'fake-ffmpeg.sh'), 0o755);
  writeFileSync(path.join(ws, 'restricted.episode.yaml'), config);
});
after(() => rmSync(ws, { recursive: true, force: true }));

async function withServer(trusted: boolean, fn: (client: LspClient) => Promise<void>): Promise<void> {
  rmSync(marker, { force: true });
  const client = new LspClient();
  try {
    await client.initialize(ws, { diagnosticsDelayMs: 0, trusted });
    await fn(client);
  } finally {
    await client.close();
  }
}

test('untrusted: the config\'s ffmpeg is not run; the video is probed with our own; a warning says so', async () => {
  await withServer(false, async (client) => {
    const diags = await client.open(uri, config);
    assert.deepEqual(diags.map((d) => ({ range: d.range, severity: d.severity, code: d.code, message: d.message })), [{
      range: { start: { line: 4, character: 8 }, end: { line: 4, character: 24 } },
      severity: 2,
      code: 'restricted-mode',
      message: 'Restricted Mode: this workspace is not trusted, so ffmpeg.path (./fake-ffmpeg.sh) is not run; the video was checked with Episode Lab\'s own ffmpeg. Trust the workspace to use it and to run episodes.',
    }]);
    const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 9 } });
    assert.match(hover.contents.value, /\*\*Video:\*\* 64×48, 24 fps, 1 s/);
    await assert.rejects(
      client.request('workspace/executeCommand', { command: 'episodeLab.runEpisode', arguments: [uri] }),
      (e: Error & { code?: number }) => {
        assert.equal(e.code, RunErrorCodes.untrusted);
        assert.equal(e.message, 'Restricted Mode: Episode Lab runs nothing in a workspace you have not trusted. Trust the workspace to run episodes.');
        return true;
      },
    );
    assert.equal(existsSync(marker), false, 'the workspace\'s ffmpeg ran');
    assert.equal(existsSync(path.join(ws, 'out')), false, 'a refused run wrote outputs');
  });
});

test('trusted (the control): the same config runs its ffmpeg, whose failure is the video\'s error', async () => {
  await withServer(true, async (client) => {
    const diags = await client.open(uri, config);
    assert.deepEqual(diags.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.code}`), ['1:7 video']);
    assert.equal(existsSync(marker), true);
  });
});
