// Probing a video spawns ffmpeg (tens of ms). Diagnostics run on every edit, so results are
// cached by file identity (path, mtime, size) and a replaced file is probed again.
import { stat } from 'node:fs/promises';
import { resolveFfmpeg } from '../engine/decode/ffmpeg-path';
import { probeVideo } from '../engine/decode/probe';
import type { VideoInfo } from '../engine/types';

export type VideoProber = (videoPath: string, ffmpegPath?: string) => Promise<VideoInfo>;

const MAX_ENTRIES = 64;

export function createVideoProber(): VideoProber {
  const cache = new Map<string, Promise<VideoInfo>>();
  return async (videoPath, ffmpegPath) => {
    const ffmpeg = resolveFfmpeg(ffmpegPath).path;
    let key: string;
    try {
      const st = await stat(videoPath);
      key = `${ffmpeg}\n${videoPath}\n${st.mtimeMs}\n${st.size}`;
    } catch {
      return probeVideo(ffmpeg, videoPath); // a missing file: fails fast with the right message
    }
    let entry = cache.get(key);
    if (!entry) {
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
      entry = probeVideo(ffmpeg, videoPath);
      cache.set(key, entry);
    }
    return entry;
  };
}
