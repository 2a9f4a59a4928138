// Typed view of the `episodeLab.*` settings.
import * as vscode from 'vscode';

export interface Settings {
  /** Node binary for the engine; empty means the editor's own. */
  nodePath: string;
  /** ffmpeg binary; empty means the engine's own resolution order (DESIGN §7). */
  ffmpegPath: string;
  /** Engine threads; 0 leaves the config in charge. */
  threads: number;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('episodeLab');
  return {
    nodePath: c.get<string>('engine.nodePath', ''),
    ffmpegPath: c.get<string>('ffmpegPath', ''),
    threads: c.get<number>('threads', 0),
  };
}

/** Settings that only take effect when the language server restarts. */
export const RESTART_SETTINGS = ['episodeLab.engine.nodePath', 'episodeLab.ffmpegPath', 'episodeLab.threads'];
