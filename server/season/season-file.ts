// A season file → its episodes, each with the full episode config it runs with. The checks no
// schema can express (duplicate ep_ids, missing videos, a glob that finds nothing, the base
// config) are findings at config paths, so the language server puts each at its line and the
// CLI prints the first one as `file:line:col: message`.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fastGlob from 'fast-glob';
import { LineCounter, parseDocument, type Document } from 'yaml';
import {
  ConfigError, absolutizePaths, resolveConfig, type EpisodeConfig,
} from '../config/episode-config';
import { episodeConfigSchema } from '../config/schema';
import { semanticFindings, type Finding } from '../config/semantic-checks';
import { isPlainObject, validateAgainstSchema, type ConfigPath } from '../config/validate';
import { valueSpan } from '../config/yaml-positions';
import { idProblem } from '../engine/manifests/layout';
import { seasonSchema } from './season-schema';

export const SEASON_FILE_SUFFIXES = ['.season.yaml', '.season.yml'];

/** What the checks need from outside: files, globs and another YAML file (the base config). */
export interface SeasonFacts {
  fileExists: (absPath: string) => boolean;
  /** Files matching `pattern` under `cwd`, as absolute paths. */
  glob: (pattern: string, cwd: string) => string[];
  /** The text of a file, or undefined when it cannot be read. */
  readText: (absPath: string) => string | undefined;
  /** The 1-based line a config path is written on, for messages that point at another line. */
  lineOf?: (p: ConfigPath) => number | undefined;
}

export interface SeasonEntry {
  ep_id: string;
  /** Absolute. */
  video: string;
  /** Where the entry is written: its ep_id (or the template that made it). */
  at: ConfigPath;
  /** Raw settings over the base, their paths absolute. */
  overrides: Record<string, unknown>;
}

export interface SeasonAnalysis {
  entries: SeasonEntry[];
  /** The inherited settings, their paths absolute. */
  base: Record<string, unknown>;
  findings: Finding[];
}

export interface SeasonRetries {
  attempts: number;
  backoff: 'fixed' | 'exponential';
  delay_s: number;
}

export interface SeasonEpisode {
  ep_id: string;
  video: string;
  config: EpisodeConfig;
}

export interface Season {
  name: string;
  /** Absolute path of the season file. */
  file: string;
  episodes: SeasonEpisode[];
  jobs: number;
  queue?: string;
  retries: SeasonRetries;
  /** Where season.json and season.csv go. */
  summaryDir: string;
}

/** `S01.season.yaml` → `S01`. */
export function seasonNameOf(file: string): string {
  const base = path.basename(file);
  const suffix = SEASON_FILE_SUFFIXES.find((s) => base.endsWith(s));
  return suffix ? base.slice(0, -suffix.length) : base.replace(/\.ya?ml$/, '');
}

export function isSeasonFile(file: string): boolean {
  return SEASON_FILE_SUFFIXES.some((s) => file.endsWith(s));
}

/** The checks beyond the schema. `raw` need not be schema-clean: parts of the wrong shape are skipped. */
export function analyzeSeason(raw: Record<string, unknown>, seasonFile: string, facts: SeasonFacts): SeasonAnalysis {
  const dir = path.dirname(seasonFile);
  const findings: Finding[] = [];
  const add = (at: ConfigPath, severity: Finding['severity'], code: string, message: string) => findings.push({ at: [at], severity, code, message });
  const base = loadBase(raw.base, dir, facts, add);
  if (isPlainObject(raw.base)) {
    // The episode checks that need no video (thresholds, cooldown against min_len, model path).
    for (const f of semanticFindings(raw.base, { configDir: dir, workspaceFolders: [], fileExists: facts.fileExists })) {
      findings.push({ ...f, at: f.at.map((p) => ['base', ...p]) });
    }
  }
  const entries = Array.isArray(raw.episodes) ? listEntries(raw.episodes, dir, facts, add)
    : isPlainObject(raw.episodes) ? globEntries(raw.episodes, dir, facts, add) : [];
  return { entries, base, findings };
}

type Add = (at: ConfigPath, severity: Finding['severity'], code: string, message: string) => void;

function loadBase(base: unknown, dir: string, facts: SeasonFacts, add: Add): Record<string, unknown> {
  if (isPlainObject(base)) return absolutizePaths(base, dir);
  if (typeof base !== 'string') return {};
  const file = path.resolve(dir, base);
  const text = facts.readText(file);
  if (text === undefined) {
    add(['base'], 'error', 'base-missing', `Base config not found: ${file}. Fix \`base\` (relative to this file), or write the settings here as a mapping.`);
    return {};
  }
  const doc = parseDocument(text, { prettyErrors: false, logLevel: 'error' });
  const parsed = doc.errors.length ? undefined : doc.toJS();
  const issue = !isPlainObject(parsed) ? 'it is not a YAML mapping' : validateAgainstSchema(parsed, episodeConfigSchema)[0]?.message;
  if (issue || !isPlainObject(parsed)) {
    add(['base'], 'error', 'base-invalid', `Base config ${path.basename(file)} has errors (${issue ?? 'YAML syntax'}); fix it first.`);
    return {};
  }
  const { ep_id: _e, video: _v, sweep: _s, ...settings } = parsed;
  return absolutizePaths(settings, path.dirname(file));
}

