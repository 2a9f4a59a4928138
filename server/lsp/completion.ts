// Completion of keys (by the mapping the cursor is in), of enum and boolean values, and a
// snippet for a whole new config. The context comes from indentation, not from the YAML parse,
// because the line being typed is usually not valid YAML yet.
import {
  CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type Position,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { SchemaNode } from '../config/schema';
import { schemaAt, type ConfigPath } from '../config/validate';
import { keysAt, parseConfigDocument } from '../config/yaml-positions';
import { isSeasonDocument, schemaOf } from './document-kind';

const KEY_LINE = /^(\s*)([A-Za-z_][\w]*)\s*:\s*(.*)$/;
/** `  - key: value`: the first key of a list item's mapping (a season's episodes). */
const ITEM_LINE = /^(\s*)-(\s+)([A-Za-z_][\w]*)\s*:\s*(.*)$/;

export function completionsAt(doc: TextDocument, position: Position): CompletionItem[] {
  const schema = schemaOf(doc);
  const lines = doc.getText().split(/\r?\n/);
  const before = (lines[position.line] ?? '').slice(0, position.character);

  const itemValue = ITEM_LINE.exec(before);
  const valueMatch = itemValue ? undefined : KEY_LINE.exec(before);
  if (itemValue || valueMatch) {
    const parent = itemValue ? parentPath(lines, position.line, itemValue[1].length, true) : parentPath(lines, position.line, valueMatch![1].length);
    const node = parent && schemaAt(schema, [...parent, itemValue ? itemValue[3] : valueMatch![2]]);
    return node ? valueItems(node) : [];
  }
  const itemKey = /^(\s*)-\s+[\w-]*$/.exec(before);
  const keyMatch = itemKey ? undefined : /^(\s*)[\w-]*$/.exec(before);
  if (!itemKey && !keyMatch) return [];
  const parent = itemKey ? parentPath(lines, position.line, itemKey[1].length, true) : parentPath(lines, position.line, keyMatch![1].length);
  const node = parent && mappingOf(schemaAt(schema, parent));
  if (!parent || !node?.properties) return [];
  const present = new Set(keysAt(parseConfigDocument(doc.getText()), parent));
  const items = Object.entries(node.properties).filter(([k]) => !present.has(k)).map(([k, sub]) => keyItem(k, sub));
  if (parent.length === 0 && present.size === 0) items.push(isSeasonDocument(doc) ? newSeasonSnippet() : newConfigSnippet());
  return items;
}

/** The mapping a node's keys come from: itself, or its mapping alternative (a season's `base`). */
const mappingOf = (node: SchemaNode | undefined) => node?.anyOf?.find((b) => b.type === 'object') ?? node;

/**
 * The config path a line at `indent` belongs to: walk up to the nearest less-indented `key:`
 * lines, and through list items (`- key:`), whose index is counted. Undefined when a
 * less-indented line is not a mapping opener (no sensible keys). `inItem`: the line itself
 * starts a list item, whose dash is at `indent`.
 */
function parentPath(lines: string[], lineNo: number, indent: number, inItem = false): ConfigPath | undefined {
  const p: ConfigPath = inItem ? [0] : [];
  let want = indent;
  // Climbing a list: its key may sit at the dash's own indent, and earlier items are counted.
  let inList = inItem;
  let items = 0;
  for (let i = lineNo - 1; i >= 0 && (want > 0 || inList); i--) {
    const line = lines[i];
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const lineIndent = line.length - line.trimStart().length;
    const item = ITEM_LINE.exec(line);
    if (item) {
      if (inList) {
        if (lineIndent === want) items++;
        continue;
      }
      const keyCol = lineIndent + 1 + item[2].length;
      if (keyCol > want) continue;
      if (keyCol < want) {
        if (!opensBlock(item[4])) return undefined;
        p.unshift(item[3]);
      }
      p.unshift(0);
      [want, inList, items] = [lineIndent, true, 0];
      continue;
    }
    if (inList ? lineIndent > want : lineIndent >= want) continue;
    const m = KEY_LINE.exec(line);
    if (!m || !opensBlock(m[3])) return undefined;
    if (inList) p[0] = items;
    p.unshift(m[2]);
    [want, inList] = [lineIndent, false];
  }
  return inList ? undefined : p;
}

/** A `key:` with nothing after it but a comment opens a block. */
const opensBlock = (rest: string) => !rest.trim() || rest.trim().startsWith('#');

function keyItem(key: string, node: SchemaNode): CompletionItem {
  const section = node.type === 'object' || !!node.anyOf;
  return {
    label: key,
    kind: section ? CompletionItemKind.Module : CompletionItemKind.Property,
    detail: section ? 'section' : `${node.type}${node.default !== undefined ? ` = ${JSON.stringify(node.default)}` : ''}`,
    documentation: node.description ? { kind: MarkupKind.Markdown, value: node.description } : undefined,
    insertText: `${key}:${valueSnippet(node)}`,
    insertTextFormat: InsertTextFormat.Snippet,
  };
}

/** What follows `key:` in a key completion: a new indented block, or a placeholder value. */
function valueSnippet(node: SchemaNode): string {
  if (node.type === 'object' || node.anyOf) return '\n  $0';
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

function newSeasonSnippet(): CompletionItem {
  return {
    label: 'new season',
    kind: CompletionItemKind.Snippet,
    detail: 'base settings and the episodes of a glob',
    insertTextFormat: InsertTextFormat.Snippet,
    insertText: [
      'base: ${1:S01E01.episode.yaml}',
      'episodes:',
      '  glob: ${2:videos/S01E*.mp4}',
      '  ep_id: ${3:"{stem}"}',
      'jobs: ${4:1}',
      '$0',
    ].join('\n'),
  };
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
