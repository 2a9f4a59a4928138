// The cast facebank: identity.cast_dir holds one folder per person with reference photos. Each
// photo is embedded once (largest face found by the detector, aligned and embedded like a track's
// faces) and cached by its content and the embedder's model; a member's reference is the mean of
// their photos. Bad input (no folder, an empty person, an unreadable photo, a photo without a
// face) becomes a warning, never a failure.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeJsonAtomic } from '../manifests/atomic-file';
import { FaceDetector } from '../detect/face-detector';
import { cropRegion } from '../embed/align';
import { cosine, FaceEmbedder, l2Normalise } from '../embed/face-embedder';
import { listCast, photoCacheFile, type PhotoEntry } from './cast-folder';

export interface CastMember {
  name: string;
  embedding: Float32Array;
  photos: number;
}

export interface CastModels {
  detect: string;
  landmark: string;
  feature: string;
}

export interface LoadCastOptions {
  /** Where photo embeddings are cached by content. */
  cacheDir: string;
  /** Called on the first photo missing from the cache. */
  models: () => Promise<CastModels>;
  /** The embedder model id the cache entries must match (the run's, so prototypes are comparable). */
  embedderId: string;
}

export interface LoadedCast {
  members: CastMember[];
  warnings: string[];
  /** Photos embedded now (not found in the cache). */
  embedded: number;
}

export async function loadCast(dir: string, opts: LoadCastOptions): Promise<LoadedCast> {
  const { people, problems } = await listCast(dir);
  const warnings = [...problems];
  const members: CastMember[] = [];
  let models: { detector: FaceDetector; embedder: FaceEmbedder } | undefined;
  let embedded = 0;
  try {
    for (const person of people) {
      const vectors: Float32Array[] = [];
      for (const photo of person.photos) {
        let entry: PhotoEntry;
        let bytes: Buffer;
        try {
          bytes = await readFile(photo);
        } catch (e) {
          warnings.push(`cast photo ${photo} is unreadable: ${(e as Error).message}`);
          continue;
        }
        const cachePath = join(opts.cacheDir, photoCacheFile(bytes));
        const cached = await readFile(cachePath, 'utf8').then((t) => JSON.parse(t) as PhotoEntry, () => undefined);
        if (cached?.model === opts.embedderId) entry = cached;
        else {
          models ??= await loadModels(await opts.models());
          entry = await embedPhoto(bytes, models, opts.embedderId);
          embedded++;
          await mkdir(opts.cacheDir, { recursive: true });
          await writeJsonAtomic(cachePath, entry);
        }
        if (entry.problem === 'unreadable') warnings.push(`cast photo ${photo} is unreadable: ${entry.detail ?? 'not an image'}`);
        else if (entry.problem === 'no_face') warnings.push(`cast photo ${photo}: no face found`);
        else if (entry.embedding) vectors.push(Float32Array.from(entry.embedding));
      }
      if (vectors.length === 0) {
        warnings.push(`cast member "${person.name}" has no usable photo: left out of the cast`);
        continue;
      }
      const mean = new Float32Array(vectors[0].length);
      for (const v of vectors) for (let i = 0; i < mean.length; i++) mean[i] += v[i];
      members.push({ name: person.name, embedding: l2Normalise(mean), photos: vectors.length });
    }
  } finally {
    await models?.detector.close();
    await models?.embedder.close();
  }
  return { members, warnings, embedded };
}

async function loadModels(m: CastModels) {
  const detector = await FaceDetector.load(m.detect, { confThreshold: 0.5, nmsIou: 0.3, minSize: 8, threads: 1 });
  const embedder = await FaceEmbedder.load({ landmark: m.landmark, feature: m.feature, threads: 1 });
  return { detector, embedder };
}

/** The embedding of the largest face in a photo. */
async function embedPhoto(bytes: Buffer, m: { detector: FaceDetector; embedder: FaceEmbedder }, model: string): Promise<PhotoEntry> {
  let full: { data: Buffer; info: sharp.OutputInfo };
  let small: Buffer;
  try {
    full = await sharp(bytes).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
    small = await sharp(full.data, { raw: { width: full.info.width, height: full.info.height, channels: 3 } })
      .resize(320, 240, { fit: 'fill' }).raw().toBuffer();
  } catch (e) {
    return { model, problem: 'unreadable', detail: (e as Error).message };
  }
  const { width, height } = full.info;
  const found = await m.detector.detectSmall(small, width, height);
  if (found.length === 0) return { model, problem: 'no_face' };
  const area = (b: number[]) => (b[2] - b[0]) * (b[3] - b[1]);
  const face = found.reduce((a, b) => (area(b.bbox) > area(a.bbox) ? b : a));
  const e = await m.embedder.embed(cropRegion(full.data, width, height, face.bbox), face.bbox);
  return { model, embedding: Array.from(e, (v) => Math.round(v * 1e6) / 1e6) };
}

/**
 * Names identities from the cast: the best (identity, member) pairs by cosine first, each used
 * once, at or above the threshold. Returns identity id → member name.
 */
export function nameIdentities(identities: readonly { id: number; embedding: ArrayLike<number> }[], members: readonly CastMember[], threshold: number): Map<number, string> {
  const pairs: { id: number; name: string; sim: number }[] = [];
  for (const id of identities) {
    for (const m of members) {
      const sim = cosine(Float32Array.from(id.embedding), m.embedding);
      if (sim >= threshold) pairs.push({ id: id.id, name: m.name, sim });
    }
  }
  pairs.sort((a, b) => b.sim - a.sim || a.id - b.id);
  const named = new Map<number, string>();
  const used = new Set<string>();
  for (const p of pairs) {
    if (named.has(p.id) || used.has(p.name)) continue;
    named.set(p.id, p.name);
    used.add(p.name);
  }
  return named;
}
