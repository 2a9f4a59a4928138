// Formatting through the yaml Document API, which keeps comments, blank lines and quoting.
// A document with syntax errors is left alone rather than rewritten from a guess.
import type { FormattingOptions, TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { parseConfigDocument } from '../config/yaml-positions';

export function formatDocument(doc: TextDocument, options: FormattingOptions): TextEdit[] {
  const text = doc.getText();
  const yaml = parseConfigDocument(text);
  if (yaml.errors.length) return [];
  const formatted = yaml.toString({ indent: Math.max(2, options.tabSize), lineWidth: 0, flowCollectionPadding: false });
  if (formatted === text) return [];
  return [{ range: { start: doc.positionAt(0), end: doc.positionAt(text.length) }, newText: formatted }];
}
