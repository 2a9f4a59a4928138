// The typed episode config: YAML text or a plain object in, defaults filled in, issues out.
import * as path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { episodeConfigSchema, type SchemaNode } from './schema';
import type { EpisodeConfig } from './config-types';
import { isPlainObject, validateAgainstSchema, type SchemaIssue } from './validate';

export type { DetectorConfig, EpisodeConfig, Sampling } from './config-types';

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

export function parseConfigYaml(text: string, source = 'config'): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = lineCounter.linePos(e.pos[0]);
    const at = `:${pos.line}:${pos.col}`;
    throw new ConfigError(`${source}${at}: YAML syntax error: ${e.message.split('\n')[0]}`);
  }
  return doc.toJS() ?? {};
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

/** Makes `video`, `output_root` and a model path absolute, relative to `baseDir`. */
export function absolutizePaths(cfg: EpisodeConfig, baseDir: string): EpisodeConfig {
  const abs = (p: string) => path.resolve(baseDir, p);
  const model = cfg.detector.model === 'default' ? 'default' : abs(cfg.detector.model);
  return {
    ...cfg,
    video: abs(cfg.video),
    output_root: abs(cfg.output_root),
    // A bare name such as `ffmpeg` is looked up on PATH, not next to the config.
    ffmpeg: cfg.ffmpeg.path ? { path: cfg.ffmpeg.path.includes('/') ? abs(cfg.ffmpeg.path) : cfg.ffmpeg.path } : {},
    detector: { ...cfg.detector, model },
  };
}
