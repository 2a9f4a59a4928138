// `episode-run`: the engine, headless. JSON-line events with --json, a progress bar on a TTY.
import * as path from 'node:path';
import { parseCli, USAGE } from './cli/args';
import { ProgressBar } from './cli/progress-bar';
import { runEpisode } from './engine/run';
import { reclusterEpisode, ReclusterError } from './engine/identity/recluster';
import { runSweep } from './engine/sweep/run-sweep';
import { checkObjective, tune, type TunedPoint, type Tuning } from './engine/sweep/pareto';
import { standaloneSpeed, type RunSummary } from './engine/history/run-summary';
import type { RunEvent } from './engine/events';
import { EpisodeBusyError } from './engine/manifests/episode-lock';
import type { DetectionMetrics, TrackMetrics } from './engine/manifests/track-metrics';
import { describeStages } from './engine/stage-times';
import { ConfigError } from './config/episode-config';
import { VideoError } from './engine/decode/probe';
import { GroundTruthError } from './engine/eval/ground-truth';
import { readRunRows } from './engine/eval/run-rows';
import { writeMotExport } from './engine/eval/export-mot';
import { formatScore } from './engine/eval/scores';
import { CutListError } from './engine/eval/cut-score';
import type { CutScores } from './engine/eval/scores';
import { EpisodeLayout } from './engine/manifests/layout';

const EXIT = { ok: 0, failure: 1, cancelled: 130 } as const;

/**
 * stdout and stderr that may close under a run (piped into `head`, an editor that went away):
 * the output stops there, the run goes on and writes its manifests. Unheard, an EPIPE would
 * kill the process in the middle of a write.
 */
const out = guarded(process.stdout);
const err = guarded(process.stderr);

function guarded(stream: NodeJS.WriteStream): (text: string) => void {
  let open = true;
  stream.on('error', () => (open = false));
  return (text) => {
    if (open && !stream.destroyed) stream.write(text);
  };
}

