// The frame view's decode, run by the language server (the extension bundles no decoding): the
// request is checked field by field, the frame is decoded with the server's ffmpeg and cached
// under the episode folder (still-frame.ts).
import * as path from 'node:path';
import { resolveFfmpeg } from '../engine/decode/ffmpeg-path';
import { cachedStill } from '../engine/decode/still-frame';
import { EpisodeLayout } from '../engine/manifests/layout';
import type { DecodeFrameParams, DecodeFrameResult } from './protocol';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isAbsPath = (v: unknown): v is string => typeof v === 'string' && v.length < 4096 && path.isAbsolute(v);
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** The params, or a one-line reason they are not well formed. */
export function parseDecodeFrameParams(v: unknown): DecodeFrameParams | string {
  if (!isRecord(v)) return 'expects one object argument';
  const { episodeDir, video, frameIdx, ts, fps } = v;
  if (!isAbsPath(episodeDir) || !isAbsPath(video)) return 'episodeDir and video must be absolute paths';
  if (!Number.isSafeInteger(frameIdx) || (frameIdx as number) < 0) return `frameIdx must be a whole number ≥ 0, got ${String(frameIdx)}`;
  if (!isTime(ts) || !isTime(fps) || fps === 0) return 'ts must be a time ≥ 0 and fps a rate > 0';
  return { episodeDir, video, frameIdx: frameIdx as number, ts, fps };
}

export async function decodeFrame(p: DecodeFrameParams, ffmpegPath: string | undefined): Promise<DecodeFrameResult> {
  return cachedStill(EpisodeLayout.of(p.episodeDir), { ffmpegPath: resolveFfmpeg(ffmpegPath).path, video: p.video, frameIdx: p.frameIdx, ts: p.ts, fps: p.fps });
}
