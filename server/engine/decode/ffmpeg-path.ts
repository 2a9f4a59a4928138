// Finds the ffmpeg binary in the order of DESIGN §7, and says which one it picked.
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

export type FfmpegSource = 'config' | 'env' | 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg' | 'PATH';

export interface ResolvedFfmpeg {
  path: string;
  source: FfmpegSource;
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Path of an npm package's binary, or undefined when the package (an optional one) is absent. */
function npmBinary(pkg: 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg'): string | undefined {
  try {
    // ffmpeg-static exports the path string (null on unsupported platforms);
    // @ffmpeg-installer/ffmpeg exports { path }.
    const mod: unknown = require(pkg);
    const p = typeof mod === 'string' ? mod : (mod as { path?: unknown } | null)?.path;
    // ffmpeg-static's install script may have failed to download: the path exists only on success.
    return typeof p === 'string' && isExecutableFile(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

function onPath(envPath: string | undefined): string | undefined {
  const name = process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg';
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (dir && isExecutableFile(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

/**
 * Resolves ffmpeg: `configured` (config/setting ffmpeg.path), env FFMPEG_PATH, ffmpeg-static,
 * @ffmpeg-installer/ffmpeg, then `ffmpeg` on PATH. An explicit path that is not an executable
 * file throws rather than silently falling back, so a typo does not run a different ffmpeg.
 */
export function resolveFfmpeg(configured?: string, env: NodeJS.ProcessEnv = process.env): ResolvedFfmpeg {
  if (configured) {
    if (!isExecutableFile(configured)) {
      throw new Error(`ffmpeg.path "${configured}" is not an executable file: fix ffmpeg.path in the config or settings, or remove it to use the bundled ffmpeg`);
    }
    return { path: configured, source: 'config' };
  }
  const fromEnv = env.FFMPEG_PATH;
  if (fromEnv) {
    if (!isExecutableFile(fromEnv)) {
      throw new Error(`FFMPEG_PATH "${fromEnv}" is not an executable file: fix or unset the FFMPEG_PATH environment variable`);
    }
    return { path: fromEnv, source: 'env' };
  }
  for (const pkg of ['ffmpeg-static', '@ffmpeg-installer/ffmpeg'] as const) {
    const p = npmBinary(pkg);
    if (p) return { path: p, source: pkg };
  }
  const p = onPath(env.PATH);
  if (p) return { path: p, source: 'PATH' };
  throw new Error('ffmpeg not found: run `npm install` (it installs @ffmpeg-installer/ffmpeg), set ffmpeg.path in the config or settings, set FFMPEG_PATH, or put ffmpeg on PATH');
}
