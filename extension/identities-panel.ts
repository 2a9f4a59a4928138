// The Identities page beside an episode config: its last run's people (identities.json,
// screentime.json) with a face each, and the Name / Merge / Split edits, which write the cast
// folder and the labels file for the next run.
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { IdentitiesFile } from '../server/engine/identity/identity-stage';
import { mergeIdentities, nameIdentity, splitTrack } from '../server/engine/identity/edits';
import type { ScreenTimeRow } from '../server/engine/identity/screen-time';
import type { TrackMetrics } from '../server/engine/manifests/track-metrics';
import type { IdentitiesHostMessage, IdentitiesSnapshot } from '../webview/identities-protocol';
import { identitiesHtml } from './identities-html';
import { describeDropped, parseIdentitiesPageMessage } from './page-messages';
import type { RunFolder } from './run-folder';
import { createPagePanel, PageChannel, pageResources, showPerFolder } from './webview-page';

export class IdentitiesPanel {
  private static readonly open = new Map<string, IdentitiesPanel>();
  private readonly channel: PageChannel<IdentitiesHostMessage>;
  private doc: IdentitiesFile | undefined;
  private metrics: TrackMetrics | undefined;

  static show(extensionUri: vscode.Uri, folder: RunFolder): IdentitiesPanel {
    return showPerFolder(this.open, folder.outDir, () => new IdentitiesPanel(
      createPagePanel('episodeLab.identities', `Identities: ${folder.epId}`, extensionUri, folder.outDir), extensionUri, folder));
  }

  private constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly folder: RunFolder) {
    const webview = panel.webview;
    this.channel = new PageChannel(webview);
    webview.html = identitiesHtml(pageResources(webview, extensionUri, 'identities'));
    webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m));
  }

  /** Reads the latest run's identities and shows them (or why there are none). */
  async reload(): Promise<IdentitiesSnapshot | undefined> {
    const layout = this.folder.layout;
    const json = (key: 'identities' | 'screentime' | 'metrics') => readFile(layout.manifest(key), 'utf8').then((t) => JSON.parse(t), () => undefined);
    const [doc, screen, metrics] = await Promise.all([json('identities'), json('screentime'), json('metrics')]) as [IdentitiesFile?, { metrics: ScreenTimeRow[] }?, TrackMetrics?];
    this.doc = doc;
    this.metrics = metrics;
    if (!doc || !metrics) {
      this.channel.post({ type: 'identities', snapshot: undefined });
      return undefined;
    }
    const spans = new Map<number, { first: number; last: number }>();
    for (const line of (await readFile(layout.manifest('tracks'), 'utf8').catch(() => '')).split('\n')) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as { track_id: number; first_frame_idx: number; last_frame_idx: number };
      spans.set(r.track_id, { first: r.first_frame_idx, last: r.last_frame_idx });
    }
    const time = new Map((screen?.metrics ?? []).map((m) => [m.identity_id, m]));
    const webview = this.panel.webview;
    const snapshot: IdentitiesSnapshot = {
      epId: doc.ep_id, runId: metrics.run_id, frames: metrics.stats.frames_decoded, fps: metrics.video.fps,
      unassigned: doc.unassigned_track_ids.length, castDir: metrics.config.identity.cast_dir, labelsFile: metrics.config.identity.labels,
      identities: doc.identities.map((i) => {
        const crop = i.faces.find((f) => f.crop)?.crop;
        const st = time.get(i.identity_id);
        return {
          identity_id: i.identity_id, name: i.name, named: i.named, visual_s: st?.visual_s ?? 0, share: st?.share ?? 0, appearances: st?.appearances.length ?? 0,
          tracks: i.track_ids.map((id) => ({ id, ...(spans.get(id) ?? { first: 0, last: 0 }) })),
          crops: i.faces.filter((f) => f.crop).length,
          ...(crop ? { thumbnail: webview.asWebviewUri(vscode.Uri.file(crop)).toString() } : {}),
        };
      }),
    };
    this.channel.post({ type: 'identities', snapshot });
    return snapshot;
  }

  /** A message from the page, checked before it is acted on (page-messages.ts). */
  private async onMessage(raw: unknown): Promise<void> {
    const m = parseIdentitiesPageMessage(raw);
    if (!m) return void console.warn(`Episode Lab identities page: ${describeDropped(raw)}`);
    if (m.type === 'ready') return this.channel.open();
    const { doc, metrics } = this;
    if (!doc || !metrics) return;
    const cfg = metrics.config.identity;
    try {
      let text: string;
      if (m.type === 'name') {
        const n = await nameIdentity(doc, m.identityId, m.name, cfg.cast_dir);
        text = `Saved ${n} crops of identity ${m.identityId} as "${m.name.trim()}" in ${cfg.cast_dir}: the next run names this person.`;
      } else if (m.type === 'merge') {
        await mergeIdentities(cfg.labels, doc, m.identityIds[0], m.identityIds[1]);
        text = `Identities ${m.identityIds.join(' and ')} are one person from the next run on (${cfg.labels}).`;
      } else {
        await splitTrack(cfg.labels, doc, m.identityId, m.trackId);
        text = `Track ${m.trackId} leaves identity ${m.identityId} from the next run on (${cfg.labels}).`;
      }
      this.channel.post({ type: 'notice', text });
    } catch (e) {
      this.channel.post({ type: 'notice', text: (e as Error).message, error: true });
    }
  }
}
