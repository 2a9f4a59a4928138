// The config a command acts on when it is not given one: the active editor's.
import * as vscode from 'vscode';
import { LANGUAGE_ID } from '../server/lsp/protocol';

/** The config a command acts on: its argument, else the active editor's config. */
export function configUri(arg?: vscode.Uri): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.languageId === LANGUAGE_ID ? doc.uri : undefined;
}

export const NO_CONFIG = 'Open an episode config (*.episode.yaml) first.';