async function main(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseCli(argv);
  } catch (e) {
    err(`episode-run: ${(e as Error).message}\n`);
    return EXIT.failure;
  }
  if (opts.help) {
    out(USAGE + '\n');
    return EXIT.ok;
  }
  const bar = !opts.json && !opts.quiet && process.stderr.isTTY ? new ProgressBar() : undefined;
  // Without a terminal, warnings are printed after the summary, so a damaged input ends in one line.
  const warnings: string[] = [];
  const onEvent = (e: RunEvent) => {
    if (opts.json) out(JSON.stringify(e) + '\n');
    else if (bar) bar.update(e);
    else if (e.type === 'log' && e.level === 'warn') warnings.push(e.message);
  };
  if (opts.season) return loadSeasonCli().runSeasonCli(opts.season);
  // A signal, a closed terminal (SIGHUP) or, under the editor, the end of the language server
  // (its IPC channel closes) cancels the run cleanly: manifests written, state cancelled.
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  for (const sig of SIGNALS) process.on(sig, onSignal);
  process.once('disconnect', onSignal);
  try {
    if (opts.sweep) {
      // Before the grid runs: a misspelt objective must not cost a whole sweep.
      if (opts.objective) checkObjective(opts.objective, Object.keys(opts.config.sweep ?? {}));
      const sweep = await runSweep(opts.config, { signal: abort.signal, onEvent });
      bar?.clear();
      const tuning = opts.objective ? tune(sweep.runs, opts.objective) : undefined;
      if (opts.json) out(JSON.stringify({ type: 'sweep', sweep_id: sweep.sweepId, csv: sweep.csvPath, runs: sweep.runs, ...(tuning ? { tuning } : {}) }) + '\n');
      else printSweep(sweep.runs, sweep.csvPath, tuning);
      return sweep.state === 'cancelled' ? EXIT.cancelled : EXIT.ok;
    }
    if (opts.recluster) {
      const { metrics } = await reclusterEpisode(opts.config, onEvent);
      if (!opts.json) printIdentities(metrics);
      if (!opts.quiet) for (const w of warnings) err(`warning: ${w}\n`);
      return EXIT.ok;
    }
    const result = await runEpisode(opts.config, { signal: abort.signal, onEvent, runId: opts.runId });
    bar?.clear();
    if (!opts.json) printSummary(result.metrics, result.outDir);
    if (opts.exportMot && result.state === 'completed') {
      const layout = new EpisodeLayout(opts.config.output_root, opts.config.ep_id);
      const files = await writeMotExport(await readRunRows(layout.runManifest(result.runId, 'detections')), opts.exportMot);
      if (opts.json) out(JSON.stringify({ type: 'export_mot', files }) + '\n');
      else out(`  MOT      ${files.join(' + ')}\n`);
    }
    if (!opts.quiet) for (const w of warnings) if (w !== result.damaged) err(`warning: ${w}\n`);
    if (result.state === 'cancelled') return EXIT.cancelled;
    if (result.damaged) {
      // The frames before the damage were processed and their manifests written; the run still failed.
      const message = `${result.damaged}; the frames before the damage were processed (${result.outDir})`;
      if (opts.json) out(JSON.stringify({ type: 'error', message, input: true }) + '\n');
      err(`episode-run: ${message}\n`);
      return EXIT.failure;
    }
    return EXIT.ok;
  } catch (e) {
    bar?.clear();
    // `busy`: another run holds the episode; the editor shows it as a refusal, not a failure.
    // `input`: the video or the config is at fault, so running it again cannot help.
    const code = e instanceof EpisodeBusyError ? { code: 'busy' } : {};
    const input = e instanceof VideoError || e instanceof ConfigError || e instanceof GroundTruthError || e instanceof ReclusterError || e instanceof CutListError ? { input: true } : {};
    if (opts.json) out(JSON.stringify({ type: 'error', message: (e as Error).message, ...code, ...input }) + '\n');
    err(`episode-run: ${(e as Error).message}\n`);
    return EXIT.failure;
  } finally {
    for (const sig of SIGNALS) process.off(sig, onSignal);
    process.off('disconnect', onSignal);
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * The season runner (BullMQ and ioredis inside) is a bundle of its own, dist/season-cli.js,
 * loaded only for --season: every engine run starts this file, and would parse it in vain.
 */
function loadSeasonCli(): typeof import('./cli/season-cli') {
  return require(path.join(__dirname, 'season-cli.js'));
}

function printSummary(m: TrackMetrics, outDir: string): void {
  const s = m.stats;
  const lines = [
    `${m.ep_id}: ${m.state}`,
    `  frames   ${s.frames_decoded} decoded, ${s.frames_analysed} analysed (stride ${s.effective_stride})`,
    `  cuts     ${m.scene_cuts.count} at [${listFrames(m.scene_cuts.indices)}]` +
      (m.scene_cuts.suppressed_by_cooldown ? `, ${m.scene_cuts.suppressed_by_cooldown} suppressed by cooldown` : '') +
      (m.scene_cuts.dissolves ? `, ${m.scene_cuts.dissolves} of them dissolves` : '') +
      (m.scene_cuts.fades ? `; ${m.scene_cuts.fades} fades (${m.scene_cuts.fade_resets} tracker resets at black)` : ''),
    `  tracks   ${m.tracks_written} written (${m.tracks_born} born, ${m.id_switches} id switches, ${m.short_tracks_dropped} short dropped)`,
    `  time     ${s.wall_time_s}s for ${s.video_duration_s}s of video (${s.realtime_factor}× realtime)`,
    `  engine   ${describeStages(s.engine_thread_s)}`,
    ...(m.detection ? [`  detect   ${describeDetection(m.detection)}`] : []),
    ...(m.evaluation ? [`  scores   ${describeScores(m.evaluation)}`] : []),
    ...(m.cut_scores ? [`  cut list ${describeCutScores(m.cut_scores)}`] : []),
    `  cache    analysis ${m.cache.analysis}${m.cache.reason ? ` (${m.cache.reason})` : ''}; ${(m.cache.size_bytes / 1e6).toFixed(1)} MB cached`,
    ...identityLines(m),
    `  run      ${m.run_id} (kept in ${outDir}/runs/)`,
    `  output   ${outDir}`,
  ];
  out(lines.join('\n') + '\n');
}

/** The identities block of the summary: counts, then the top people with their seconds. */
function identityLines(m: TrackMetrics): string[] {
  const s = m.identities;
  if (!s) return [];
  const unassigned = s.tracks_unassigned.no_prototype + s.tracks_unassigned.low_quality;
  const top = s.top.slice(0, 5).map((t) => `    ${t.name.padEnd(16)} ${t.visual_s.toFixed(1)}s`);
  const score = s.evaluation ? [`  people   vs ground truth: B-cubed P ${s.evaluation.precision} R ${s.evaluation.recall} F1 ${s.evaluation.f1}; screen time within ${s.evaluation.screen_time_max_error_pct}%`] : [];
  return [`  people   ${s.identities} identities from ${s.tracks_assigned} tracks (${unassigned} unassigned), ${s.named} named by the cast`, ...top, ...score];
}

function printIdentities(m: TrackMetrics): void {
  out([`${m.ep_id}: re-clustered run ${m.run_id}`, ...identityLines(m)].join('\n') + '\n');
}

/** "tiles 2x2: 4.00 tile inferences and 9.1 ms per analysed frame; face check: 120 boxes (40 reused), 14 dropped (redetect 12)". */
function describeDetection(d: DetectionMetrics): string {
  const ms = d.per_frame.detection_ms === undefined ? '' : ` and ${d.per_frame.detection_ms.toFixed(1)} ms`;
  const tiles = `tiles ${d.tiles}: ${d.per_frame.tile_inferences.toFixed(2)} tile inferences${ms} per analysed frame`;
  const v = d.verify;
  if (v.scope === 'off') return `${tiles}; face check off`;
  const reasons = Object.entries(v.by_reason).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`).join(', ');
  const back = v.fell_back ? `, ${v.fell_back} back to the whole frame's box` : '';
  return `${tiles}; face check (${v.scope}): ${v.checked} boxes (${v.reused} more reused), ${v.dropped} dropped${back}${reasons ? ` (failed: ${reasons})` : ''}`;
}

/** "precision 100.0%, recall 75.0% within ±1 frame (3 of 4 true cuts; missed 120)". */
function describeCutScores(c: CutScores): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const parts = [c.missed.length ? `missed ${listFrames(c.missed)}` : '', c.extra.length ? `extra ${listFrames(c.extra)}` : ''].filter(Boolean).join('; ');
  return `precision ${pct(c.precision)}, recall ${pct(c.recall)} within ±${c.tolerance} frame (${c.matched} of ${c.matched + c.missed.length} true cuts${parts ? `; ${parts}` : ''})`;
}

