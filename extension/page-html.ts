// The HTML shell every Episode Lab webview page shares: its strict CSP, stylesheet and script.
// No `vscode` import: the browser tests build the same pages.
import { randomBytes } from 'node:crypto';

export interface PageResources {
  /** URLs of the page's bundled script and stylesheet (dist/webview/<page>.{js,css}). */
  scriptUri: string;
  styleUri: string;
  /** The webview's cspSource: the only origin images and styles may come from. */
  cspSource: string;
}

export function pageHtml(title: string, body: string, r: PageResources, nonce = randomBytes(16).toString('base64')): string {
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
<title>${title}</title>
</head>
<body>
${body.trim()}
<script nonce="${nonce}" src="${r.scriptUri}"></script>
</body>
</html>
`;
}
