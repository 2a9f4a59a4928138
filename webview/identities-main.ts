// The Identities page: who is on screen and for how long, with the Name / Merge / Split edits.
// It talks to the extension host by postMessage only.
import './identities.css';
import type { IdentitiesHostMessage, IdentitiesPageMessage } from './identities-protocol';
import { createIdentitiesView } from './identities-view';

declare function acquireVsCodeApi(): { postMessage(msg: IdentitiesPageMessage): void };
const vscode = acquireVsCodeApi();

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const view = createIdentitiesView($('identities'), (m) => vscode.postMessage(m));

window.addEventListener('message', (e: MessageEvent<IdentitiesHostMessage>) => {
  const m = e.data;
  if (m.type === 'identities') {
    $('ep').textContent = m.snapshot ? `Identities: ${m.snapshot.epId}` : 'Identities';
    $('run-id').textContent = m.snapshot?.runId ? `run ${m.snapshot.runId}` : '';
    view.show(m.snapshot, m.note);
  } else if (m.type === 'notice') {
    const n = $('notice');
    n.textContent = m.text;
    n.className = m.error ? 'error' : 'muted';
  }
});

/** Read-only view of what is shown, for the browser tests and the editor e2e. */
Object.assign(window, { episodeIdentities: { stats: () => view.stats() } });
vscode.postMessage({ type: 'ready' });
