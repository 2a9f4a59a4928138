// Hover on a key or value: the field's description, type, default, range and the value in
// effect; on `video`, what ffmpeg says about the file and how many frames will be analysed.
import * as path from 'node:path';
import type { Hover, Position } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { absolutizePaths, resolveConfig, withDefaults } from '../config/episode-config';
import { episodeConfigSchema, type SchemaNode } from '../config/schema';
import { formatPath, isPlainObject, schemaAt, type ConfigPath } from '../config/validate';
import { keySpan, parseConfigDocument, pathAtOffset, valueSpan } from '../config/yaml-positions';
import { planRun } from '../engine/run-plan';
import type { VideoInfo } from '../engine/types';
import { probeConfigVideo, toRange } from './diagnostics';
import type { VideoProber } from './video-cache';

const PATH_KEYS = new Set(['video', 'output_root', 'detector.model']);

/** `restricted`: an untrusted workspace, where the video is probed with Episode Lab's own ffmpeg. */
export async function hoverAt(
  doc: TextDocument, position: Position, configPath: string, probe: VideoProber, restricted = false,
): Promise<Hover | null> {
  const yaml = parseConfigDocument(doc.getText());
  const at = pathAtOffset(yaml, doc.offsetAt(position));
  if (!at) return null;
  // A list item (an entry of `tiles`) is explained by its list's field.
  const fieldPath = at.path.filter((p): p is string => typeof p === 'string');
  const node = schemaAt(episodeConfigSchema, fieldPath);
  if (!fieldPath.length || !node) return null;

  let raw: unknown;
  try {
    raw = yaml.toJS({ maxAliasCount: 100 });
  } catch {
    raw = undefined;
  }
  const lines = describeField(fieldPath, node, effectiveValue(raw, fieldPath), path.dirname(configPath));
  if (fieldPath.length === 1 && fieldPath[0] === 'video' && isPlainObject(raw)) {
    lines.push('', ...(await videoFacts(raw, path.dirname(configPath), probe, restricted)));
  }
  const span = at.onKey ? keySpan(yaml, fieldPath) : valueSpan(yaml, fieldPath);
  return {
    contents: { kind: 'markdown', value: lines.join('\n') },
    range: span ? toRange(doc, span) : undefined,
  };
}

function effectiveValue(raw: unknown, p: ConfigPath): unknown {
  let v: unknown = withDefaults(isPlainObject(raw) ? raw : {});
  for (const key of p) v = isPlainObject(v) ? v[key as string] : undefined;
  return v;
}

function describeField(p: string[], node: SchemaNode, value: unknown, configDir: string): string[] {
  const facts = [typeName(node), rangeText(node)].filter(Boolean).join(', ');
  const lines = [`**${formatPath(p)}**${facts ? ` (${facts})` : ''}`, '', node.description ?? ''];
  const meta: string[] = [];
  if (node.default !== undefined) meta.push(`Default: \`${JSON.stringify(node.default)}\``);
  if (value !== undefined && node.type !== 'object') {
    const resolved = typeof value === 'string' && PATH_KEYS.has(p.join('.')) && value !== 'default' ? ` → \`${path.resolve(configDir, value)}\`` : '';
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

async function videoFacts(raw: Record<string, unknown>, configDir: string, probe: VideoProber, restricted: boolean): Promise<string[]> {
  const { video, finding } = await probeConfigVideo(raw, configDir, probe, restricted);
  if (!video) return finding ? [`⚠ ${finding.message}`] : [];
  return [
    `**Video:** ${video.width}×${video.height}, ${round(video.fps, 3)} fps, ${round(video.durationS, 2)} s (about ${video.framesEstimate} frames), ${video.codec}`,
    analysedFrames(raw, configDir, video),
  ];
}

function analysedFrames(raw: Record<string, unknown>, configDir: string, video: VideoInfo): string {
  try {
    const stride = planRun(absolutizePaths(resolveConfig(raw), configDir), video).stride;
    const frames = Math.ceil(video.framesEstimate / stride);
    return `**Analysed:** about ${frames} frames at effective stride ${stride}, plus the warm-up frames after each cut.`;
  } catch {
    return 'Fix the config errors to see how many frames will be analysed.';
  }
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
