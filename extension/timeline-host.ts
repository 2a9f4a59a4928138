// The host side of the timeline page, without `vscode`: what it shows (the latest run, a recorded
// one, or a live one drawn from its events) and its answers to the page's messages, each checked
// first (page-messages.ts). TimelinePanel connects it to a webview.
import type { ErrorKind } from '../server/engine/eval/gt-lanes';
import { listRuns } from '../server/engine/history';
import type { RunStreamEvent } from '../server/lsp/protocol';
import type { HostMessage, RunSnapshot } from '../webview/protocol';
import { attributionFor, readCrops, readRunSnapshot, trackLine, tracksPath } from './manifests';
import { describeDropped, parsePageMessage } from './page-messages';
import type { RunFolder } from './run-folder';

/** What the host needs from the editor. */
export interface TimelineView {
  post(m: HostMessage): void;
  /** The page loaded and can take messages. */
  opened(): void;
  /** The page's URL of a local file (a crop). */
  fileUrl(file: string): string;
  /** Opens a file in the editor at a 1-based line. */
  reveal(file: string, line: number): Promise<void>;
  warn(message: string): void;
  /** Opens the frame view on a frame of a run (undefined: the latest), from an error marker of `kind`. */
  openFrame(frame: number, runId: string | undefined, kind: ErrorKind): void;
}

export class TimelineHost {
  /** The recorded run shown; undefined for the latest (manifests/), which live runs draw into. */
  private current: string | undefined;
  /** Frames in the run shown, as its manifests say (an error's frame must lie in it). */
  private frames = 0;

  constructor(readonly run: RunFolder, private readonly view: TimelineView) {}

  /** Shows a recorded run (undefined: the latest) and returns what it sent. */
  async showRun(runId: string | undefined): Promise<RunSnapshot> {
    this.current = runId;
    const { layout, video } = this.run;
    const [run, runs] = await Promise.all([readRunSnapshot(layout, video, runId), listRuns(layout)]);
    this.frames = run.framesTotal ?? 0;
    this.view.post({ type: 'snapshot', run });
    this.view.post({ type: 'runs', runs, current: runId });
    return run;
  }

  /** Shows what the manifests on disk hold for the run shown, and the episode's runs. */
  reload(): Promise<RunSnapshot> {
    return this.showRun(this.current);
  }

  /** Starts from an empty timeline that the run's events fill in. */
  startLive(): void {
    this.current = undefined;
    this.frames = 0;
    this.view.post({
      type: 'snapshot',
      run: { epId: this.run.epId, state: 'running', tracks: { tracks: [], malformed: 0 }, cuts: [], suppressed: [], attribution: attributionFor(this.run.video) },
    });
    // The switcher lists the earlier runs meanwhile; the new one joins them when it ends.
    void listRuns(this.run.layout).then((runs) => this.view.post({ type: 'runs', runs }));
  }

  event(event: RunStreamEvent): void {
    // A recorded run picked in the switcher stays as it is; the live one is the latest.
    if (this.current === undefined) this.view.post({ type: 'event', event });
  }

  /** A message from the page, as it came: checked, then answered. */
  async receive(raw: unknown): Promise<void> {
    const m = parsePageMessage(raw);
    if (!m) return this.view.warn(describeDropped(raw));
    const { layout } = this.run;
    switch (m.type) {
      case 'ready':
        this.view.opened();
        break;
      case 'selectRun':
        await this.showRun(m.runId);
        break;
      case 'selectTrack': {
        // Crops are the episode folder's, written by the latest run that exported them.
        const crops = await readCrops(layout, m.trackId);
        this.view.post({
          type: 'crops', trackId: m.trackId,
          crops: crops.map((c) => ({ src: this.view.fileUrl(c.file), frame_idx: c.frame_idx })),
          note: crops.length ? undefined : 'No crops saved for this track (set export.crops: true in the config).',
        });
        break;
      }
      case 'openFrame':
        // Only a frame of the run shown: the page's click maps to one, a forged message may not.
        if (m.frame >= this.frames) return this.view.warn(`ignored openFrame: frame ${m.frame} is not in the run shown (${this.frames} frames)`);
        this.view.openFrame(m.frame, this.current, m.kind);
        break;
      case 'revealTrack': {
        const line = await trackLine(layout, m.trackId, this.current);
        await this.view.reveal(tracksPath(layout, this.current), line ?? 1);
        break;
      }
    }
  }
}
