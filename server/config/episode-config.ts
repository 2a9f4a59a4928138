// The typed episode config: YAML text or a plain object in, defaults filled in, issues out.
import * as path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { episodeConfigSchema, type SchemaNode } from './schema';
import type { EmbedConfig, GateConfig } from './schema-identity';
import { isPlainObject, validateAgainstSchema, type SchemaIssue } from './validate';

export interface EpisodeConfig {
  ep_id: string;
  video: string;
  output_root: string;
  stride: number;
  fps?: number;
  sampling: Sampling;
  threads: number;
  device: 'auto' | 'cpu';
  ffmpeg: { path?: string };
  scene: { enabled: boolean; threshold: number; min_len: number; warmup: number; cooldown: number };
  detector: DetectorConfig;
  tracker: {
    track_thresh: number; low_thresh: number; new_track_thresh: number; match_thresh: number;
    track_buffer: number; max_gap: number; max_gap_sec: number; min_track_length: number; track_sample_limit: number;
  };
  export: { frames: boolean; crops: boolean; jpeg_quality: number; crop_max_side: number; queue_size: number };
  gate: GateConfig;
  embed: EmbedConfig;
  optimizations: { d1: boolean; f1: boolean; b4: boolean; c3: boolean; g3: boolean };
  cache: { enabled: boolean; max_entries: number };
  /** Dotted config key → the values a sweep tries (`episode-run --sweep`). */
  sweep?: Record<string, unknown[]>;
}

export type Sampling = 'exact' | 'refs' | 'keyframes';

export interface DetectorConfig {
  model: string;
  conf_threshold: number;
  nms_iou: number;
  min_size: number;
  /** [cols, rows] ([1, 1]: none) or `auto`. */
  tiles: [number, number] | 'auto';
  auto_tiles: { grid: [number, number]; small_face: number; refresh: number };
  verify: { scope: 'tiles' | 'all' | 'off'; min_redetect: number; max_landmark_error: number; min_contrast: number; min_sharpness: number };
}

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
