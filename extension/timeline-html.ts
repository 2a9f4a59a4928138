// The timeline page's HTML. No `vscode` import: the browser tests build the same page.
import { pageHtml, type PageResources } from './page-html';

export type { PageResources } from './page-html';

export function timelineHtml(r: PageResources, nonce?: string): string {
  return pageHtml('Timeline', `
<header>
  <div class="title"><span id="ep">Episode</span><span id="state" class="badge"></span><span id="counts"></span></div>
  <div class="tools">
    <select id="run" aria-label="Run shown" title="Run shown" hidden></select>
    <label>Min length <input id="min-len" type="number" min="0" value="0"> frames</label>
    <label title="The scene detector's per-frame scores under the cut lines: content change (filled) and histogram distance (line); the dashed line is each one's threshold"><input id="scores" type="checkbox"> Scores</label>
    <input id="search" type="search" placeholder="Track id" aria-label="Find track by id">
    <button id="fit" title="Show the whole run (or double-click the timeline)">Fit</button>
  </div>
</header>
<div id="warning" role="status" hidden></div>
<div id="plot" class="plot"><canvas id="canvas" aria-label="Tracks timeline"></canvas><div id="tooltip" class="tooltip" hidden></div></div>
<section id="detail" hidden>
  <div class="detail-head"><span id="detail-title"></span><a href="#" id="reveal">Show in tracks.jsonl</a><button id="close-detail" title="Close (Esc)">×</button></div>
  <div id="crops"></div>
  <div id="attribution"></div>
</section>`, r, nonce);
}
