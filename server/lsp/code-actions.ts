// Quick fixes for our own diagnostics: rename a misspelt key, clamp a number into its range,
// add a missing required key. Each diagnostic carries what its fix needs in `data`.
import { stringify } from 'yaml';
import { CodeActionKind, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { formatPath, schemaAt } from '../config/validate';
import { SOURCE, type FixData } from './diagnostics';
import { schemaOf } from './document-kind';

export function quickFixes(doc: TextDocument, diagnostics: Diagnostic[]): CodeAction[] {
  return diagnostics.flatMap((d) => {
    const data = d.source === SOURCE ? (d.data as FixData | undefined) : undefined;
    if (!data || data.suggestion === undefined) return [];
    const fix = (title: string, edit: TextEdit): CodeAction => ({
      title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true,
      edit: { changes: { [doc.uri]: [edit] } },
    });
    switch (d.code) {
      case 'unknown-key':
        return [fix(`Change \`${doc.getText(d.range)}\` to \`${data.suggestion}\``, { range: d.range, newText: String(data.suggestion) })];
      case 'range':
        return [fix(`Clamp \`${formatPath(data.path)}\` to ${data.suggestion}`, { range: d.range, newText: String(data.suggestion) })];
      case 'required': // only the root mapping has required keys
        return data.path.length ? [] : [fix(`Add the required key \`${data.suggestion}\``, addKeyEdit(doc, String(data.suggestion)))];
      default:
        return [];
    }
  });
}

/** Appends `key: <first example>` at the end of the file, which is the end of the root mapping. */
function addKeyEdit(doc: TextDocument, key: string): TextEdit {
  const example = schemaAt(schemaOf(doc), [key])?.examples?.[0] ?? '';
  const text = doc.getText();
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  const end = doc.positionAt(text.length);
  return { range: { start: end, end }, newText: `${sep}${stringify({ [key]: example })}` };
}
