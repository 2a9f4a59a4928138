// Messages from the webview pages are checked here, at the boundary, before the host acts on
// them: a page renders manifests from disk, so it is no more trusted than they are. A message is
// a known type with fields of the right type and size (run ids by their pattern, track ids whole
// numbers), rebuilt from those fields alone; anything else is dropped. No `vscode` import.
import { ERROR_KINDS, type ErrorKind } from '../server/engine/eval/gt-lanes';
import { idProblem } from '../server/engine/manifests/ids';
import type { FramePageMessage } from '../webview/frame-protocol';
import type { PageMessage } from '../webview/protocol';
import type { RunsPageMessage } from '../webview/runs-protocol';
import type { SeasonPageMessage } from '../webview/season-protocol';
import type { IdentitiesPageMessage } from '../webview/identities-protocol';

/** Above any track id a run writes (ids count tracks, from 1). */
const MAX_TRACK_ID = 1e9;
/** Above any frame index (a week of video at 1,000 fps). */
const MAX_FRAME = 1e9;

const isRecord = (m: unknown): m is Record<string, unknown> => typeof m === 'object' && m !== null && !Array.isArray(m);
const isTrackId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= MAX_TRACK_ID;
const isRunId = (v: unknown): v is string => typeof v === 'string' && !idProblem('run id', v);
/** A frame index; whether the video has that frame is the host's to check against the run. */
export const isFrameIdx = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= MAX_FRAME;
const isErrorKind = (v: unknown): v is ErrorKind => (ERROR_KINDS as readonly unknown[]).includes(v);

/** A timeline page's message, or undefined when it is not a well-formed one. */
export function parsePageMessage(m: unknown): PageMessage | undefined {
  if (!isRecord(m)) return undefined;
  switch (m.type) {
    case 'ready':
      return { type: 'ready' };
    case 'selectTrack':
    case 'revealTrack':
      return isTrackId(m.trackId) ? { type: m.type, trackId: m.trackId } : undefined;
    case 'selectRun':
      if (m.runId === undefined) return { type: 'selectRun' };
      return isRunId(m.runId) ? { type: 'selectRun', runId: m.runId } : undefined;
    case 'openFrame':
      return isFrameIdx(m.frame) && isErrorKind(m.kind) ? { type: 'openFrame', frame: m.frame, kind: m.kind } : undefined;
    default:
      return undefined;
  }
}

/** A Compare/Sweep page's message, or undefined when it is not a well-formed one. */
export function parseRunsPageMessage(m: unknown): RunsPageMessage | undefined {
  if (!isRecord(m)) return undefined;
  if (m.type === 'ready') return { type: 'ready' };
  if ((m.type === 'openRun' || m.type === 'apply') && isRunId(m.runId)) return { type: m.type, runId: m.runId };
  return undefined;
}

/** A frame view's message, or undefined when it is not a well-formed one (the host checks the frame against the run). */
export function parseFramePageMessage(m: unknown): FramePageMessage | undefined {
  if (!isRecord(m)) return undefined;
  if (m.type === 'ready') return { type: 'ready' };
  if (m.type === 'showFrame' && isFrameIdx(m.frame)) return { type: 'showFrame', frame: m.frame };
  return undefined;
}

/** A Season page's message, or undefined when it is not a well-formed one. */
export function parseSeasonPageMessage(m: unknown): SeasonPageMessage | undefined {
  if (!isRecord(m)) return undefined;
  if (m.type === 'ready' || m.type === 'cancel') return { type: m.type };
  if (m.type === 'openEpisode' && typeof m.epId === 'string' && !idProblem('ep_id', m.epId)) return { type: 'openEpisode', epId: m.epId };
  return undefined;
}

const isIdentityId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= MAX_TRACK_ID;

/** An Identities page's message, or undefined when it is not a well-formed one (names are checked again when used). */
export function parseIdentitiesPageMessage(m: unknown): IdentitiesPageMessage | undefined {
  if (!isRecord(m)) return undefined;
  if (m.type === 'ready') return { type: 'ready' };
  if (m.type === 'name' && isIdentityId(m.identityId) && typeof m.name === 'string' && m.name.length <= 200) return { type: 'name', identityId: m.identityId, name: m.name };
  if (m.type === 'merge' && Array.isArray(m.identityIds) && m.identityIds.length === 2 && m.identityIds.every(isIdentityId)) {
    return { type: 'merge', identityIds: [m.identityIds[0], m.identityIds[1]] };
  }
  if (m.type === 'split' && isIdentityId(m.identityId) && isTrackId(m.trackId)) return { type: 'split', identityId: m.identityId, trackId: m.trackId };
  return undefined;
}

/** A dropped message in one short line for the log (a forged one may be huge: only its type, cut short). */
export function describeDropped(m: unknown): string {
  const type = isRecord(m) && typeof m.type === 'string' ? JSON.stringify(m.type.slice(0, 40)) : typeof m;
  return `ignored a malformed webview message (type ${type})`;
}
