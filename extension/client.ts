// Starts the Episode Lab language server (dist/server.js) over IPC with the editor's own Node.
// The engine never runs here or in the server: the server spawns it (DESIGN §5).
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { LANGUAGE_ID, type ServerOptions as EpisodeServerOptions } from '../server/lsp/protocol';
import type { Settings } from './config';

/**
 * ffmpegPath and threads travel with the initialization options; the server forwards them to
 * the engine once it learns them (see the extension README section). So does the workspace's
 * trust: the server of an untrusted workspace runs nothing it names (trust.ts).
 */

export function createClient(extensionUri: vscode.Uri, settings: Settings, output: vscode.LogOutputChannel): LanguageClient {
  const module = vscode.Uri.joinPath(extensionUri, 'dist', 'server.js').fsPath;
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const initializationOptions: EpisodeServerOptions = {
    nodePath: settings.nodePath || undefined,
    ffmpegPath: settings.ffmpegPath || undefined,
    threads: settings.threads || undefined,
    trusted: vscode.workspace.isTrusted,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: LANGUAGE_ID, scheme: 'file' }, { language: LANGUAGE_ID, scheme: 'untitled' }],
    initializationOptions,
    outputChannel: output,
  };
  // The id makes `episodeLab.trace.server` apply.
  return new LanguageClient('episodeLab', 'Episode Lab', serverOptions, clientOptions);
}