function listEntries(items: unknown[], dir: string, facts: SeasonFacts, add: Add): SeasonEntry[] {
  const entries: SeasonEntry[] = [];
  const firstAt = new Map<string, number>();
  items.forEach((item, i) => {
    if (!isPlainObject(item) || typeof item.ep_id !== 'string' || typeof item.video !== 'string') return;
    const { ep_id, video } = item;
    const abs = path.resolve(dir, video);
    const first = firstAt.get(ep_id);
    if (first !== undefined) {
      const line = facts.lineOf?.(['episodes', first, 'ep_id']);
      add(['episodes', i, 'ep_id'], 'error', 'duplicate-ep-id',
        `Duplicate ep_id \`${ep_id}\`: episode ${first + 1}${line ? ` (line ${line})` : ''} has it too. Each episode needs its own ep_id: it names the episode's output folder.`);
      return;
    }
    firstAt.set(ep_id, i);
    if (!facts.fileExists(abs)) {
      add(['episodes', i, 'video'], 'error', 'video-missing', `Video file not found: ${abs}. Fix \`video\` (relative to this file).`);
    }
    entries.push({ ep_id, video: abs, at: ['episodes', i, 'ep_id'], overrides: isPlainObject(item.overrides) ? absolutizePaths(item.overrides, dir) : {} });
  });
  return entries;
}

function globEntries(spec: Record<string, unknown>, dir: string, facts: SeasonFacts, add: Add): SeasonEntry[] {
  if (typeof spec.glob !== 'string') return [];
  const template = typeof spec.ep_id === 'string' ? spec.ep_id : '{stem}';
  let match: RegExp | undefined;
  if (typeof spec.match === 'string') {
    try {
      match = new RegExp(spec.match);
    } catch (e) {
      add(['episodes', 'match'], 'error', 'match-invalid', `\`match\` is not a regular expression: ${(e as Error).message}.`);
      return [];
    }
  }
  const files = facts.glob(spec.glob, dir).sort();
  if (!files.length) {
    add(['episodes', 'glob'], 'error', 'glob-empty', `\`${spec.glob}\` finds no file under ${dir}.`);
    return [];
  }
  const entries: SeasonEntry[] = [];
  const fileOf = new Map<string, string>();
  for (const [i, file] of files.entries()) {
    const name = path.basename(file);
    const groups = match ? match.exec(name) : [];
    if (!groups) {
      add(['episodes', 'match'], 'error', 'match-miss', `${name} does not match \`${spec.match}\`: narrow \`glob\` to the episodes, or widen \`match\`.`);
      return [];
    }
    const epId = renderTemplate(template, { stem: name.replace(/\.[^.]*$/, ''), dir: path.basename(path.dirname(file)), index: i + 1, groups: groups.slice(1) });
    if (typeof epId !== 'string') {
      add(['episodes', 'ep_id'], 'error', 'ep-id-template', `${epId.problem} in the ep_id template. Use {stem}, {dir}, {index}, {index:N}${match ? ' or the groups of `match` ({1}, {2}, …)' : ''}.`);
      return [];
    }
    const problem = idProblem('ep_id', epId);
    if (problem) {
      add(['episodes', 'ep_id'], 'error', 'ep-id-template', `The ep_id template gives a bad ep_id for ${name}: ${problem}. Use \`match\` to pick part of the name.`);
      return [];
    }
    const other = fileOf.get(epId);
    if (other) {
      add(['episodes', 'ep_id'], 'error', 'duplicate-ep-id',
        `The ep_id template gives \`${epId}\` for both ${path.basename(other)} and ${name}. Each episode needs its own ep_id: add {index} or {stem}.`);
      return [];
    }
    fileOf.set(epId, file);
    entries.push({ ep_id: epId, video: file, at: ['episodes', 'ep_id'], overrides: {} });
  }
  if (isPlainObject(spec.overrides)) {
    for (const [epId, settings] of Object.entries(spec.overrides)) {
      const entry = entries.find((e) => e.ep_id === epId);
      if (!entry) {
        add(['episodes', 'overrides', epId], 'warning', 'override-unknown',
          `No episode has the ep_id \`${epId}\`, so these settings apply to nothing. The glob gives ${entries.slice(0, 3).map((e) => e.ep_id).join(', ')}${entries.length > 3 ? ', …' : ''}.`);
      } else if (isPlainObject(settings)) {
        entry.overrides = absolutizePaths(settings, dir);
      }
    }
  }
  return entries;
}

