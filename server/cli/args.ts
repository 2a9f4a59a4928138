// `episode-run` command line → a resolved EpisodeConfig. Flags override the YAML file; the seed's
// flags (--ep-id, --video, --stride, --max-gap, … --device auto) work as written.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYamlScalar } from 'yaml';
import {
  ConfigError, MAX_CONFIG_BYTES, absolutizePaths, parseConfigYaml, resolveConfig, setPath, tooLarge, type EpisodeConfig,
} from '../config/episode-config';
import { isPlainObject } from '../config/validate';
import { idProblem } from '../engine/manifests/ids';

type Kind = 'string' | 'number' | 'path' | 'true' | 'false';

/** Flag → config path. Numbers are validated by the schema afterwards, so errors name the key. */
const FLAGS: Record<string, [string, Kind]> = {
  'ep-id': ['ep_id', 'string'],
  video: ['video', 'path'],
  'output-root': ['output_root', 'path'],
  stride: ['stride', 'number'],
  fps: ['fps', 'number'],
  sampling: ['sampling', 'string'],
  threads: ['threads', 'number'],
  device: ['device', 'string'],
  ffmpeg: ['ffmpeg.path', 'string'],
  'scene-threshold': ['scene.threshold', 'number'],
  'scene-min-len': ['scene.min_len', 'number'],
  'scene-warmup': ['scene.warmup', 'number'],
  'scene-cut-cooldown': ['scene.cooldown', 'number'],
  'no-scenes': ['scene.enabled', 'false'],
  'det-model': ['detector.model', 'path'],
  'det-thresh': ['detector.conf_threshold', 'number'],
  'min-face': ['detector.min_size', 'number'],
  verify: ['detector.verify.scope', 'string'],
  'track-thresh': ['tracker.track_thresh', 'number'],
  'match-thresh': ['tracker.match_thresh', 'number'],
  'track-buffer': ['tracker.track_buffer', 'number'],
  'max-gap': ['tracker.max_gap', 'number'],
  'max-gap-sec': ['tracker.max_gap_sec', 'number'],
  'min-track-length': ['tracker.min_track_length', 'number'],
  'track-sample-limit': ['tracker.track_sample_limit', 'number'],
  'save-crops': ['export.crops', 'true'],
  'save-frames': ['export.frames', 'true'],
  'jpeg-quality': ['export.jpeg_quality', 'number'],
  'no-gate': ['gate.enabled', 'false'],
  'faces-embed': ['embed.enabled', 'true'],
  identities: ['identity.enabled', 'true'],
  'no-d1': ['optimizations.d1', 'false'],
  'no-f1': ['optimizations.f1', 'false'],
  'no-b4': ['optimizations.b4', 'false'],
  'no-c3': ['optimizations.c3', 'false'],
  'no-g3': ['optimizations.g3', 'false'],
  'no-cache': ['cache.enabled', 'false'],
  'ground-truth': ['evaluation.ground_truth', 'path'],
};

/** `episode-run --season FILE`: the whole season, here or on a queue. */
export interface SeasonCliOptions {
  /** Absolute path of the season file. */
  file: string;
  /** Episodes at once here; overrides the file's `jobs`. */
  jobs?: number;
  /** Redis URL of the queue; overrides the file's `queue`. */
  queue?: string;
  /** Cancel the season's jobs on the queue (queued ones removed, running ones stopped). */
  cancel: boolean;
  /** Enqueue and return without following. */
  detach: boolean;
  json: boolean;
  quiet: boolean;
}

export interface CliOptions {
  /** Set with --season: then nothing else below applies. */
  season?: SeasonCliOptions;
  config: EpisodeConfig;
  /** Run the config's `sweep` grid instead of one run. */
  sweep: boolean;
  /** Re-cluster the last run's tracks into identities (only identity.* or the cast changed). */
  recluster?: boolean;
  /** With --sweep: the metric to pick the best point by (and to draw the front of against speed). */
  objective?: string;
  runId?: string;
  /** After the run, write its tracks as MOT 1.1 here (a .zip: CVAT's archive; else gt.txt + labels.txt). */
  exportMot?: string;
  json: boolean;
  quiet: boolean;
  help: boolean;
}

