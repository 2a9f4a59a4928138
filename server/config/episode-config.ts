// The typed episode config: YAML text or a plain object in, defaults filled in, issues out.
import * as path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { episodeConfigSchema, type SchemaNode } from './schema';
import type { EpisodeConfig } from './config-types';
import { isPlainObject, validateAgainstSchema, type SchemaIssue } from './validate';

export type { DetectorConfig, EpisodeConfig, EvaluationConfig, Sampling, SceneConfig } from './config-types';

export class ConfigError extends Error {
  constructor(message: string, readonly issues: SchemaIssue[] = []) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Deep-fills schema defaults into a copy of `value` (objects are created when absent). */
export function withDefaults(value: unknown, schema: SchemaNode = episodeConfigSchema): unknown {
  if (schema.type !== 'object') return value === undefined ? structuredClone(schema.default) : value;
  const src = isPlainObject(value) ? value : {};
  const out: Record<string, unknown> = { ...src };
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    const filled = withDefaults(src[key], sub);
    if (filled !== undefined) out[key] = filled;
  }
  return out;
}

/** Validates a raw config object and returns it typed with every default resolved. */
export function resolveConfig(raw: unknown): EpisodeConfig {
  const issues = validateAgainstSchema(raw, episodeConfigSchema);
  if (issues.length) {
    if (issues.length === 1) throw new ConfigError(`Invalid episode config: ${issues[0].message}`, issues);
    const lines = issues.map((i) => `  ${i.message}`);
    throw new ConfigError(`Invalid episode config (${issues.length} problems):\n${lines.join('\n')}`, issues);
  }
  return withDefaults(raw) as EpisodeConfig;
}

/** An episode config is a page of settings: anything near this size is not one (and would take seconds to parse). */
export const MAX_CONFIG_BYTES = 1 << 20;
/** Its deepest value is 3 levels down; YAML's parser overflows the stack near 800. */
export const MAX_CONFIG_DEPTH = 64;

export function parseConfigYaml(text: string, source = 'config'): unknown {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_CONFIG_BYTES) throw new ConfigError(tooLarge(source, bytes));
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter });
  const deep = `the config is nested more than ${MAX_CONFIG_DEPTH} levels deep`;
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = lineCounter.linePos(e.pos[0]);
    const at = `:${pos.line}:${pos.col}`;
    if (/call stack/i.test(e.message)) throw new ConfigError(`${source}${at}: ${deep}`);
    throw new ConfigError(`${source}${at}: YAML syntax error: ${e.message.split('\n')[0]}`);
  }
  let value: unknown;
  try {
    value = doc.toJS() ?? {};
  } catch (e) {
    if (e instanceof RangeError) throw new ConfigError(`${source}: ${deep}`);
    throw e;
  }
  if (depthOf(value) > MAX_CONFIG_DEPTH) throw new ConfigError(`${source}: ${deep}`);
  return value;
}

export function tooLarge(source: string, bytes: number): string {
  return `${source} is ${(bytes / 1e6).toFixed(1)} MB; an episode config is at most ${MAX_CONFIG_BYTES / (1 << 20)} MiB`;
}

/** Levels of arrays and objects, counted without recursion (the value may be deeper than the stack). */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    max = Math.max(max, d + 1);
    if (max > MAX_CONFIG_DEPTH) break;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** Sets a dotted key, e.g. setPath(cfg, 'tracker.match_thresh', 0.7). */
export function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

/**
 * Makes the paths written in a config absolute, relative to `baseDir`: `video`, `output_root`,
 * `detector.model`, `ffmpeg.path`, `evaluation.ground_truth`, `evaluation.cuts`, `evaluation.people`, `identity.cast_dir` and `identity.labels`. Keys that are absent stay absent, so it also serves partial
 * settings (a season's base and overrides).
 */
export function absolutizePaths<T extends Partial<EpisodeConfig> | Record<string, unknown>>(cfg: T, baseDir: string): T {
  const abs = (p: string) => path.resolve(baseDir, p);
  const c = cfg as Partial<EpisodeConfig>;
  const out: Partial<EpisodeConfig> = { ...c };
  if (typeof c.video === 'string') out.video = abs(c.video);
  if (typeof c.output_root === 'string') out.output_root = abs(c.output_root);
  if (isPlainObject(c.ffmpeg)) {
    const p = c.ffmpeg.path;
    // A bare name such as `ffmpeg` is looked up on PATH, not next to the config.
    out.ffmpeg = typeof p === 'string' && p ? { ...c.ffmpeg, path: p.includes('/') ? abs(p) : p } : c.ffmpeg;
  }
  if (isPlainObject(c.identity)) {
    const { cast_dir: cast, labels } = c.identity;
    out.identity = { ...c.identity, ...(typeof cast === 'string' ? { cast_dir: abs(cast) } : {}), ...(typeof labels === 'string' ? { labels: abs(labels) } : {}) };
  }
  if (isPlainObject(c.detector) && typeof c.detector.model === 'string' && c.detector.model !== 'default') {
    out.detector = { ...c.detector, model: abs(c.detector.model) };
  }
  if (isPlainObject(c.evaluation)) {
    const e = { ...c.evaluation };
    for (const k of ['ground_truth', 'cuts', 'people'] as const) if (typeof e[k] === 'string' && e[k]) e[k] = abs(e[k] as string);
    out.evaluation = e;
  }
  return out as T;
}
