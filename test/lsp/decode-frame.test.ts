// episodeLab.decodeFrame over the protocol with the real server: trusted, it decodes the frame
// into the episode folder's cache (and says so the second time); untrusted, it is refused with
// the Restricted Mode code and nothing is written; a malformed request gets a clear error.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
import { Commands, RunErrorCodes, type DecodeFrameParams } from '../../server/lsp/protocol';
import { LspClient } from './lsp-client';

const ws = mkdtempSync(path.join(tmpdir(), 'lsp-decode-'));
const video = path.join(ws, 'clip.mp4');
execFileSync(resolveFfmpeg().path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=24', '-t', '1', '-pix_fmt', 'yuv420p', video]);
const episodeDir = path.join(ws, 'out', 'ep');
const params: DecodeFrameParams = { episodeDir, video, frameIdx: 5, ts: 5 / 24, fps: 24 };
after(() => rmSync(ws, { recursive: true, force: true }));

async function withServer(trusted: boolean, fn: (client: LspClient) => Promise<void>): Promise<void> {
  const client = new LspClient();
  try {
    await client.initialize(ws, { diagnosticsDelayMs: 0, trusted });
    await fn(client);
  } finally {
    await client.close();
  }
}

const decode = (client: LspClient, arg: unknown) => client.request('workspace/executeCommand', { command: Commands.decodeFrame, arguments: [arg] });

test('untrusted: refused, nothing decoded', async () => {
  await withServer(false, async (client) => {
    await assert.rejects(decode(client, params), (e: Error & { code?: number }) => e.code === RunErrorCodes.untrusted);
    assert.equal(existsSync(path.join(episodeDir, 'stills')), false);
  });
});

test('trusted: decoded into stills/ of the episode folder, then served from the cache; bad params refused', async () => {
  await withServer(true, async (client) => {
    const first = await decode(client, params);
    assert.match(first.file, new RegExp(`^${episodeDir}/stills/[0-9a-f]{16}/frame_000005\\.jpg$`));
    assert.equal(first.cached, false);
    assert.ok(existsSync(first.file));
    assert.deepEqual(await decode(client, params), { file: first.file, cached: true });
    await assert.rejects(decode(client, { ...params, frameIdx: -1 }), /episodeLab\.decodeFrame frameIdx must be a whole number ≥ 0, got -1/);
    await assert.rejects(decode(client, { ...params, episodeDir: 'relative/ep' }), /must be absolute paths/);
    await assert.rejects(decode(client, { ...params, episodeDir: '/' }), /ep_id|not allowed/);
    await assert.rejects(decode(client, 'a string'), /expects one object argument/);
  });
});
