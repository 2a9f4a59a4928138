// A config document → its diagnostics: YAML syntax, schema issues and semantic checks, each at
// the exact key or value it is about. No connection here, so tests can call it directly.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, type Document } from 'yaml';
import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { absolutizePaths, resolveConfig } from '../config/episode-config';
import { castFindings } from './cast-findings';
import { semanticFindings, type Finding } from '../config/semantic-checks';
import { isPlainObject, validateAgainstSchema, type ConfigPath, type SchemaIssue } from '../config/validate';
import { keySpan, nodeAt, parseConfigDocument, valueSpan, type Span } from '../config/yaml-positions';
import { VideoError } from '../engine/decode/probe';
import { planRun } from '../engine/run-plan';
import type { VideoInfo } from '../engine/types';
import { analyzeSeason, diskFacts } from '../season/season-file';
import { isSeasonDocument, schemaOf } from './document-kind';
import type { VideoProber } from './video-cache';
import { groundTruthFindings, type GroundTruthReader } from './ground-truth-check';
import { cutListFindings } from './cut-list-check';
import { pathToFileURL } from 'node:url';
import { readGroundTruth } from '../engine/eval/ground-truth';

export const SOURCE = 'episode-lab';
/** A binary file parses into thousands of YAML errors; nobody reads past the first screen. */
const MAX_DIAGNOSTICS = 100;

export interface DiagnosticsContext {
  /** Absolute path of the config file; relative paths in it resolve from its folder. */
  configPath: string;
  workspaceFolders: string[];
  probe: VideoProber;
  /** An untrusted workspace (Restricted Mode): the config's `ffmpeg.path` is never run. */
  restricted?: boolean;
  /** Reads `evaluation.ground_truth` (the server's caches); default: read it afresh. */
  readGroundTruth?: GroundTruthReader;
}

/** What a quick fix needs, carried in Diagnostic.data. */
export interface FixData {
  path: ConfigPath;
  suggestion?: string | number;
}

export async function computeDiagnostics(doc: TextDocument, ctx: DiagnosticsContext): Promise<Diagnostic[]> {
  const text = doc.getText();
  const season = isSeasonDocument(doc);
  if (looksBinary(text)) {
    return [diagnostic(doc, { start: 0, end: 0 }, DiagnosticSeverity.Error, 'binary', season
      ? 'This file is binary, not YAML text. A season file is a YAML file such as `episodes:` / `  - { ep_id: S01E01, video: S01E01.mp4 }`.'
      : 'This file is binary, not YAML text. An episode config is a YAML file such as `ep_id: S01E01` / `video: episode.mp4`.')];
  }
  const yaml = parseConfigDocument(text);
  const out: Diagnostic[] = [
    ...yaml.errors.map((e) => diagnostic(doc, { start: e.pos[0], end: e.pos[1] }, DiagnosticSeverity.Error, e.code,
      `YAML syntax error: ${e.message.split('\n')[0]}.`)),
    ...yaml.warnings.map((e) => diagnostic(doc, { start: e.pos[0], end: e.pos[1] }, DiagnosticSeverity.Warning, e.code,
      `YAML: ${e.message.split('\n')[0]}.`)),
  ];
  let raw: unknown;
  try {
    raw = yaml.toJS({ maxAliasCount: 100 }) ?? {}; // an empty file is an empty mapping: missing keys are named
  } catch (e) {
    out.push(diagnostic(doc, { start: 0, end: 0 }, DiagnosticSeverity.Error, 'yaml', `YAML: ${(e as Error).message}`));
    return out;
  }
  const issues = validateAgainstSchema(raw, schemaOf(doc));
  out.push(...issues.map((i) => schemaDiagnostic(doc, yaml, i)));
  if (isPlainObject(raw)) {
    if (season) out.push(...seasonFindings(doc, yaml, raw, ctx.configPath).map((f) => findingDiagnostic(doc, yaml, f)));
    else out.push(...(await semanticDiagnostics(doc, yaml, raw, issues.length === 0, ctx)));
  }
  return out.slice(0, MAX_DIAGNOSTICS);
}

/** NUL bytes, or mostly replacement and control characters, as a binary file decodes to. */
function looksBinary(text: string): boolean {
  if (text.includes('\u0000')) return true;
  const head = text.slice(0, 2000);
  const odd = head.match(/[\uFFFD\u0001-\u0008\u000E-\u001F]/g)?.length ?? 0;
  return head.length > 0 && odd / head.length > 0.1;
}

function schemaDiagnostic(doc: TextDocument, yaml: Document, issue: SchemaIssue): Diagnostic {
  const span = issue.code === 'unknown-key' ? keySpan(yaml, issue.path)
    : issue.code === 'required' ? requiredSpan(yaml, issue.path)
    : valueSpan(yaml, issue.path);
  const data: FixData = { path: issue.path, suggestion: issue.suggestion };
  const message = issue.code === 'required' ? `${issue.message} Add it, e.g. with the quick fix.` : issue.message;
  return { ...diagnostic(doc, span ?? { start: 0, end: 0 }, DiagnosticSeverity.Error, issue.code, message), data };
}

