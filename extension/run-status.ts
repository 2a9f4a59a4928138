// The status bar item of the latest run: phase, percent and ETA while it runs (click cancels),
// then its outcome (click opens the timeline).
import * as vscode from 'vscode';
import type { RunEventParams } from '../server/lsp/protocol';

const PHASES: Record<string, string> = {
  init: 'starting', detect_track: 'tracking', export_flush: 'writing', evaluate: 'scoring', faces_embed: 'embedding', done: 'done', error: 'failed', cancelled: 'cancelled',
};
const OUTCOME_ICONS: Record<string, string> = { completed: '$(check)', cancelled: '$(circle-slash)', failed: '$(error)' };

export class RunStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('episodeLab.run', vscode.StatusBarAlignment.Left, 10);
  private phase = 'init';
  private tracks = 0;

  constructor() {
    this.item.name = 'Episode Lab run';
  }

  update({ uri, ep_id: epId, event: e }: RunEventParams): void {
    const configUri = vscode.Uri.parse(uri);
    if (e.type === 'phase') {
      if (e.phase === 'init') this.tracks = 0;
      this.phase = e.phase;
      this.show(`$(loading~spin) ${epId}: ${PHASES[e.phase] ?? e.phase}`, 'Episode Lab: click to cancel the run', 'episodeLab.cancel', configUri);
    } else if (e.type === 'progress') {
      const pct = e.frames_total > 0 ? Math.floor((100 * e.frames_done) / e.frames_total) : 0;
      const eta = e.eta_s === null ? '' : ` · ETA ${formatEta(e.eta_s)}`;
      this.show(`$(loading~spin) ${epId}: ${PHASES[this.phase] ?? this.phase} ${pct}%${eta}`,
        `${e.frames_done} of ${e.frames_total} frames · ${Math.round(e.fps)} fps · ${e.tracks} tracks · ${e.cuts} cuts\nClick to cancel`,
        'episodeLab.cancel', configUri);
    } else if (e.type === 'track') {
      // Counted from the rows written, as the timeline does (progress counts short tracks too).
      this.tracks++;
    } else if (e.type === 'exit') {
      this.show(`${OUTCOME_ICONS[e.state] ?? ''} ${epId}: ${e.state}${e.state === 'failed' ? '' : ` · ${this.tracks} tracks`}`,
        e.error ? `Run failed: ${e.error}` : 'Episode Lab: click to open the timeline', 'episodeLab.openTimeline', configUri);
    }
  }

  private show(text: string, tooltip: string, command: string, uri: vscode.Uri): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = { title: '', command, arguments: [uri] };
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

function formatEta(s: number): string {
  const t = Math.round(s);
  return t < 60 ? `${t}s` : `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
}
