// The frame view: one frame of a scored run with the ground truth's boxes (dashed, "GT n") and
// the run's (solid, "#n"), the boxes with an error on this frame drawn thick in the error's
// colour. It talks to the extension host by postMessage only.
import './frame.css';
import { fitCanvas } from './canvas-input';
import type { FrameBox, FrameHostMessage, FramePageMessage, FrameShot } from './frame-protocol';
import { onThemeChange, readTheme } from './theme';
import { timecode } from './axis';

declare function acquireVsCodeApi(): { postMessage(msg: FramePageMessage): void };
const vscode = acquireVsCodeApi();

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('canvas');
const stage = $('stage');
const g = canvas.getContext('2d')!;

const GT_COLOR = '#3fd17a';
const ERROR_LABEL = { fn: 'FN (missed)', fp: 'FP (false positive)', idsw: 'IDSW (ID switch)', frag: 'Frag (tracked again)' } as const;

let shot: FrameShot | undefined;
let image: HTMLImageElement | undefined;
let size = { w: 0, h: 0 };
let theme = readTheme();
let lastStats: { frame: number; image: boolean; drawn: { gt: number; track: number; error: number }; labels: string[] } | undefined;

const errorColor = (kind: NonNullable<FrameBox['error']>) =>
  ({ fn: theme.cut, fp: theme.orange, idsw: theme.purple, frag: theme.split })[kind];
const label = (b: FrameBox) => (b.kind === 'gt' ? `GT ${b.id}` : `#${b.id}`);

function show(s: FrameShot): void {
  shot = s;
  image = undefined;
  const n = (count: number, word: string) => `${count} ${word}`;
  $('title').textContent = `${s.epId}${s.runId ? ` · run ${s.runId}` : ''} · frame ${s.frame} · ${timecode(s.frame, s.fps)}`;
  $('errors').textContent = [n(s.errors.fn, 'FN'), n(s.errors.fp, 'FP'), n(s.errors.idsw, 'IDSW'), n(s.errors.frag, 'Frag')].join(' · ')
    + (s.cached ? ' · cached' : '');
  const note = $('note');
  note.hidden = !s.note;
  note.textContent = s.note ?? '';
  for (const [id, frame] of [['prev', s.prev], ['next', s.next]] as const) {
    const b = $<HTMLButtonElement>(id);
    b.disabled = frame === undefined;
    b.dataset.frame = frame === undefined ? '' : String(frame);
  }
  $('boxes').replaceChildren(...s.boxes.map((b) => {
    const li = document.createElement('li');
    const partner = b.partner === undefined ? (b.kind === 'gt' ? 'unmatched' : 'matches no ground truth') : `matched to ${b.kind === 'gt' ? `#${b.partner}` : `GT ${b.partner}`}`;
    li.textContent = `${label(b)}: ${partner}${b.error ? ` — ${ERROR_LABEL[b.error]}` : ''}`;
    if (b.error) li.className = 'error';
    return li;
  }));
  if (s.src) {
    const img = new Image();
    img.onload = () => {
      if (shot === s) {
        image = img;
        draw();
      }
    };
    img.src = s.src;
  }
  draw();
}

function draw(): void {
  g.setTransform(devicePixelRatio, 0, 0, devicePixelRatio, 0, 0);
  g.fillStyle = theme.bg;
  g.fillRect(0, 0, size.w, size.h);
  if (!shot) return;
  const scale = Math.min(size.w / shot.width, size.h / shot.height);
  const ox = (size.w - shot.width * scale) / 2;
  const oy = (size.h - shot.height * scale) / 2;
  if (image) g.drawImage(image, ox, oy, shot.width * scale, shot.height * scale);
  else {
    g.fillStyle = '#000';
    g.fillRect(ox, oy, shot.width * scale, shot.height * scale);
  }
  const drawn = { gt: 0, track: 0, error: 0 };
  const labels: string[] = [];
  // Boxes without an error first, so an error's thick outline is never covered.
  for (const b of [...shot.boxes].sort((a, c) => Number(!!a.error) - Number(!!c.error))) {
    const [x1, y1, x2, y2] = b.xyxy.map((v, i) => (i % 2 ? oy : ox) + v * scale);
    const color = b.error ? errorColor(b.error) : b.kind === 'gt' ? GT_COLOR : theme.bar;
    g.strokeStyle = color;
    g.lineWidth = b.error ? 4 : 2;
    g.setLineDash(b.kind === 'gt' ? [6, 4] : []);
    g.strokeRect(x1, y1, x2 - x1, y2 - y1);
    g.setLineDash([]);
    const text = `${label(b)}${b.error ? ` ${b.error.toUpperCase()}` : ''}`;
    g.font = `bold 12px ${theme.font}`;
    const w = g.measureText(text).width + 6;
    // Ground truth labelled above its box, tracks below theirs: a matched pair's labels never overlap.
    const ly = b.kind === 'gt' ? Math.max(0, y1 - 16) : Math.min(size.h - 16, y2);
    g.fillStyle = color;
    g.fillRect(x1, ly, w, 16);
    g.fillStyle = '#000';
    g.fillText(text, x1 + 3, ly + 12);
    drawn[b.kind]++;
    if (b.error) drawn.error++;
    labels.push(text);
  }
  lastStats = { frame: shot.frame, image: !!image, drawn, labels };
}

function resize(): void {
  size = fitCanvas(canvas, stage);
  draw();
}

for (const id of ['prev', 'next']) {
  $<HTMLButtonElement>(id).addEventListener('click', (e) => {
    const frame = Number((e.currentTarget as HTMLButtonElement).dataset.frame);
    if (Number.isInteger(frame)) vscode.postMessage({ type: 'showFrame', frame });
  });
}

window.addEventListener('message', (e: MessageEvent<FrameHostMessage>) => {
  const m = e.data;
  if (m.type === 'frame') show(m.shot);
  else if (m.type === 'failed') {
    const note = $('note');
    note.hidden = false;
    note.textContent = `Frame ${m.frame} could not be shown: ${m.message}`;
  }
});
onThemeChange(() => {
  theme = readTheme();
  draw();
});
new ResizeObserver(resize).observe(stage);

/** Read-only view of what the last draw did, for the browser and editor tests. */
Object.assign(window, { episodeFrame: { stats: () => lastStats, drawNow: () => (draw(), lastStats) } });
vscode.postMessage({ type: 'ready' });
