// The Episode Lab language server: wiring only. Each feature is a plain function in its own
// module; this file connects them to LSP requests and holds the per-session state.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind, DiagnosticSeverity, ResponseError, ErrorCodes, TextDocuments,
  TextDocumentSyncKind, WorkDoneProgressReporter, createConnection, type CancellationToken, type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { quickFixes } from './code-actions';
import { completionsAt } from './completion';
import { SOURCE, computeDiagnostics } from './diagnostics';
import { decodeFrame, parseDecodeFrameParams } from './decode-frame';
import { DiagnosticsScheduler } from './diagnostics-scheduler';
import { formatDocument } from './formatting';
import { hoverAt } from './hover';
import { createGroundTruthReader } from './ground-truth-check';
import { Commands, Notifications, RunErrorCodes, type EpisodeLabSettings, type ServerOptions } from './protocol';
import type { EngineSettings } from './engine-process';
import { EpisodeRuns } from './run-episode';
import { SeasonRuns } from './run-season';
import { documentSymbols } from './symbols';
import { createVideoProber } from './video-cache';

// Transport (--stdio, --node-ipc, --socket) comes from the command line.
const connection = createConnection();
const documents = new TextDocuments(TextDocument);
const probe = createVideoProber();
const readGroundTruth = createGroundTruthReader();
const runs = new EpisodeRuns();
const seasons = new SeasonRuns();

let options: ServerOptions = {};
let workspaceFolders: string[] = [];
let canCreateProgress = false;
let canReadSettings = false;
let scheduler: DiagnosticsScheduler; // made in onInitialize, from the options

const log = {
  info: (m: string) => connection.console.info(m),
  error: (m: string) => connection.console.error(m),
  /** Reaches the client only when its trace setting is on ($/setTrace). */
  trace: (m: string) => connection.tracer.log(m),
};

const fsPath = (uri: string) => (uri.startsWith('file:') ? fileURLToPath(uri) : undefined);

/** Untitled documents resolve relative paths from the first workspace folder. */
function configPathOf(uri: string): string {
  return fsPath(uri) ?? path.join(workspaceFolders[0] ?? process.cwd(), 'untitled.episode.yaml');
}

/** An untrusted workspace (VS Code's Restricted Mode): nothing the workspace names is run. */
const restricted = () => options.trusted === false;

const validate = (doc: TextDocument, configPath: string) =>
  computeDiagnostics(doc, { configPath, workspaceFolders, probe, restricted: restricted(), readGroundTruth });

connection.onInitialize((params): InitializeResult => {
  options = (params.initializationOptions ?? {}) as ServerOptions;
  scheduler = new DiagnosticsScheduler(options.diagnosticsDelayMs ?? 200, (uri) => void publishDiagnostics(uri));
  const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  workspaceFolders = folders.flatMap((u) => fsPath(u) ?? []);
  canCreateProgress = !!params.capabilities.window?.workDoneProgress;
  canReadSettings = !!params.capabilities.workspace?.configuration;
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      completionProvider: {},
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      documentSymbolProvider: true,
      documentFormattingProvider: true,
      executeCommandProvider: { commands: Object.values(Commands) },
    },
    serverInfo: { name: 'episode-lab' },
  };
});

connection.onInitialized(() => log.info(`Episode Lab server ready; workspace: ${workspaceFolders.join(', ') || '(none)'}${restricted() ? ' (Restricted Mode: runs are off)' : ''}`));

async function publishDiagnostics(uri: string): Promise<void> {
  const doc = documents.get(uri);
  if (!doc) return;
  const t0 = performance.now();
  let diagnostics;
  try {
    diagnostics = await validate(doc, configPathOf(uri));
  } catch (e) {
    log.error(`checking ${uri} failed: ${(e as Error).stack ?? e}`);
    diagnostics = [{
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: DiagnosticSeverity.Warning, source: SOURCE,
      message: `Episode Lab could not check this file (${(e as Error).message}). Please report it with the file.`,
    }];
  }
  // A newer version is on its way; publishing this one would flash stale ranges.
  if (documents.get(uri)?.version !== doc.version) return;
  void connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
  log.trace(`diagnostics ${path.basename(uri)} v${doc.version}: ${diagnostics.length} in ${(performance.now() - t0).toFixed(1)} ms`);
}

