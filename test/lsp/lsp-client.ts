// A minimal LSP client for tests: spawns the built server over stdio and speaks JSON-RPC with
// Content-Length framing. Server → client requests get a null answer (like an accepting client).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPO = path.resolve(__dirname, '../..');
export const SERVER = path.join(REPO, 'dist/server.js');
export { TOS_CLIP } from '../helpers/shared-data';

interface Message {
  id?: number | string;
  method?: string;
  params?: any;
  result?: any;
  error?: { code: number; message: string; data?: unknown };
}

type Waiter = { method: string; match: (params: any) => boolean; resolve: (params: any) => void };

export class LspClient {
  readonly proc: ChildProcessWithoutNullStreams;
  /** Every notification received, in order. */
  readonly notifications: { method: string; params: any }[] = [];
  /** Requests the server sent us (e.g. window/workDoneProgress/create). */
  readonly serverRequests: { method: string; params: any }[] = [];
  stderr = '';
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private waiters: Waiter[] = [];
  private exited = false;

  constructor(args: string[] = ['--stdio']) {
    this.proc = spawn(process.execPath, [SERVER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.proc.stderr.on('data', (s: Buffer) => (this.stderr += s.toString()));
    this.proc.on('exit', () => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`server exited; stderr:\n${this.stderr}`));
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  request<T = any>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, params });
    return new Promise<T>((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** The next notification of `method` matching `match`, including ones already received. */
  waitFor(method: string, match: (params: any) => boolean = () => true, timeoutMs = 10_000, since = 0): Promise<any> {
    const seen = this.notifications.slice(since).find((n) => n.method === method && match(n.params));
    if (seen) return Promise.resolve(seen.params);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { method, match, resolve: (p) => { clearTimeout(timer); resolve(p); } };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${method}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async initialize(workspaceDir: string, initializationOptions: unknown = {}): Promise<any> {
    const result = await this.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(workspaceDir).href,
      workspaceFolders: [{ uri: pathToFileURL(workspaceDir).href, name: 'ws' }],
      capabilities: { window: { workDoneProgress: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
      initializationOptions,
    });
    this.notify('initialized', {});
    return result;
  }

  /** Opens (or changes) a document and resolves with the diagnostics published for that version. */
  async open(uri: string, text: string, version = 1, languageId = 'episode-config'): Promise<any[]> {
    const since = this.notifications.length;
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
    return (await this.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === version, 10_000, since)).diagnostics;
  }

  async change(uri: string, text: string, version: number): Promise<any[]> {
    const since = this.notifications.length;
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    return (await this.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === version, 10_000, since)).diagnostics;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exit = new Promise((r) => this.proc.once('exit', r));
    await this.request('shutdown', null).catch(() => undefined);
    this.notify('exit', null);
    await exit;
  }

  private send(msg: object): void {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body) as Message);
    }
  }

  private dispatch(msg: Message): void {
    if (msg.method && msg.id !== undefined) {
      this.serverRequests.push({ method: msg.method, params: msg.params });
      this.send({ jsonrpc: '2.0', id: msg.id, result: null });
    } else if (msg.method) {
      this.notifications.push({ method: msg.method, params: msg.params });
      const hit = this.waiters.filter((w) => w.method === msg.method && w.match(msg.params));
      this.waiters = this.waiters.filter((w) => !hit.includes(w));
      hit.forEach((w) => w.resolve(msg.params));
    } else if (typeof msg.id === 'number') {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(Object.assign(new Error(msg.error.message), { code: msg.error.code, data: msg.error.data }));
      else p?.resolve(msg.result);
    }
  }
}

/** Applies non-overlapping LSP TextEdits to a string ('\n' line ends). */
export function applyEdits(text: string, edits: { range: any; newText: string }[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) =>
    lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits]
    .sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}
