// Where things are in a config's YAML text: the offsets of a key or value by config path, and
// the config path at an offset. The language server turns these offsets into editor ranges.
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node, type Pair } from 'yaml';
import type { ConfigPath } from './validate';

export interface Span {
  start: number;
  end: number;
}

/**
 * The YAML document of a config, errors included; `toJS()` still works when there are errors.
 * logLevel 'error' keeps yaml from printing process warnings (e.g. for a mapping used as a key):
 * the schema check reports those keys anyway.
 */
export function parseConfigDocument(text: string): Document.Parsed {
  return parseDocument(text, { prettyErrors: false, logLevel: 'error' });
}

function spanOf(node: Node): Span | undefined {
  return node.range ? { start: node.range[0], end: node.range[1] } : undefined;
}

/** The pair of `key` in a block or flow mapping (the last one, as YAML's duplicate rule keeps). */
function pairOf(map: Node, key: string | number): Pair<Node, Node | null> | undefined {
  if (isMap(map)) {
    const pairs = map.items.filter((p) => isScalar(p.key) && String(p.key.value) === String(key));
    return pairs[pairs.length - 1] as Pair<Node, Node | null> | undefined;
  }
  return undefined;
}

function childOf(node: Node | null | undefined, key: string | number): Node | null | undefined {
  if (!node) return undefined;
  if (isSeq(node) && typeof key === 'number') return node.items[key] as Node | undefined;
  return pairOf(node, key)?.value;
}

/** The node at `path` (the document's root mapping for []), if the text has it. */
export function nodeAt(doc: Document, path: ConfigPath): Node | null | undefined {
  let node: Node | null | undefined = doc.contents as Node | null;
  for (const key of path) node = childOf(node, key);
  return node;
}

/** The span of the key that names `path`'s last segment; undefined for [] or a list item. */
export function keySpan(doc: Document, path: ConfigPath): Span | undefined {
  if (!path.length) return undefined;
  const parent = nodeAt(doc, path.slice(0, -1));
  const pair = parent ? pairOf(parent, path[path.length - 1]) : undefined;
  return pair && isScalar(pair.key) ? spanOf(pair.key) : undefined;
}

/**
 * The span to underline for a problem with the value at `path`: the value itself when it is a
 * scalar or a one-line flow collection, otherwise the key (a block mapping would underline many
 * lines, and an empty value has no width).
 */
export function valueSpan(doc: Document, path: ConfigPath): Span | undefined {
  const node = nodeAt(doc, path);
  const span = node ? spanOf(node) : undefined;
  const compact = node && (isScalar(node) || (node as { flow?: boolean }).flow);
  if (span && compact && span.end > span.start) return span;
  return keySpan(doc, path) ?? (path.length ? valueSpan(doc, path.slice(0, -1)) : undefined);
}

export interface PathAtOffset {
  path: ConfigPath;
  /** True when the offset is on the key itself rather than on its value. */
  onKey: boolean;
}

/** The config path of the key or scalar value under `offset`, if any. */
export function pathAtOffset(doc: Document, offset: number): PathAtOffset | undefined {
  const within = (n: Node | null | undefined) => !!n?.range && n.range[0] <= offset && offset <= n.range[1];
  let node = doc.contents as Node | null;
  const path: ConfigPath = [];
  while (node) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (within(p.key as Node) || within(p.value as Node)));
      if (!pair || !isScalar(pair.key)) return undefined;
      path.push(String(pair.key.value));
      if (within(pair.key as Node)) return { path, onKey: true };
      node = pair.value as Node | null;
    } else if (isSeq(node)) {
      const i = node.items.findIndex((item) => within(item as Node));
      if (i < 0) return undefined;
      path.push(i);
      node = node.items[i] as Node;
    } else {
      return { path, onKey: false };
    }
  }
  return undefined;
}

/** The keys written in the mapping at `path` (empty when it is absent or not a mapping). */
export function keysAt(doc: Document, path: ConfigPath): string[] {
  const node = nodeAt(doc, path);
  if (!isMap(node)) return [];
  return node.items.flatMap((p) => (isScalar(p.key) ? [String(p.key.value)] : []));
}
