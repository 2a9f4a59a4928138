// The Compare/Sweep page's HTML: two runs on one time axis with their metrics and config diff,
// or a sweep's table and plot. No `vscode` import: the browser tests build the same page.
import { pageHtml, type PageResources } from './page-html';

const pane = (key: 'a' | 'b') => `
  <section class="pane">
    <div class="pane-head"><button id="head-${key}" class="run-head" title="Open this run's timeline"></button><span id="counts-${key}" class="muted"></span></div>
    <div class="plot"><canvas id="canvas-${key}" aria-label="Timeline of run ${key.toUpperCase()}"></canvas><div class="tooltip" hidden></div></div>
  </section>`;

export function runsHtml(r: PageResources, nonce?: string): string {
  return pageHtml('Runs', `
<header>
  <div class="title"><span id="ep">Episode</span><span id="page-title" class="muted"></span></div>
  <div class="tools" id="compare-tools" hidden>
    <ul id="legend" aria-label="Track classes">
      <li><span class="swatch same"></span>same in both</li>
      <li><span class="swatch split"></span>split or changed span</li>
      <li><span class="swatch only"></span>only in this run</li>
    </ul>
    <button id="fit" title="Show both runs whole (or double-click a timeline)">Fit</button>
  </div>
</header>
<main id="compare" hidden>${pane('a')}${pane('b')}
  <div class="tables">
    <table id="metrics">
      <caption>Metrics</caption>
      <thead><tr><th scope="col">Metric</th><th scope="col">A</th><th scope="col">B</th><th scope="col">Δ (B − A)</th></tr></thead>
      <tbody></tbody>
    </table>
    <div id="config-diff"></div>
    <div id="gt-changes" hidden></div>
  </div>
</main>
<main id="sweep" hidden>
  <div id="sweep-tools">
    <label>X <select id="axis-x" aria-label="Metric on the x axis"></select></label>
    <label>Y <select id="axis-y" aria-label="Metric on the y axis"></select></label>
    <label>Best by <select id="objective" aria-label="Objective for the best point"></select></label>
    <span id="sweep-best"></span>
    <button id="apply-best">Apply best</button>
    <span id="apply-status" role="status"></span>
  </div>
  <svg id="sweep-plot" viewBox="0 0 520 340" role="group" aria-label="Two metrics of the sweep's runs, one point per run, with the Pareto front"></svg>
  <table id="sweep-table"><thead></thead><tbody></tbody></table>
</main>`, r, nonce);
}
