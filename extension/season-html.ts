// The Season page's HTML. No `vscode` import: the browser tests build the same page.
import { pageHtml, type PageResources } from './page-html';

export function seasonHtml(r: PageResources, nonce?: string): string {
  return pageHtml('Season', `
<header>
  <div class="title"><span id="ep">Season</span><span id="state" class="badge"></span><span id="counts"></span></div>
  <div class="tools"><span id="run-id" class="muted"></span><button id="cancel" hidden title="Stop every episode of the season: queued ones are removed, running ones cancelled">Cancel Season</button></div>
</header>
<main>
  <table id="episodes" aria-label="Episodes of the season"><thead></thead><tbody></tbody></table>
  <section id="screen-time" hidden></section>
</main>`, r, nonce);
}