documents.onDidChangeContent((e) => scheduler.changed(e.document.uri));
documents.onDidClose((e) => {
  scheduler.forget(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

connection.onHover(async (p) => {
  const doc = documents.get(p.textDocument.uri);
  return doc ? hoverAt(doc, p.position, configPathOf(doc.uri), probe, restricted()) : null;
});
connection.onCompletion((p) => {
  const doc = documents.get(p.textDocument.uri);
  return doc ? completionsAt(doc, p.position) : [];
});
connection.onCodeAction((p) => {
  const doc = documents.get(p.textDocument.uri);
  return doc ? quickFixes(doc, p.context.diagnostics) : [];
});
connection.onDocumentSymbol((p) => {
  const doc = documents.get(p.textDocument.uri);
  return doc ? documentSymbols(doc) : [];
});
connection.onDocumentFormatting((p) => {
  const doc = documents.get(p.textDocument.uri);
  return doc ? formatDocument(doc, p.options) : [];
});

/** The engine's Node, ffmpeg and threads: the live `episodeLab.*` settings, else initializationOptions. */
async function engineSettings(): Promise<EngineSettings> {
  const live = canReadSettings ? ((await connection.workspace.getConfiguration('episodeLab')) as EpisodeLabSettings | null) : null;
  return {
    nodePath: live?.engine?.nodePath || options.nodePath,
    ffmpegPath: live?.ffmpegPath || options.ffmpegPath,
    threads: live?.threads || options.threads,
  };
}

/**
 * A run loads the models and writes where the config says, with the Node and ffmpeg the
 * workspace names: like a task, it waits for the user's trust.
 */
function refuseUntrusted(): void {
  if (restricted()) {
    throw new ResponseError(RunErrorCodes.untrusted,
      'Restricted Mode: Episode Lab runs nothing in a workspace you have not trusted. Trust the workspace to run episodes.');
  }
}

/** The client's progress when it sent a token, else a progress of our own; either's cancel counts. */
async function progressFor(workDone: WorkDoneProgressReporter, token: CancellationToken): Promise<{ progress: WorkDoneProgressReporter; cancelTokens: CancellationToken[] }> {
  if (!WorkDoneProgressReporter.isNullInstance(workDone) || !canCreateProgress) return { progress: workDone, cancelTokens: [token] };
  const created = await connection.window.createWorkDoneProgress();
  return { progress: created, cancelTokens: [token, created.token] };
}

connection.onExecuteCommand(async (params, token, workDone) => {
  const arg = params.arguments?.[0];
  if (params.command === Commands.decodeFrame) {
    refuseUntrusted();
    const p = parseDecodeFrameParams(arg);
    if (typeof p === 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${params.command} ${p}`);
    return decodeFrame(p, (await engineSettings()).ffmpegPath);
  }
  if (typeof arg !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${params.command} expects one string argument`);
  switch (params.command) {
    case Commands.runEpisode: {
      refuseUntrusted();
      const { progress, cancelTokens } = await progressFor(workDone, token);
      return runs.run(arg, {
        validate,
        progress,
        cancelTokens,
        notify: (event) => void connection.sendNotification(Notifications.runEvent, event),
        engine: await engineSettings(),
        log: log.info,
      });
    }
    case Commands.cancelRun:
      return runs.cancel(arg);
    case Commands.runSeason: {
      refuseUntrusted();
      const { progress, cancelTokens } = await progressFor(workDone, token);
      return seasons.run(arg, {
        validate, progress, cancelTokens,
        notify: (params) => void connection.sendNotification(Notifications.seasonEvent, params),
        engine: await engineSettings(),
        log: log.info,
      });
    }
    case Commands.cancelSeason:
      return seasons.cancel(arg);
    default:
      throw new ResponseError(ErrorCodes.MethodNotFound, `unknown command ${params.command}`);
  }
});

connection.onShutdown(() => {
  runs.cancelAll();
  seasons.cancelAll();
});
// If the client vanishes without a shutdown, still stop the engines rather than orphan them.
process.on('exit', () => runs.cancelAll());

documents.listen(connection);
connection.listen();