export const USAGE = `Usage: episode-run --config EP.episode.yaml [flags]
       episode-run --ep-id ID --video PATH [flags]
       episode-run --season S01.season.yaml [--jobs N | --queue redis://HOST:PORT [--detach | --cancel]]

Flags override the config file. Main flags:
  --config FILE            episode config (*.episode.yaml)
  --ep-id ID --video PATH  required when no config is given
  --output-root DIR        where <ep_id>/ is written (default data/episodes)
  --stride N --fps F       analyse every Nth frame / at most F frames per second
  --sampling MODE          exact (every frame decoded), refs (B-frames skipped) or keyframes
  --tiles CxR|auto         also detect on CxR tiles of the full frame (small faces), or
                           auto: tiles only where a small face is likely
  --verify tiles|all|off   face check on the boxes only tiles found (default), on all, or none
  --scene-cut-cooldown N   F1: frames after a reset during which cuts do not reset again
  --max-gap N --max-gap-sec S --min-track-length N --track-sample-limit N
  --save-crops --save-frames
  --faces-embed            embed sampled faces of every track after tracking (faces.jsonl)
  --identities             cluster tracks into people, name them from identity.cast_dir, write screen time
  --recluster              only re-cluster the last run's tracks (after a change of identity.* or the cast): no decode
  --no-scenes --no-gate --no-d1 --no-f1 --no-b4 --no-c3 --no-g3   switch a stage or optimisation off
  --no-cache               neither reuse nor write cached stages (<ep_id>/cache/)
  --ground-truth FILE      score the run against this MOT gt.txt or CVAT "MOT 1.1" export
                           (zip or folder); overrides evaluation.ground_truth
  --export-mot FILE        after the run, write its tracks interpolated to every frame as
                           MOT 1.1: FILE.zip (CVAT imports it) or FILE + labels.txt beside it
  --sweep                  run every combination of the config's \`sweep:\` values; writes <ep_id>/sweep.csv
  --objective METRIC       with --sweep: print the best point on METRIC (hota, idf1, fp, speed, tracks_per_minute, …)
                           and the Pareto front of METRIC against a standalone run's speed
  --run-id ID              name this run's folder under <ep_id>/runs/ (default: time-based)
  --set KEY=VALUE          any config key, e.g. --set tracker.match_thresh=0.7
  --device auto|cpu --threads N --ffmpeg PATH
  --json                   JSON-line events on stdout
  --quiet                  no progress bar

A season (*.season.yaml) runs every episode, each an ordinary run of its own:
  --season FILE            the season file; writes season.json and season.csv as episodes finish
  --jobs N                 episodes at once on this machine (default: the file's jobs, else 1)
  --queue URL              enqueue one BullMQ job per episode in this Redis and follow them;
                           episode-worker --queue URL runs them, here or on other machines.
                           Ctrl-C detaches; the same command attaches again
  --detach                 enqueue and return at once
  --cancel                 cancel the season on its queue: queued jobs removed, running ones stopped
Exit codes: 0 ok, 1 failure, 130 cancelled.`;

