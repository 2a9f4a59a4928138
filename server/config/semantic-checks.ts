// Checks that no JSON Schema can express: relations between fields, and facts about files and
// the video. Pure: the caller supplies the probed video and a file test, and maps each finding's
// config path to wherever it needs (an editor range, a CLI line).
import * as path from 'node:path';
import type { VideoInfo } from '../engine/types';
import { episodeConfigSchema } from './schema';
import { schemaAt, isPlainObject, type ConfigPath } from './validate';

export interface Finding {
  /** Candidate places, best first; the caller uses the first one written in the file. */
  at: ConfigPath[];
  severity: 'error' | 'warning';
  code: string;
  message: string;
  /** A line of another file the finding is about (a ground truth's bad line). */
  related?: { path: string; line: number };
}

export interface SemanticFacts {
  configDir: string;
  /** Absolute workspace folder paths; empty when unknown (no output_root check then). */
  workspaceFolders: string[];
  /** The probed video, when probing succeeded. */
  video?: VideoInfo;
  /** The run plan's stride, when the config resolves and the video is known. */
  effectiveStride?: number;
  fileExists: (absPath: string) => boolean;
}

/** A written value, or undefined when the key is absent from the file. */
function written(raw: Record<string, unknown>, p: ConfigPath): unknown {
  let v: unknown = raw;
  for (const key of p) v = isPlainObject(v) ? v[key as string] : undefined;
  return v;
}

/** The value in effect: the written one when it has the right type, else the schema default. */
function number(raw: Record<string, unknown>, p: ConfigPath): number | undefined {
  const v = written(raw, p);
  if (typeof v === 'number') return v;
  const d = schemaAt(episodeConfigSchema, p)?.default;
  return v === undefined && typeof d === 'number' ? d : undefined;
}

const isWritten = (raw: Record<string, unknown>, p: ConfigPath) => written(raw, p) !== undefined;

/** Pairs where the first must stay below the second, with why. */
const ORDERED_THRESHOLDS: { low: ConfigPath; high: ConfigPath; why: string }[] = [
  {
    low: ['tracker', 'low_thresh'], high: ['tracker', 'track_thresh'],
    why: 'otherwise no detection is "low" and ByteTrack\'s second association never runs',
  },
  {
    low: ['gate', 'appear_hard'], high: ['gate', 'appear_soft'],
    why: 'otherwise the streak band between them is empty and every doubtful match splits at once',
  },
];

