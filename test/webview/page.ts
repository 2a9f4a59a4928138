// Opens the built pages (dist/webview) in headless Debian chromium, the way the extension serves
// them, with a stand-in for the VS Code webview API.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { PageResources } from '../../extension/page-html';
import { frameHtml } from '../../extension/frame-html';
import { runsHtml } from '../../extension/runs-html';
import { seasonHtml } from '../../extension/season-html';
import { timelineHtml } from '../../extension/timeline-html';
import type { FrameHostMessage, FramePageMessage } from '../../webview/frame-protocol';
import type { HostMessage, PageMessage } from '../../webview/protocol';
import type { RunsHostMessage, RunsPageMessage, SweepStats } from '../../webview/runs-protocol';
import type { SeasonHostMessage, SeasonPageMessage } from '../../webview/season-protocol';

/** window.episodeTimeline.stats(): what the last frame drew (render.ts DrawStats; that module needs the DOM types). */
export interface DrawStats {
  rows: number;
  bars: number;
  cuts: { frame: number; x: number; suppressed: boolean }[];
  highlighted: Record<string, number>;
  /** A scored run's ground truth (webview/gt-view.ts GtStats). */
  gt?: {
    lanes: number;
    spans: { paired: number; other: number; missed: number };
    markers: Record<'fn' | 'fp' | 'idsw' | 'frag', number>;
    stripY: Record<'fn' | 'fp' | 'idsw' | 'frag', number>;
  };
  scores?: { points: number; aboveMinContent: number[] };
  ms: number;
}

export const ROOT = path.resolve(__dirname, '..', '..');
export const OUT = path.join(ROOT, 'test-output', 'webview');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumMissing(): string | undefined {
  if (!existsSync(CHROMIUM)) return `no chromium at ${CHROMIUM}: run test/e2e/setup.sh (apt chromium) or set CHROMIUM_PATH`;
  if (!['timeline.js', 'runs.js', 'season.js', 'frame.js'].every((f) => existsSync(path.join(ROOT, 'dist', 'webview', f)))) return 'dist/webview is not built: npm run build';
  return undefined;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'] });
}

/** A built page open in the browser, talking to a stand-in host. */
export interface OpenPage<In, Out> {
  page: Page;
  send(m: In): Promise<void>;
  /** Messages the page posted to the host so far. */
  posted(): Promise<Out[]>;
  screenshot(name: string): Promise<string>;
}

export interface TimelinePage extends OpenPage<HostMessage, PageMessage> {
  stats(): Promise<DrawStats>;
  view(): Promise<{ start: number; pxPerFrame: number; scrollY: number }>;
  run(): Promise<{ state: string; tracks: number; cuts: number; malformed: number; total: number }>;
  /** The canvas pixel at CSS coordinates (x, y), as [r, g, b]. */
  pixel(x: number, y: number): Promise<[number, number, number]>;
}

/** Writes the page's HTML beside the test output and opens it once it has posted `ready`. */
async function openPage<In, Out>(browser: Browser, name: string, html: (r: PageResources) => string, size: { width: number; height: number }): Promise<OpenPage<In, Out>> {
  mkdirSync(OUT, { recursive: true });
  const asset = (file: string) => pathToFileURL(path.join(ROOT, 'dist', 'webview', file)).href;
  const file = path.join(OUT, `${name}.html`);
  // The same HTML and CSP the extension serves; file: plays the part of the webview's cspSource.
  writeFileSync(file, html({ scriptUri: asset(`${name}.js`), styleUri: asset(`${name}.css`), cspSource: 'file:' }));
  const page = await browser.newPage({ viewport: size });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.addInitScript('window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m) });');
  await page.goto(pathToFileURL(file).href);
  await waitUntil(page, 'window.__posted.some((m) => m.type === "ready")');
  const frame = () => page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  return {
    page,
    async send(m) {
      await page.evaluate(`window.postMessage(${JSON.stringify(m)}, '*')`);
      await frame();
      if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    },
    posted: () => page.evaluate('window.__posted') as Promise<Out[]>,
    async screenshot(shot) {
      const out = path.join(OUT, shot);
      await page.screenshot({ path: out, fullPage: true });
      return out;
    },
  };
}