/** A missing key belongs to its mapping: underline the mapping's key, or the first key at the root. */
function requiredSpan(yaml: Document, p: ConfigPath): Span | undefined {
  if (p.length) return keySpan(yaml, p);
  const root = nodeAt(yaml, []);
  const first = isMap(root) ? root.items[0]?.key : undefined;
  return isScalar(first) && first.range ? { start: first.range[0], end: first.range[1] } : undefined;
}

async function semanticDiagnostics(
  doc: TextDocument, yaml: Document, raw: Record<string, unknown>, schemaClean: boolean, ctx: DiagnosticsContext,
): Promise<Diagnostic[]> {
  const configDir = path.dirname(ctx.configPath);
  const out: Diagnostic[] = [];
  const { video, finding } = await probeConfigVideo(raw, configDir, ctx.probe, ctx.restricted);
  if (finding) out.push(findingDiagnostic(doc, yaml, finding));
  const ignored = ctx.restricted && configuredFfmpeg(raw);
  if (ignored) {
    out.push(findingDiagnostic(doc, yaml, {
      at: [['ffmpeg', 'path']], severity: 'warning', code: 'restricted-mode',
      message: `Restricted Mode: this workspace is not trusted, so ffmpeg.path (${ignored}) is not run; the video was checked with Episode Lab's own ffmpeg. Trust the workspace to use it and to run episodes.`,
    }));
  }
  let effectiveStride: number | undefined;
  if (video && schemaClean) {
    try {
      effectiveStride = planRun(absolutizePaths(resolveConfig(raw), configDir), video).stride;
    } catch {
      // Schema-clean configs resolve; a failure here only means no stride-based checks.
    }
  }
  const findings = semanticFindings(raw, {
    configDir, workspaceFolders: ctx.workspaceFolders, video, effectiveStride, fileExists: existsSync,
  });
  out.push(...findings.map((f) => findingDiagnostic(doc, yaml, f)));
  const gt = await groundTruthFindings(raw, configDir, video, ctx.readGroundTruth ?? readGroundTruth);
  out.push(...gt.map((f) => findingDiagnostic(doc, yaml, f)));
  if (!ctx.restricted) out.push(...(await castFindings(raw, configDir)).map((f) => findingDiagnostic(doc, yaml, f)));
  out.push(...(await cutListFindings(raw, configDir)).map((f) => findingDiagnostic(doc, yaml, f)));
  return out;
}

const configuredFfmpeg = (raw: Record<string, unknown>): string | undefined =>
  (isPlainObject(raw.ffmpeg) && typeof raw.ffmpeg.path === 'string' && raw.ffmpeg.path) || undefined;

/**
 * Probes `video` (cached); a problem with it or with ffmpeg becomes a finding. `restricted`
 * (an untrusted workspace) probes with Episode Lab's own ffmpeg, never the config's.
 */
export async function probeConfigVideo(
  raw: Record<string, unknown>, configDir: string, probe: VideoProber, restricted = false,
): Promise<{ video?: VideoInfo; finding?: Finding }> {
  if (typeof raw.video !== 'string' || raw.video === '') return {};
  const ffmpeg = restricted ? undefined : configuredFfmpeg(raw);
  const ffmpegPath = ffmpeg && ffmpeg.includes('/') ? path.resolve(configDir, ffmpeg) : ffmpeg;
  try {
    return { video: await probe(path.resolve(configDir, raw.video), ffmpegPath) };
  } catch (e) {
    const message = (e as Error).message;
    if (e instanceof VideoError) {
      return { finding: { at: [['video']], severity: 'error', code: 'video', message: `${message}. Fix \`video\` (relative to this config file).` } };
    }
    return { finding: { at: ffmpeg ? [['ffmpeg', 'path']] : [['video']], severity: 'error', code: 'ffmpeg', message } };
  }
}

/** A season's checks beyond the schema: duplicate ep_ids, missing videos, the glob, the base config. */
function seasonFindings(doc: TextDocument, yaml: Document, raw: Record<string, unknown>, seasonFile: string): Finding[] {
  const lineOf = (p: ConfigPath) => {
    const span = valueSpan(yaml, p);
    return span ? doc.positionAt(span.start).line + 1 : undefined;
  };
  return analyzeSeason(raw, seasonFile, { ...diskFacts, lineOf }).findings;
}

function findingDiagnostic(doc: TextDocument, yaml: Document, f: Finding): Diagnostic {
  const span = f.at.map((p) => valueSpan(yaml, p)).find(Boolean) ?? { start: 0, end: 0 };
  const severity = f.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning;
  const d: Diagnostic = { ...diagnostic(doc, span, severity, f.code, f.message), data: { path: f.at[0] } satisfies FixData };
  if (f.related) {
    const line = f.related.line - 1;
    d.relatedInformation = [{
      location: { uri: pathToFileURL(f.related.path).href, range: { start: { line, character: 0 }, end: { line, character: 0 } } },
      message: `line ${f.related.line}`,
    }];
  }
  return d;
}

function diagnostic(doc: TextDocument, span: Span, severity: DiagnosticSeverity, code: string, message: string): Diagnostic {
  return { range: toRange(doc, span), severity, code, source: SOURCE, message };
}

export function toRange(doc: TextDocument, span: Span): Range {
  return { start: doc.positionAt(span.start), end: doc.positionAt(span.end) };
}
