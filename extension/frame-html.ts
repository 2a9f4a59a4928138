// The frame view's HTML. No `vscode` import: the browser tests build the same page.
import { pageHtml, type PageResources } from './page-html';

export function frameHtml(r: PageResources, nonce?: string): string {
  return pageHtml('Frame', `
<header>
  <div class="title"><span id="title">Frame</span><span id="errors"></span></div>
  <div class="tools">
    <button id="prev" title="Previous frame with an error" disabled>◀ Prev error</button>
    <button id="next" title="Next frame with an error" disabled>Next error ▶</button>
  </div>
</header>
<div id="legend"><span class="key gt">ground truth (GT id)</span><span class="key track">run (#track id)</span><span class="key error">error on this frame</span></div>
<div id="note" role="status" hidden></div>
<div id="stage"><canvas id="canvas" aria-label="Frame with boxes"></canvas></div>
<ul id="boxes"></ul>`, r, nonce);
}