export async function openTimeline(browser: Browser, size = { width: 1200, height: 420 }): Promise<TimelinePage> {
  const p = await openPage<HostMessage, PageMessage>(browser, 'timeline', timelineHtml, size);
  const { page } = p;
  return {
    ...p,
    stats: () => page.evaluate('window.episodeTimeline.stats()') as Promise<DrawStats>,
    view: () => page.evaluate('window.episodeTimeline.view()') as Promise<{ start: number; pxPerFrame: number; scrollY: number }>,
    run: () => page.evaluate('window.episodeTimeline.run()') as Promise<{ state: string; tracks: number; cuts: number; malformed: number; total: number }>,
    pixel: (x, y) => page.evaluate(`(() => {
      const c = document.getElementById('canvas');
      const d = c.getContext('2d').getImageData(Math.round(${x} * devicePixelRatio), Math.round(${y} * devicePixelRatio), 1, 1).data;
      return [d[0], d[1], d[2]];
    })()`) as Promise<[number, number, number]>,
  };
}

/** window.episodeRuns.stats() (webview/compare-view.ts and sweep-view.ts; they need the DOM types). */
export interface RunsStats {
  mode: 'none' | 'compare' | 'sweep';
  compare: {
    axis: { start: number; pxPerFrame: number; total: number };
    runs: { key: 'a' | 'b'; runId: string; view: { start: number; pxPerFrame: number }; rows: number; bars: number; highlighted: Record<string, number>; classes: Record<'same' | 'only' | 'split', number> }[];
  };
  sweep: SweepStats;
}

export interface RunsPage extends OpenPage<RunsHostMessage, RunsPageMessage> {
  stats(): Promise<RunsStats>;
}

export async function openRuns(browser: Browser, size = { width: 1200, height: 900 }): Promise<RunsPage> {
  const p = await openPage<RunsHostMessage, RunsPageMessage>(browser, 'runs', runsHtml, size);
  return { ...p, stats: () => p.page.evaluate('window.episodeRuns.stats()') as Promise<RunsStats> };
}

export interface SeasonPage extends OpenPage<SeasonHostMessage, SeasonPageMessage> {
  /** window.episodeSeason.stats() (webview/season-view.ts). */
  stats(): Promise<{ rows: { ep_id: string; status: string; progress: string }[] }>;
}

export async function openSeason(browser: Browser, size = { width: 1200, height: 420 }): Promise<SeasonPage> {
  const p = await openPage<SeasonHostMessage, SeasonPageMessage>(browser, 'season', seasonHtml, size);
  return { ...p, stats: () => p.page.evaluate('window.episodeSeason.stats()') as Promise<{ rows: { ep_id: string; status: string; progress: string }[] }> };
}

/** window.episodeFrame.stats() (webview/frame-main.ts). */
export interface FrameStats {
  frame: number;
  image: boolean;
  drawn: { gt: number; track: number; error: number };
  labels: string[];
}

export interface FramePage extends OpenPage<FrameHostMessage, FramePageMessage> {
  stats(): Promise<FrameStats | undefined>;
}

export async function openFrame(browser: Browser, size = { width: 900, height: 640 }): Promise<FramePage> {
  const p = await openPage<FrameHostMessage, FramePageMessage>(browser, 'frame', frameHtml, size);
  return { ...p, stats: () => p.page.evaluate('window.episodeFrame.stats()') as Promise<FrameStats | undefined> };
}

/** Waits until `expression` is truthy in the page. It polls with page.evaluate, which runs over CDP:
 *  Playwright's waitForFunction polls a string through eval, which the page's CSP (rightly) forbids. */
export async function waitUntil(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > until) throw new Error(`timed out waiting for: ${expression}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
