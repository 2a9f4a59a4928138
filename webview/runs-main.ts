// The Compare/Sweep page: shows whichever the host sends, and asks the host to open a run's
// timeline when one is clicked. It talks to the extension host by postMessage only.
import './runs.css';
import { createCompareView } from './compare-view';
import type { RunsHostMessage, RunsPageMessage } from './runs-protocol';
import { createSweepView } from './sweep-view';
import { onThemeChange } from './theme';

declare function acquireVsCodeApi(): { postMessage(msg: RunsPageMessage): void };
const vscode = acquireVsCodeApi();

const $ = (id: string) => document.getElementById(id)!;
const openRun = (runId: string) => vscode.postMessage({ type: 'openRun', runId });
const compare = createCompareView(openRun);
const sweep = createSweepView(openRun, (runId) => vscode.postMessage({ type: 'apply', runId }));
let mode: 'none' | RunsHostMessage['type'] = 'none';

window.addEventListener('message', (e: MessageEvent<RunsHostMessage>) => {
  const m = e.data;
  if (m.type === 'applied') return sweep.applied(m);
  if (m.type !== 'compare' && m.type !== 'sweep') return;
  mode = m.type;
  $('ep').textContent = m.epId;
  $('compare').hidden = $('compare-tools').hidden = m.type !== 'compare';
  $('sweep').hidden = m.type !== 'sweep';
  if (m.type === 'compare') {
    $('page-title').textContent = `Compare ${m.a.summary.run_id} → ${m.b.summary.run_id}`;
    compare.show(m);
  } else {
    $('page-title').textContent = `Sweep ${m.sweepId} · ${m.runs.length} runs over ${m.keys.join(', ') || 'no keys'}`;
    sweep.show(m);
  }
});
onThemeChange(() => compare.themeChanged());

/** Read-only view of what is drawn, for the browser tests and for diagnosing. */
Object.assign(window, {
  episodeRuns: {
    stats: () => ({ mode, compare: compare.stats(), sweep: sweep.stats() }),
    drawNow: () => compare.drawNow(),
  },
});
vscode.postMessage({ type: 'ready' });
