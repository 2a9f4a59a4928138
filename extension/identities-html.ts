// The Identities page's HTML. No `vscode` import: the browser tests build the same page.
import { pageHtml, type PageResources } from './page-html';

export function identitiesHtml(r: PageResources, nonce?: string): string {
  return pageHtml('Identities', `
<header>
  <div class="title"><span id="ep">Identities</span></div>
  <div class="tools"><span id="notice" class="muted" role="status"></span><span id="run-id" class="muted"></span></div>
</header>
<main id="identities"></main>`, r, nonce);
}
