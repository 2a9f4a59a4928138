// The outline: one symbol per key, nested like the YAML mappings.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { parseConfigDocument } from '../config/yaml-positions';

export function documentSymbols(doc: TextDocument): DocumentSymbol[] {
  return mapSymbols(doc, parseConfigDocument(doc.getText()).contents as Node | null);
}

function mapSymbols(doc: TextDocument, node: Node | null): DocumentSymbol[] {
  if (!isMap(node)) return [];
  return node.items.flatMap((pair) => {
    const key = pair.key as Node | null;
    const value = pair.value as Node | null;
    if (!isScalar(key) || !key.range) return [];
    const end = value?.range ? value.range[1] : key.range[1];
    const selectionRange = { start: doc.positionAt(key.range[0]), end: doc.positionAt(key.range[1]) };
    return [{
      name: String(key.value),
      detail: isScalar(value) ? String(value.value ?? '') : undefined,
      kind: isMap(value) ? SymbolKind.Object : isSeq(value) ? SymbolKind.Array : kindOf(isScalar(value) ? value.value : null),
      range: { start: selectionRange.start, end: doc.positionAt(Math.max(end, key.range[1])) },
      selectionRange,
      children: mapSymbols(doc, value),
    }];
  });
}

function kindOf(v: unknown): SymbolKind {
  if (typeof v === 'number') return SymbolKind.Number;
  if (typeof v === 'boolean') return SymbolKind.Boolean;
  return typeof v === 'string' ? SymbolKind.String : SymbolKind.Property;
}
