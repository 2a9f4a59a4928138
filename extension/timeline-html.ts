// The timeline page's HTML shell. No `vscode` import: the browser tests build the same page.
import { randomBytes } from 'node:crypto';

export interface PageResources {
  /** URLs of the bundled dist/webview/timeline.{js,css}. */
  scriptUri: string;
  styleUri: string;
  /** The webview's cspSource: the only origin images and styles may come from. */
  cspSource: string;
}

export function timelineHtml(r: PageResources, nonce = randomBytes(16).toString('base64')): string {
  // No remote content at all: scripts only with the nonce, images and styles only from the
  // extension and the run folder (localResourceRoots), nothing may be fetched or framed.
  const csp = [
    "default-src 'none'",
    `img-src ${r.cspSource}`,
    `style-src ${r.cspSource}`,
    `font-src ${r.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${r.styleUri}">
<title>Timeline</title>
</head>
<body>
<header>
  <div class="title"><span id="ep">Episode</span><span id="state" class="badge"></span><span id="counts"></span></div>
  <div class="tools">
    <label>Min length <input id="min-len" type="number" min="0" value="0"> frames</label>
    <input id="search" type="search" placeholder="Track id" aria-label="Find track by id">
    <button id="fit" title="Show the whole run (or double-click the timeline)">Fit</button>
  </div>
</header>
<div id="warning" role="status" hidden></div>
<div id="plot"><canvas id="canvas" aria-label="Tracks timeline"></canvas><div id="tooltip" hidden></div></div>
<section id="detail" hidden>
  <div class="detail-head"><span id="detail-title"></span><a href="#" id="reveal">Show in tracks.jsonl</a><button id="close-detail" title="Close (Esc)">×</button></div>
  <div id="crops"></div>
  <div id="attribution"></div>
</section>
<script nonce="${nonce}" src="${r.scriptUri}"></script>
</body>
</html>
`;
}
