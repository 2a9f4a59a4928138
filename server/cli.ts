// `episode-run`: the engine, headless. JSON-line events with --json, a progress bar on a TTY.
import { parseCli, USAGE } from './cli/args';
import { ProgressBar } from './cli/progress-bar';
import { runEpisode } from './engine/run';
import type { RunEvent } from './engine/events';

const EXIT = { ok: 0, failure: 1, cancelled: 130 } as const;

async function main(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseCli(argv);
  } catch (e) {
    process.stderr.write(`episode-run: ${(e as Error).message}\n`);
    return EXIT.failure;
  }
  if (opts.help) {
    process.stdout.write(USAGE + '\n');
    return EXIT.ok;
  }
  const bar = !opts.json && !opts.quiet && process.stderr.isTTY ? new ProgressBar() : undefined;
  const onEvent = (e: RunEvent) => {
    if (opts.json) process.stdout.write(JSON.stringify(e) + '\n');
    else if (bar) bar.update(e);
    else if (e.type === 'log' && e.level === 'warn' && !opts.quiet) process.stderr.write(`warning: ${e.message}\n`);
  };
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await runEpisode(opts.config, { signal: abort.signal, onEvent });
    bar?.clear();
    if (!opts.json) printSummary(result.metrics, result.outDir);
    return result.state === 'cancelled' ? EXIT.cancelled : EXIT.ok;
  } catch (e) {
    bar?.clear();
    if (opts.json) process.stdout.write(JSON.stringify({ type: 'error', message: (e as Error).message }) + '\n');
    process.stderr.write(`episode-run: ${(e as Error).message}\n`);
    return EXIT.failure;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function printSummary(m: Record<string, any>, outDir: string): void {
  const s = m.stats;
  const lines = [
    `${m.ep_id}: ${m.state}`,
    `  frames   ${s.frames_decoded} decoded, ${s.frames_analysed} analysed (stride ${s.effective_stride})`,
    `  cuts     ${m.scene_cuts.count} at [${m.scene_cuts.indices.join(', ')}]` +
      (m.scene_cuts.suppressed_by_cooldown ? `, ${m.scene_cuts.suppressed_by_cooldown} suppressed by cooldown` : ''),
    `  tracks   ${m.tracks_written} written (${m.tracks_born} born, ${m.id_switches} id switches, ${m.short_tracks_dropped} short dropped)`,
    `  time     ${s.wall_time_s}s for ${s.video_duration_s}s of video (${s.realtime_factor}× realtime)`,
    `  output   ${outDir}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

// This module is the CLI entry (dist/cli.js, also loaded by bin/episode-run.js): it always runs.
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
