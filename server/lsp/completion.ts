// Completion of keys (by the mapping the cursor is in), of enum and boolean values, and a
// snippet for a whole new config. The context comes from indentation, not from the YAML parse,
// because the line being typed is usually not valid YAML yet.
import {
  CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type Position,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { episodeConfigSchema, type SchemaNode } from '../config/schema';
import { schemaAt } from '../config/validate';
import { keysAt, parseConfigDocument } from '../config/yaml-positions';

const KEY_LINE = /^(\s*)([A-Za-z_][\w]*)\s*:\s*(.*)$/;

export function completionsAt(doc: TextDocument, position: Position): CompletionItem[] {
  const lines = doc.getText().split(/\r?\n/);
  const before = (lines[position.line] ?? '').slice(0, position.character);

  const valueMatch = KEY_LINE.exec(before);
  if (valueMatch) {
    const parent = parentPath(lines, position.line, valueMatch[1].length);
    const node = parent && schemaAt(episodeConfigSchema, [...parent, valueMatch[2]]);
    return node ? valueItems(node) : [];
  }
  const keyMatch = /^(\s*)[\w-]*$/.exec(before);
  if (!keyMatch) return [];
  const parent = parentPath(lines, position.line, keyMatch[1].length);
  const node = parent && schemaAt(episodeConfigSchema, parent);
  if (!parent || !node?.properties) return [];
  const present = new Set(keysAt(parseConfigDocument(doc.getText()), parent));
  const items = Object.entries(node.properties).filter(([k]) => !present.has(k)).map(([k, sub]) => keyItem(k, sub));
  if (parent.length === 0 && present.size === 0) items.push(newConfigSnippet());
  return items;
}

/**
 * The mapping path a line at `indent` belongs to: walk up to the nearest less-indented
 * `key:` lines. Undefined when a less-indented line is not a mapping opener (no sensible keys).
 */
function parentPath(lines: string[], lineNo: number, indent: number): string[] | undefined {
  const p: string[] = [];
  let want = indent;
  for (let i = lineNo - 1; i >= 0 && want > 0; i--) {
    const line = lines[i];
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const lineIndent = line.length - line.trimStart().length;
    if (lineIndent >= want) continue;
    const m = KEY_LINE.exec(line);
    if (!m || (m[3].trim() && !m[3].trim().startsWith('#'))) return undefined;
    p.unshift(m[2]);
    want = lineIndent;
  }
  return p;
}

function keyItem(key: string, node: SchemaNode): CompletionItem {
  return {
    label: key,
    kind: node.type === 'object' ? CompletionItemKind.Module : CompletionItemKind.Property,
    detail: node.type === 'object' ? 'section' : `${node.type}${node.default !== undefined ? ` = ${JSON.stringify(node.default)}` : ''}`,
    documentation: node.description ? { kind: MarkupKind.Markdown, value: node.description } : undefined,
    insertText: `${key}:${valueSnippet(node)}`,
    insertTextFormat: InsertTextFormat.Snippet,
  };
}

/** What follows `key:` in a key completion: a new indented block, or a placeholder value. */
function valueSnippet(node: SchemaNode): string {
  if (node.type === 'object') return '\n  $0';
  const choices = node.enum ?? (node.type === 'boolean' ? [node.default ?? true, !(node.default ?? true)] : undefined);
  if (choices) return ` \${1|${choices.join(',')}|}`;
  const example = node.default ?? node.examples?.[0];
  return example !== undefined ? ` \${1:${escapeSnippet(JSON.stringify(example))}}` : ' $1';
}

function valueItems(node: SchemaNode): CompletionItem[] {
  const values = node.enum ?? (node.type === 'boolean' ? [true, false] : node.examples ?? []);
  return values.map((v) => ({
    label: typeof v === 'string' ? v : JSON.stringify(v),
    kind: CompletionItemKind.Value,
    detail: v === node.default ? 'default' : undefined,
  }));
}

function newConfigSnippet(): CompletionItem {
  return {
    label: 'new episode config',
    kind: CompletionItemKind.Snippet,
    detail: 'ep_id, video, output_root, stride and scene settings',
    insertTextFormat: InsertTextFormat.Snippet,
    insertText: [
      'ep_id: ${1:S01E01}',
      'video: ${2:episodes/S01E01.mp4}',
      'output_root: ${3:data/episodes}',
      'stride: ${4:6}',
      'scene:',
      '  cooldown: ${5:24}',
      'export:',
      '  crops: ${6|true,false|}',
      '$0',
    ].join('\n'),
  };
}

const escapeSnippet = (s: string) => s.replace(/[$}\\]/g, '\\$&');