/** "HOTA 71.2% (DetA …, AssA …) MOTA … IDF1 … · FP 3 FN 12 IDSW 1 Frag 2 · MT/PT/ML 4/1/0 on 500 analysed frames". */
function describeScores(e: NonNullable<TrackMetrics['evaluation']>): string {
  const s = e.scores;
  const f = (k: keyof typeof s) => `${k} ${formatScore(k, s[k])}`;
  return `${f('HOTA')} (${f('DetA')}, ${f('AssA')}), ${f('MOTA')}, ${f('IDF1')}; ${f('FP')} ${f('FN')} ${f('IDSW')} ${f('Frag')}; ` +
    `MT/PT/ML ${s.MT}/${s.PT}/${s.ML} on ${e.frames_scored} ${e.frames === 'all' ? '' : 'analysed '}frames`;
}

/** A whole episode has hundreds of cuts: the summary shows the first ones (scene_cuts.json has all). */
function listFrames(frames: number[], max = 12): string {
  const shown = frames.slice(0, max).join(', ');
  return frames.length > max ? `${shown}, … ${frames.length - max} more in scene_cuts.json` : shown;
}

function printSweep(runs: RunSummary[], csvPath: string, tuning?: Tuning): void {
  const valuesOf = (v: Record<string, unknown> | undefined) => Object.entries(v ?? {}).map(([k, x]) => `${k}=${x}`).join(' ');
  const speedOf = (speed: number, predicted: boolean) => `${speed}× realtime${predicted ? ' (predicted)' : ''}`;
  const lines = runs.map((r) => {
    const alone = standaloneSpeed(r);
    return `  ${r.run_id}  ${valuesOf(r.sweep?.values)}  ${r.tracks} tracks, ${r.id_switches} id switches, ${r.forced_splits} forced splits, ` +
      `${r.wall_time_s}s, standalone ${speedOf(alone.speed, alone.predicted)} (analysis ${r.cache.analysis})`;
  });
  if (tuning) {
    const { objective: name, direction, best, front } = tuning;
    const point = (p: TunedPoint) => `${p.run_id}  ${valuesOf(p.values)}  ${name} ${p.objective}, ${speedOf(p.speed, p.speed_predicted)}`;
    lines.push(`best on ${name} (${direction === 'max' ? 'higher' : 'lower'} is better):`, `  ${point(best)}`);
    lines.push(`Pareto front of ${name} against speed (${front.length} of ${runs.length} points):`, ...front.map((p) => `  ${point(p)}`));
  }
  out([`sweep: ${runs.length} runs`, ...lines, `  csv ${csvPath}`].join('\n') + '\n');
}

// This module is the CLI entry (dist/cli.js, also loaded by bin/episode-run.js): it always runs.
// Under the editor the IPC channel only says when the server goes; it must not keep us alive.
process.channel?.unref();
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
