// The Season page: the episodes of a season run, live; a click on one opens its timeline, and
// Cancel stops the whole season. It talks to the extension host by postMessage only.
import './season.css';
import type { SeasonHostMessage, SeasonPageMessage } from './season-protocol';
import { createSeasonView } from './season-view';

declare function acquireVsCodeApi(): { postMessage(msg: SeasonPageMessage): void };
const vscode = acquireVsCodeApi();

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const view = createSeasonView($<HTMLTableElement>('episodes'), $('counts'), $('screen-time'), (epId) => vscode.postMessage({ type: 'openEpisode', epId }));
const cancel = $<HTMLButtonElement>('cancel');
cancel.addEventListener('click', () => {
  cancel.disabled = true;
  cancel.textContent = 'Cancelling…';
  vscode.postMessage({ type: 'cancel' });
});

function setRunning(running: boolean): void {
  cancel.hidden = !running;
  cancel.disabled = false;
  cancel.textContent = 'Cancel Season';
}

window.addEventListener('message', (e: MessageEvent<SeasonHostMessage>) => {
  const m = e.data;
  if (m.type === 'season') {
    $('ep').textContent = `Season ${m.summary.season}`;
    $('state').textContent = m.summary.state;
    $('state').className = `badge state-${m.summary.state}`;
    $('run-id').textContent = `run ${m.summary.run_id}`;
    view.show(m.summary);
    setRunning(m.running);
  } else if (m.type === 'episode') {
    view.update(m.row);
  } else if (m.type === 'running') {
    setRunning(m.running);
  }
});

/** Read-only view of what is shown, for the browser tests and the editor e2e. */
Object.assign(window, { episodeSeason: { stats: () => view.stats() } });
vscode.postMessage({ type: 'ready' });
