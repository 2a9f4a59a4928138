// Hover on a key or value: the field's description, type, default, range and the value in
// effect; on `video`, what ffmpeg says about the file and how many frames will be analysed; on
// `evaluation.ground_truth`, what the file holds.
import * as path from 'node:path';
import type { Hover, Position } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { absolutizePaths, resolveConfig, withDefaults } from '../config/episode-config';
import type { SchemaNode } from '../config/schema';
import { formatPath, isPlainObject, schemaAt, type ConfigPath } from '../config/validate';
import { keySpan, parseConfigDocument, pathAtOffset, valueSpan } from '../config/yaml-positions';
import { planRun } from '../engine/run-plan';
import { readGroundTruth } from '../engine/eval/ground-truth';
import type { VideoInfo } from '../engine/types';
import { probeConfigVideo, toRange } from './diagnostics';
import { schemaOf } from './document-kind';
import type { VideoProber } from './video-cache';

/** Keys whose value is a path, by their string keys (list indices left out). */
const PATH_KEYS = new Set([
  'video', 'output_root', 'detector.model', 'evaluation.ground_truth', 'evaluation.cuts',
  'base', 'base.output_root', 'base.detector.model', 'episodes.video', 'episodes.glob', 'summary_dir',
]);

/** `restricted`: an untrusted workspace, where the video is probed with Episode Lab's own ffmpeg. */
export async function hoverAt(
  doc: TextDocument, position: Position, configPath: string, probe: VideoProber, restricted = false,
): Promise<Hover | null> {
  const yaml = parseConfigDocument(doc.getText());
  const at = pathAtOffset(yaml, doc.offsetAt(position));
  if (!at) return null;
  // A list item that is a value (an entry of `tiles`) is explained by its list's field.
  const fieldPath = [...at.path];
  while (typeof fieldPath[fieldPath.length - 1] === 'number') fieldPath.pop();
  const node = schemaAt(schemaOf(doc), fieldPath);
  if (!fieldPath.length || !node) return null;

  let raw: unknown;
  try {
    raw = yaml.toJS({ maxAliasCount: 100 });
  } catch {
    raw = undefined;
  }
  const configDir = path.dirname(configPath);
  const lines = describeField(fieldPath, node, effectiveValue(raw, fieldPath, schemaOf(doc)), configDir);
  if (fieldPath.length === 1 && fieldPath[0] === 'video' && isPlainObject(raw)) {
    lines.push('', ...(await videoFacts(raw, configDir, probe, restricted)));
  }
  if (fieldPath.join('.') === 'evaluation.ground_truth' && isPlainObject(raw)) lines.push('', ...(await groundTruthFacts(raw, configDir)));
  const episode = seasonEpisodeOf(raw, fieldPath);
  if (episode) lines.push('', ...(await videoFacts(episode, configDir, probe, restricted, false)));
  const span = at.onKey ? keySpan(yaml, fieldPath) : valueSpan(yaml, fieldPath);
  return {
    contents: { kind: 'markdown', value: lines.join('\n') },
    range: span ? toRange(doc, span) : undefined,
  };
}

