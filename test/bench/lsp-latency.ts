// didChange → publishDiagnostics latency of the built server while an engine run is in
// progress (the bar: p95 within 50 ms). Edits are spaced past the server's 200 ms
// diagnostics window, as single edits after a pause are; runs restart until enough samples.
// Usage: npm run build && node --import tsx test/bench/lsp-latency.ts [samples]
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, TOS_CLIP } from '../lsp/lsp-client';

const SAMPLES = Number(process.argv[2] ?? 60);
const SPACING_MS = 250;

async function main(): Promise<void> {
  if (!existsSync(TOS_CLIP)) {
    console.log(`lsp-latency: skipped, needs ${TOS_CLIP}`);
    return;
  }
  const ws = mkdtempSync(path.join(tmpdir(), 'lsp-bench-'));
  const client = new LspClient();
  try {
    await client.initialize(ws);
    // A slow run: every frame analysed, crops and frames written.
    const runFile = path.join(ws, 'run.episode.yaml');
    writeFileSync(runFile, `ep_id: bench\nvideo: ${TOS_CLIP}\noutput_root: out\nstride: 1\nexport:\n  crops: true\n  frames: true\n`);
    const runUri = pathToFileURL(runFile).href;
    let running = false;
    let runs = 0;
    let current: Promise<unknown> = Promise.resolve();
    const startRun = () => {
      running = true;
      runs++;
      current = client.request('workspace/executeCommand', { command: 'episodeLab.runEpisode', arguments: [runUri] })
        .finally(() => (running = false));
    };

    const uri = pathToFileURL(path.join(ws, 'edit.episode.yaml')).href;
    const text = (stride: number) => `ep_id: edit\nvideo: ${TOS_CLIP}\nstride: ${stride}\nscene:\n  cooldown: 24\n  coldown: 3\n`;
    await client.open(uri, text(6)); // probes the video once, as opening a file does

    const latencies: number[] = [];
    let version = 1;
    while (latencies.length < SAMPLES) {
      if (!running) {
        startRun();
        await client.waitFor('episodeLab/runEvent', (p) => p.event.type === 'progress', 30_000, client.notifications.length);
      }
      await new Promise((r) => setTimeout(r, SPACING_MS));
      const t0 = performance.now();
      await client.change(uri, text(1 + (version % 12)), ++version);
      if (running) latencies.push(performance.now() - t0);
    }
    await client.request('workspace/executeCommand', { command: 'episodeLab.cancelRun', arguments: ['bench'] });
    await current;

    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1);
    console.log(`lsp-latency: didChange → publishDiagnostics during ${runs} engine run(s), ${latencies.length} samples:` +
      ` p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${latencies.at(-1)!.toFixed(1)} ms (target p95 ≤ 50 ms)`);
  } finally {
    await client.close();
    rmSync(ws, { recursive: true, force: true });
  }
}

void main();