export function semanticFindings(raw: Record<string, unknown>, facts: SemanticFacts): Finding[] {
  const out: Finding[] = [];
  const add = (at: ConfigPath[], severity: Finding['severity'], code: string, message: string) => {
    const where = at.filter((p) => isWritten(raw, p));
    out.push({ at: where.length ? where : at, severity, code, message });
  };

  const model = written(raw, ['detector', 'model']);
  if (typeof model === 'string' && model !== 'default' && !facts.fileExists(path.resolve(facts.configDir, model))) {
    add([['detector', 'model']], 'error', 'model-missing',
      `Model file not found: ${path.resolve(facts.configDir, model)}. Fix the path (relative to this config file) or use \`default\`.`);
  }

  const fps = written(raw, ['fps']);
  if (facts.video && typeof fps === 'number' && fps > facts.video.fps) {
    const src = Math.round(facts.video.fps * 1000) / 1000;
    add([['fps']], 'warning', 'fps-above-source',
      `\`fps\` is ${fps} but the video has ${src} fps, so it caps nothing. Remove \`fps\` or set it below ${src}.`);
  }

  const warmup = written(raw, ['scene', 'warmup']);
  if (typeof warmup === 'number' && warmup > 0) {
    const stride = facts.effectiveStride ?? (isWritten(raw, ['fps']) ? undefined : number(raw, ['stride']));
    if (written(raw, ['scene', 'enabled']) === false) {
      add([['scene', 'warmup']], 'warning', 'warmup-unused',
        '`scene.warmup` never applies: scene detection is off (`scene.enabled: false`), so the tracker never resets. Remove it or enable scenes.');
    } else if (stride === 1) {
      add([['scene', 'warmup']], 'warning', 'warmup-unused',
        '`scene.warmup` never applies at an effective stride of 1: every frame is analysed already. Remove it, or raise `stride` to sample frames.');
    }
  }

  const cooldown = number(raw, ['scene', 'cooldown']);
  const minLen = number(raw, ['scene', 'min_len']);
  if (cooldown !== undefined && minLen !== undefined && cooldown > 0 && cooldown < minLen
    && (isWritten(raw, ['scene', 'cooldown']) || isWritten(raw, ['scene', 'min_len']))) {
    add([['scene', 'cooldown'], ['scene', 'min_len']], 'warning', 'cooldown-below-min-len',
      `\`scene.cooldown\` (${cooldown}) is below \`scene.min_len\` (${minLen}): cuts that close are already ignored, so the cooldown never suppresses one. Raise it to at least ${minLen}, or set 0 to switch it off.`);
  }

  const buffer = number(raw, ['tracker', 'track_buffer']);
  const maxGap = number(raw, ['tracker', 'max_gap']);
  if (buffer !== undefined && maxGap !== undefined && buffer < maxGap
    && (isWritten(raw, ['tracker', 'track_buffer']) || isWritten(raw, ['tracker', 'max_gap']))) {
    add([['tracker', 'track_buffer'], ['tracker', 'max_gap']], 'warning', 'buffer-below-max-gap',
      `\`tracker.track_buffer\` (${buffer}) is shorter than \`tracker.max_gap\` (${maxGap}): a lost track is forgotten after ${buffer} frames, so longer gaps are never re-joined. Raise track_buffer to at least ${maxGap}, or lower max_gap.`);
  }

  const tiles = written(raw, ['detector', 'tiles']) ?? schemaAt(episodeConfigSchema, ['detector', 'tiles'])?.default;
  const tiled = tiles === 'auto' || (Array.isArray(tiles) && tiles.length === 2 && Number(tiles[0]) * Number(tiles[1]) > 1);
  if (isWritten(raw, ['detector', 'auto_tiles']) && tiles !== 'auto') {
    add([['detector', 'auto_tiles']], 'warning', 'auto-tiles-unused',
      '`detector.auto_tiles` applies only with `detector.tiles: auto`. Set `tiles: auto`, or remove `auto_tiles`.');
  }
  const scope = written(raw, ['detector', 'verify', 'scope']);
  if (isWritten(raw, ['detector', 'verify']) && !tiled && scope !== 'all' && scope !== 'off') {
    add([['detector', 'verify']], 'warning', 'verify-unused',
      '`detector.verify` checks the boxes tiles add, and `detector.tiles` adds none. Turn tiles on, or set `verify.scope: all` to check every box.');
  }

  const outputRoot = written(raw, ['output_root']);
  if (typeof outputRoot === 'string' && facts.workspaceFolders.length) {
    const abs = path.resolve(facts.configDir, outputRoot);
    const inside = facts.workspaceFolders.some((w) => {
      const rel = path.relative(w, abs);
      return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
    });
    if (!inside) {
      add([['output_root']], 'warning', 'output-outside-workspace',
        `\`output_root\` resolves to ${abs}, outside the workspace, so the outputs will not show in the explorer. Use a path inside the workspace if you want to browse them here.`);
    }
  }

  for (const { low, high, why } of ORDERED_THRESHOLDS) {
    const lo = number(raw, low);
    const hi = number(raw, high);
    if (lo !== undefined && hi !== undefined && lo >= hi && (isWritten(raw, low) || isWritten(raw, high))) {
      const [l, h] = [low.join('.'), high.join('.')];
      add([low, high], 'warning', 'thresholds-inverted',
        `\`${l}\` (${lo}) must be below \`${h}\` (${hi}): ${why}. Lower ${l} or raise ${h}.`);
    }
  }
  return out;
}
