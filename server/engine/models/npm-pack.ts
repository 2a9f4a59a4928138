import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PackageSpec {
  name: string;
  version: string;
}

/** npm pack's file name: '@scope/name' → 'scope-name-<version>.tgz'. */
export function tarballName(spec: PackageSpec): string {
  return `${spec.name.replace(/^@/, '').replace('/', '-')}-${spec.version}.tgz`;
}

/**
 * The package's tarball in cacheDir, fetched with `npm pack` when absent. `npm pack` only
 * downloads the tarball (checked against the registry's integrity); it never installs the
 * package's dependencies or runs its scripts.
 */
export async function packTarball(spec: PackageSpec, cacheDir: string): Promise<string> {
  const target = join(cacheDir, tarballName(spec));
  if (existsSync(target)) return target;
  await mkdir(cacheDir, { recursive: true });
  // Pack into a private folder and rename, so a concurrent reader never sees half a file.
  const tmp = await mkdtemp(join(cacheDir, '.pack-'));
  try {
    await run('npm', ['pack', `${spec.name}@${spec.version}`, '--pack-destination', tmp, '--loglevel=error'], {
      cwd: tmp,
      shell: process.platform === 'win32',
      maxBuffer: 1 << 20,
    }).catch((err: Error & { stderr?: string }) => {
      throw new Error(`npm pack ${spec.name}@${spec.version} failed: ${summary(err.stderr) || firstLine(err.message)}`);
    });
    const packed = (await readdir(tmp)).find((f) => f.endsWith('.tgz'));
    if (!packed) throw new Error(`npm pack ${spec.name}@${spec.version} produced no tarball`);
    await rename(join(tmp, packed), target);
    return target;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Extract only the named members (paths inside the tarball) into destDir, with the system tar. */
export async function extractMembers(tarball: string, members: string[], destDir: string): Promise<void> {
  await mkdir(destDir, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', destDir, ...members], { maxBuffer: 1 << 20 }).catch(
    (err: Error & { stderr?: string }) => {
      throw new Error(`tar could not extract ${members.join(', ')} from ${tarball}: ${summary(err.stderr) || firstLine(err.message)}`);
    },
  );
}

/** npm/tar stderr squeezed into one line, without warnings and the debug-log pointer. */
function summary(stderr: string | undefined): string {
  return (stderr ?? '')
    .split('\n')
    .map((l) => l.replace(/^npm error\s*/i, '').trim())
    .filter((l) => l && !/^npm warn|^A complete log/i.test(l))
    .join(' ')
    .slice(0, 300);
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