export function parseCli(argv: string[], cwd = process.cwd()): CliOptions {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
    config: { type: 'string' }, set: { type: 'string', multiple: true }, tiles: { type: 'string' },
    json: { type: 'boolean' }, quiet: { type: 'boolean' }, help: { type: 'boolean' },
    sweep: { type: 'boolean' }, objective: { type: 'string' }, 'run-id': { type: 'string' }, 'export-mot': { type: 'string' },
    recluster: { type: 'boolean' },
    season: { type: 'string' }, jobs: { type: 'string' }, queue: { type: 'string' }, cancel: { type: 'boolean' }, detach: { type: 'boolean' },
  };
  for (const [flag, [, kind]] of Object.entries(FLAGS)) {
    options[flag] = { type: kind === 'true' || kind === 'false' ? 'boolean' : 'string' };
  }
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new ConfigError(`${(e as Error).message.split('\n')[0]} (see --help)`);
  }
  if (values.season !== undefined || ['jobs', 'queue', 'cancel', 'detach'].some((k) => values[k] !== undefined)) {
    return { json: !!values.json, quiet: !!values.quiet, help: !!values.help, sweep: false, season: seasonOptions(values, cwd), config: undefined as unknown as EpisodeConfig };
  }
  const runId = values['run-id'] as string | undefined;
  const runIdProblem = runId === undefined ? undefined : idProblem('--run-id', runId);
  if (runIdProblem) throw new ConfigError(`${runIdProblem}.`);
  if (runId !== undefined && values.sweep) throw new ConfigError('--run-id names one run; a sweep names its runs itself.');
  const objective = values.objective as string | undefined;
  if (objective !== undefined && !values.sweep) throw new ConfigError('--objective picks the best point of a sweep: use it with --sweep.');
  const exportMot = typeof values['export-mot'] === 'string' ? path.resolve(cwd, values['export-mot']) : undefined;
  if (exportMot !== undefined && values.sweep) throw new ConfigError('--export-mot exports one run; a sweep makes many.');
  if (values.recluster && (values.sweep || runId !== undefined)) throw new ConfigError('--recluster replays the last run; it takes no --sweep or --run-id.');
  const flags = { json: !!values.json, quiet: !!values.quiet, help: !!values.help, sweep: !!values.sweep, objective, recluster: !!values.recluster, runId, exportMot };
  if (flags.help) return { ...flags, config: undefined as unknown as EpisodeConfig };

  let raw: Record<string, unknown> = {};
  let baseDir = cwd;
  if (typeof values.config === 'string') {
    const file = path.resolve(cwd, values.config);
    let text: string;
    try {
      // The size first: a huge file is refused without reading it.
      const size = fs.statSync(file).size;
      if (size > MAX_CONFIG_BYTES) throw new ConfigError(tooLarge(file, size));
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(`Config file not found: ${file}`);
    }
    const parsed = parseConfigYaml(text, file);
    if (!isPlainObject(parsed)) throw new ConfigError(`${file}: the config must be a mapping of keys to values.`);
    raw = parsed;
    baseDir = path.dirname(file);
  }
  for (const [flag, [key, kind]] of Object.entries(FLAGS)) {
    const v = values[flag];
    if (v === undefined || v === false) continue;
    setPath(raw, key, flagValue(String(v), kind, cwd));
  }
  if (typeof values.tiles === 'string') setPath(raw, 'detector.tiles', parseTiles(values.tiles));
  for (const assignment of (values.set as string[] | undefined) ?? []) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set expects KEY=VALUE, got "${assignment}".`);
    setPath(raw, assignment.slice(0, eq), parseYamlScalar(assignment.slice(eq + 1)));
  }
  if (!values.config && (raw.ep_id === undefined || raw.video === undefined)) {
    throw new ConfigError('Give --config FILE, or both --ep-id and --video (see --help).');
  }
  return { ...flags, config: absolutizePaths(resolveConfig(raw), baseDir) };
}

function seasonOptions(values: Record<string, unknown>, cwd: string): SeasonCliOptions {
  if (typeof values.season !== 'string') throw new ConfigError('--jobs, --queue, --cancel and --detach go with --season FILE (see --help).');
  const episodeFlags = Object.keys(values).filter((k) => !['season', 'jobs', 'queue', 'cancel', 'detach', 'json', 'quiet', 'help'].includes(k));
  if (episodeFlags.length) throw new ConfigError(`--${episodeFlags[0]} does not go with --season: episode settings belong in the season file (base or overrides).`);
  let jobs: number | undefined;
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new ConfigError(`--jobs must be a whole number from 1 to 64, got "${values.jobs}".`);
  }
  const queue = values.queue as string | undefined;
  if (queue !== undefined && !/^rediss?:\/\//.test(queue)) throw new ConfigError(`--queue must be a Redis URL such as redis://127.0.0.1:6379, got "${queue}".`);
  if (jobs !== undefined && queue !== undefined) throw new ConfigError('--jobs is for a season run here; with --queue, workers run the episodes (episode-worker --concurrency N).');
  if (values.cancel && values.detach) throw new ConfigError('--cancel and --detach do not go together.');
  return {
    file: path.resolve(cwd, values.season), jobs, queue, cancel: !!values.cancel, detach: !!values.detach, json: !!values.json, quiet: !!values.quiet,
  };
}

function flagValue(v: string, kind: Kind, cwd: string): unknown {
  switch (kind) {
    case 'true': return true;
    case 'false': return false;
    case 'path': return v === 'default' ? v : path.resolve(cwd, v);
    case 'number': return v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
    default: return v;
  }
}

function parseTiles(v: string): [number, number] | 'auto' {
  if (v.trim().toLowerCase() === 'auto') return 'auto';
  const m = /^(\d+)x(\d+)$/i.exec(v.trim());
  if (!m) throw new ConfigError(`--tiles expects COLSxROWS such as 2x2, or auto; got "${v}".`);
  return [Number(m[1]), Number(m[2])];
}
