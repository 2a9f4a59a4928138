// Writes values by dotted key into a config's YAML text as minimal text edits, so the file keeps
// its comments, blank lines, quoting and key order (the sweep page's Apply). An existing scalar
// has just its value's range replaced; a missing key is inserted at the end of its deepest
// existing mapping, in that mapping's indentation (block) or as `, key: value` (flow); missing
// parents come with it, indented by the file's own step.
import { isMap, isScalar, type Document, type Node, type YAMLMap } from 'yaml';
import { parseConfigDocument } from './yaml-positions';

export interface TextEdit {
  offset: number;
  length: number;
  text: string;
}

type Leaf = number | string | boolean;
type Tree = { [key: string]: Tree | Leaf };

/** The edits that set each `values` key (dotted) in `text`; throws when a key's parent is not a mapping. */
export function applyValuesEdits(text: string, values: Record<string, unknown>): TextEdit[] {
  const doc = parseConfigDocument(text);
  if (doc.errors.length) throw new Error(`the config does not parse: ${doc.errors[0].message.split('\n')[0]}`);
  const root = doc.contents;
  if (!isMap(root)) throw new Error('the config is not a mapping of keys to values');
  const edits: TextEdit[] = [];
  // Missing keys, grouped by the mapping they go into.
  const missing = new Map<YAMLMap, Tree>();
  for (const [key, value] of Object.entries(values)) {
    if (!['number', 'string', 'boolean'].includes(typeof value)) throw new Error(`${key}: only numbers, strings and booleans can be applied`);
    const parts = key.split('.');
    let map = root as YAMLMap;
    let i = 0;
    for (; i < parts.length; i++) {
      const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === parts[i]);
      if (!pair) break;
      const node = pair.value as Node | null;
      if (i === parts.length - 1) {
        if (!isScalar(node) || !node.range) throw new Error(`${key}: the config holds a ${node ? 'list or mapping' : 'key without a value'} there, not a value`);
        edits.push({ offset: node.range[0], length: node.range[1] - node.range[0], text: scalarText(value as Leaf) });
      } else if (isMap(node)) map = node;
      else throw new Error(`${parts.slice(0, i + 1).join('.')}: not a mapping in the config, so ${key} cannot be set`);
    }
    if (i === parts.length) continue;
    const tree = missing.get(map) ?? {};
    let t = tree;
    for (const p of parts.slice(i, -1)) t = (t[p] ??= {}) as Tree;
    t[parts[parts.length - 1]] = value as Leaf;
    missing.set(map, tree);
  }
  const step = indentStep(text, doc);
  for (const [map, tree] of missing) edits.push(insertion(text, map, map === root, tree, step));
  return edits.sort((a, b) => a.offset - b.offset);
}

/** The text with the edits applied (they never overlap). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + e.text + out.slice(e.offset + e.length);
  return out;
}

function scalarText(v: Leaf): string {
  if (typeof v === 'string') return /^[\w./-]+$/.test(v) && !/^(true|false|null|~|[-+]?[\d.]+(e[-+]?\d+)?)$/i.test(v) ? v : JSON.stringify(v);
  return String(v);
}

function blockLines(tree: Tree, indent: string, step: string): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'object' ? [`${indent}${k}:`, ...blockLines(v, indent + step, step)] : [`${indent}${k}: ${scalarText(v)}`]);
}

function flowText(tree: Tree): string {
  return Object.entries(tree).map(([k, v]) => `${k}: ${typeof v === 'object' ? `{${flowText(v)}}` : scalarText(v)}`).join(', ');
}

const columnOf = (text: string, offset: number) => offset - (text.lastIndexOf('\n', offset - 1) + 1);

/** An insertion at the end of `map`: before `}` of a flow map, else as lines after its last item (top level: before `sweep:`). */
function insertion(text: string, map: YAMLMap, top: boolean, tree: Tree, step: string): TextEdit {
  const [start, end] = map.range ?? [text.length, text.length];
  if (map.flow) {
    const close = text.lastIndexOf('}', end);
    const empty = map.items.length === 0;
    return { offset: close, length: 0, text: `${empty ? '' : ', '}${flowText(tree)}` };
  }
  const first = map.items[0]?.key as Node | undefined;
  const indent = ' '.repeat(first?.range ? columnOf(text, first.range[0]) : columnOf(text, start));
  let offset = end;
  // At the top level the grid stays last: new settings go above `sweep:`.
  const sweep = top ? map.items.find((p) => isScalar(p.key) && p.key.value === 'sweep') : undefined;
  if (sweep && isScalar(sweep.key) && sweep.key.range) {
    // Above the grid and the comment lines right above it, which are about the grid.
    offset = sweep.key.range[0] - columnOf(text, sweep.key.range[0]);
    for (let prev = text.lastIndexOf('\n', offset - 2) + 1; offset > 0 && text.startsWith('#', prev); prev = text.lastIndexOf('\n', prev - 2) + 1) offset = prev;
  }
  else if (text[offset - 1] !== '\n') {
    const nl = text.indexOf('\n', offset);
    offset = nl < 0 ? text.length : nl + 1;
  }
  const lines = blockLines(tree, indent, step).join('\n') + '\n';
  return { offset, length: 0, text: offset === text.length && text.length && !text.endsWith('\n') ? `\n${lines}` : lines };
}

/** The file's indentation step: the column of the first nested block mapping's keys; two spaces when there is none. */
function indentStep(text: string, doc: Document): string {
  const root = doc.contents;
  if (isMap(root)) {
    for (const p of root.items) {
      const v = p.value as Node | null;
      if (isMap(v) && !v.flow && v.items[0]?.key && (v.items[0].key as Node).range) {
        const col = columnOf(text, (v.items[0].key as Node).range![0]);
        if (col > 0) return ' '.repeat(col);
      }
    }
  }
  return '  ';
}