function effectiveValue(raw: unknown, p: ConfigPath, schema: SchemaNode): unknown {
  let v: unknown = withDefaults(isPlainObject(raw) ? raw : {}, schema);
  for (const key of p) v = isPlainObject(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[key] : undefined;
  return v;
}

/** On a season's `episodes[i].video`: that episode's video, with the base's ffmpeg. */
function seasonEpisodeOf(raw: unknown, p: ConfigPath): Record<string, unknown> | undefined {
  if (p.length !== 3 || p[0] !== 'episodes' || p[2] !== 'video' || !isPlainObject(raw) || !Array.isArray(raw.episodes)) return undefined;
  const item = raw.episodes[p[1] as number];
  if (!isPlainObject(item)) return undefined;
  const base = isPlainObject(raw.base) ? raw.base : {};
  return { video: item.video, ffmpeg: base.ffmpeg };
}

function describeField(p: ConfigPath, node: SchemaNode, value: unknown, configDir: string): string[] {
  const facts = [typeName(node), rangeText(node)].filter(Boolean).join(', ');
  const lines = [`**${formatPath(p)}**${facts ? ` (${facts})` : ''}`, '', node.description ?? ''];
  const meta: string[] = [];
  if (node.default !== undefined) meta.push(`Default: \`${JSON.stringify(node.default)}\``);
  const keys = p.filter((k) => typeof k === 'string').join('.');
  if (value !== undefined && node.type !== 'object' && !isPlainObject(value)) {
    const resolved = typeof value === 'string' && PATH_KEYS.has(keys) && value !== 'default' ? ` → \`${path.resolve(configDir, value)}\`` : '';
    meta.push(`In effect: \`${JSON.stringify(value)}\`${resolved}`);
  }
  if (node.examples?.length) meta.push(`Examples: ${node.examples.map((e) => `\`${JSON.stringify(e)}\``).join(', ')}`);
  if (meta.length) lines.push('', meta.join(' · '));
  return lines;
}

function typeName(node: SchemaNode): string {
  if (node.anyOf) return node.anyOf.map(typeName).join(' or ');
  if (node.enum) return `one of ${node.enum.map((v) => `\`${v}\``).join(', ')}`;
  if (node.type === 'array' && node.items?.type) return `list of ${node.items.type}`;
  return node.type ?? '';
}

function rangeText(node: SchemaNode): string {
  const lo = node.minimum ?? (node.exclusiveMinimum !== undefined ? `>${node.exclusiveMinimum}` : undefined);
  if (lo === undefined && node.maximum === undefined) return '';
  if (node.maximum === undefined) return `≥ ${lo}`;
  return `${lo ?? '−∞'} to ${node.maximum}`;
}

async function videoFacts(raw: Record<string, unknown>, configDir: string, probe: VideoProber, restricted: boolean, withFrames = true): Promise<string[]> {
  const { video, finding } = await probeConfigVideo(raw, configDir, probe, restricted);
  if (!video) return finding ? [`⚠ ${finding.message}`] : [];
  return [
    `**Video:** ${video.width}×${video.height}${video.rotation ? ` (shown rotated ${video.rotation}°)` : ''}, ${round(video.fps, 3)} fps, `
      + `${video.durationS ? `${round(video.durationS, 2)} s (about ${video.framesEstimate} frames)` : 'duration unknown'}, ${video.codec}`,
    ...(withFrames ? [analysedFrames(raw, configDir, video)] : []),
  ];
}

function analysedFrames(raw: Record<string, unknown>, configDir: string, video: VideoInfo): string {
  try {
    const stride = planRun(absolutizePaths(resolveConfig(raw), configDir), video).stride;
    if (!video.framesEstimate) return `**Analysed:** one frame in ${stride}, plus the warm-up frames after each cut.`;
    const frames = Math.ceil(video.framesEstimate / stride);
    return `**Analysed:** about ${frames} frames at effective stride ${stride}, plus the warm-up frames after each cut.`;
  } catch {
    return 'Fix the config errors to see how many frames will be analysed.';
  }
}

/** "**Ground truth:** 4 rows (1 not considered), 2 ids, frames 1–4 (file numbering); labels: face". */
async function groundTruthFacts(raw: Record<string, unknown>, configDir: string): Promise<string[]> {
  const ev = isPlainObject(raw.evaluation) ? raw.evaluation : {};
  if (typeof ev.ground_truth !== 'string' || !ev.ground_truth) return [];
  const base = ev.frame_base === 0 ? 0 : 1;
  try {
    const gt = await readGroundTruth(path.resolve(configDir, ev.ground_truth), base);
    const ids = new Set(gt.rows.map((r) => r.id)).size;
    let first = Infinity;
    let last = -Infinity;
    for (const r of gt.rows) {
      first = Math.min(first, r.frame);
      last = Math.max(last, r.frame);
    }
    const frames = gt.rows.length ? `, frames ${first + base}–${last + base} (file numbering)` : '';
    const ignored = gt.ignored ? ` (${gt.ignored} not considered)` : '';
    const problems = gt.problems.length ? `; ⚠ ${gt.problems.length} bad line${gt.problems.length === 1 ? '' : 's'}` : '';
    return [`**Ground truth:** ${gt.rows.length} rows${ignored}, ${ids} ids${frames}${gt.labels ? `; labels: ${gt.labels.join(', ')}` : ''}${problems}`];
  } catch (e) {
    return [`⚠ ${(e as Error).message}`];
  }
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
