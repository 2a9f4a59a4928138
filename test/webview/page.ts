// Opens the built timeline page (dist/webview) in headless Debian chromium, the way the
// extension serves it, with a stand-in for the VS Code webview API.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { timelineHtml } from '../../extension/timeline-html';
import type { HostMessage, PageMessage } from '../../webview/protocol';

/** window.episodeTimeline.stats(): what the last frame drew (render.ts DrawStats; that module needs the DOM types). */
export interface DrawStats {
  rows: number;
  bars: number;
  cuts: { frame: number; x: number; suppressed: boolean }[];
  ms: number;
}

export const ROOT = path.resolve(__dirname, '..', '..');
export const OUT = path.join(ROOT, 'test-output', 'webview');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumMissing(): string | undefined {
  if (!existsSync(CHROMIUM)) return `no chromium at ${CHROMIUM}: run test/e2e/setup.sh (apt chromium) or set CHROMIUM_PATH`;
  if (!existsSync(path.join(ROOT, 'dist', 'webview', 'timeline.js'))) return 'dist/webview is not built: npm run build';
  return undefined;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'] });
}

export interface TimelinePage {
  page: Page;
  send(m: HostMessage): Promise<void>;
  /** Messages the page posted to the host so far. */
  posted(): Promise<PageMessage[]>;
  stats(): Promise<DrawStats>;
  view(): Promise<{ start: number; pxPerFrame: number; scrollY: number }>;
  run(): Promise<{ state: string; tracks: number; cuts: number; malformed: number; total: number }>;
  /** The canvas pixel at CSS coordinates (x, y), as [r, g, b]. */
  pixel(x: number, y: number): Promise<[number, number, number]>;
  screenshot(name: string): Promise<string>;
}

export async function openTimeline(browser: Browser, size = { width: 1200, height: 420 }): Promise<TimelinePage> {
  mkdirSync(OUT, { recursive: true });
  const asset = (name: string) => pathToFileURL(path.join(ROOT, 'dist', 'webview', name)).href;
  const html = path.join(OUT, 'timeline.html');
  // The same HTML and CSP the extension serves; file: plays the part of the webview's cspSource.
  writeFileSync(html, timelineHtml({ scriptUri: asset('timeline.js'), styleUri: asset('timeline.css'), cspSource: 'file:' }));
  const page = await browser.newPage({ viewport: size });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.addInitScript('window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m) });');
  await page.goto(pathToFileURL(html).href);
  await page.waitForFunction('window.__posted.some((m) => m.type === "ready")');
  const frame = () => page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  return {
    page,
    async send(m) {
      await page.evaluate(`window.postMessage(${JSON.stringify(m)}, '*')`);
      await frame();
      if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    },
    posted: () => page.evaluate('window.__posted') as Promise<PageMessage[]>,
    stats: () => page.evaluate('window.episodeTimeline.stats()') as Promise<DrawStats>,
    view: () => page.evaluate('window.episodeTimeline.view()') as Promise<{ start: number; pxPerFrame: number; scrollY: number }>,
    run: () => page.evaluate('window.episodeTimeline.run()') as Promise<{ state: string; tracks: number; cuts: number; malformed: number; total: number }>,
    pixel: (x, y) => page.evaluate(`(() => {
      const c = document.getElementById('canvas');
      const d = c.getContext('2d').getImageData(Math.round(${x} * devicePixelRatio), Math.round(${y} * devicePixelRatio), 1, 1).data;
      return [d[0], d[1], d[2]];
    })()`) as Promise<[number, number, number]>,
    async screenshot(name) {
      const file = path.join(OUT, name);
      await page.screenshot({ path: file });
      return file;
    },
  };
}