interface TemplateValues {
  stem: string;
  dir: string;
  index: number;
  groups: (string | undefined)[];
}

/** `S01E{index:2}` → `S01E07`; an unknown placeholder → { problem }. */
export function renderTemplate(template: string, v: TemplateValues): string | { problem: string } {
  let problem: string | undefined;
  const out = template.replace(/\{([^{}]*)\}/g, (whole, name: string) => {
    const index = /^index(?::(\d+))?$/.exec(name);
    if (index) return String(v.index).padStart(Number(index[1] ?? 0), '0');
    if (name === 'stem') return v.stem;
    if (name === 'dir') return v.dir;
    if (/^[1-9]$/.test(name) && Number(name) <= v.groups.length) return v.groups[Number(name) - 1] ?? '';
    problem ??= `Unknown placeholder ${whole}`;
    return whole;
  });
  return problem ? { problem } : out;
}

/** Deep merge of settings: mappings merge key by key, anything else (lists too) replaces. */
export function mergeSettings(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeSettings(out[k] as Record<string, unknown>, v) : v;
  return out;
}

/** A season from a schema-clean raw file whose analysis has no errors. */
export function buildSeason(raw: Record<string, unknown>, seasonFile: string, analysis: SeasonAnalysis): Season {
  const dir = path.dirname(seasonFile);
  const episodes = analysis.entries.map((e) => {
    const merged = mergeSettings(analysis.base, e.overrides);
    try {
      // Defaults left relative (output_root) resolve from the season file.
      return { ep_id: e.ep_id, video: e.video, config: absolutizePaths(resolveConfig({ ...merged, ep_id: e.ep_id, video: e.video }), dir) };
    } catch (err) {
      throw new ConfigError(`episode ${e.ep_id}: ${(err as Error).message}`);
    }
  });
  const name = typeof raw.season === 'string' ? raw.season : seasonNameOf(seasonFile);
  const retries = (raw.retries ?? {}) as Partial<SeasonRetries>;
  const outputRoot = episodes[0]?.config.output_root ?? path.resolve(dir, 'data/episodes');
  return {
    name,
    file: seasonFile,
    episodes,
    jobs: typeof raw.jobs === 'number' ? raw.jobs : 1,
    queue: typeof raw.queue === 'string' ? raw.queue : undefined,
    retries: { attempts: retries.attempts ?? 3, backoff: retries.backoff ?? 'exponential', delay_s: retries.delay_s ?? 30 },
    summaryDir: typeof raw.summary_dir === 'string' ? path.resolve(dir, raw.summary_dir) : path.join(outputRoot, 'seasons', name),
  };
}

/**
 * Reads and checks a season file for the CLI: the first problem becomes one line,
 * `S01.season.yaml:7:12: message`, with a count of the others.
 */
export function loadSeason(text: string, seasonFile: string, facts: Omit<SeasonFacts, 'lineOf'>): Season {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, logLevel: 'error', lineCounter });
  const where = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return `${path.basename(seasonFile)}:${p.line}:${p.col}`;
  };
  if (doc.errors.length) throw new ConfigError(`${where(doc.errors[0].pos[0])}: YAML syntax error: ${doc.errors[0].message.split('\n')[0]}`);
  const raw = doc.toJS() ?? {};
  const at = (p: ConfigPath) => where(valueSpan(doc, p)?.start ?? 0);
  const issues = validateAgainstSchema(raw, seasonSchema);
  const problems = issues.map((i) => `${at(i.path)}: ${i.message}`);
  if (!problems.length && isPlainObject(raw)) {
    const analysis = analyzeSeason(raw, seasonFile, { ...facts, lineOf: lineOfIn(doc, lineCounter) });
    problems.push(...analysis.findings.filter((f) => f.severity === 'error').map((f) => `${at(f.at[0])}: ${f.message}`));
    if (!problems.length) return buildSeason(raw, seasonFile, analysis);
  }
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  throw new ConfigError(`${problems[0]}${more}`);
}

export function lineOfIn(doc: Document, lineCounter: LineCounter): (p: ConfigPath) => number | undefined {
  return (p) => {
    const span = valueSpan(doc, p);
    return span ? lineCounter.linePos(span.start).line : undefined;
  };
}

/** The facts from this machine's file system. */
export const diskFacts: Omit<SeasonFacts, 'lineOf'> = {
  fileExists: existsSync,
  glob: (pattern, cwd) => fastGlob.sync(pattern, { cwd, absolute: true, onlyFiles: true }),
  readText: (file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
};
