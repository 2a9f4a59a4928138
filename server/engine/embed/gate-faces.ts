// gate_faces.jsonl: the faces of each written track that faces_embed's sample plan picks among
// the appearance gate's faces, with the gate's quality and (when kept) embedding. Under G3,
// faces_embed turns them into faces.jsonl rows and faces.f32 vectors without decoding a frame,
// so faces.jsonl is the same with G3 on and off; only the recomputation is skipped.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { JsonlWriter } from '../manifests/jsonl-writer';
import type { FaceSkip } from '../manifests/manifest-types';
import type { BBox } from '../types';
import type { FaceQuality } from './quality';
import type { GatePick } from './track-prototype';

export interface GateFaceRow {
  track_id: number;
  frame_idx: number;
  ts: number;
  bbox_xyxy: BBox;
  conf: number;
  quality: FaceQuality;
  skip?: FaceSkip;
  /** The embedding of a kept face: float32 little-endian, base64. */
  embedding?: string;
}

export class GateFacesWriter {
  private readonly out: JsonlWriter<GateFaceRow>;

  constructor(path: string) {
    this.out = new JsonlWriter<GateFaceRow>(path);
  }

  /** Writes a closing track's picks; false when the writer's backlog is high (see JsonlWriter.write). */
  add(trackId: number, picks: readonly GatePick[]): boolean {
    let ok = true;
    for (const { face: f, skip } of picks) {
      if (f.ts === undefined || !f.bbox_xyxy) continue;
      const e = f.face.embedding;
      ok = this.out.write({
        track_id: trackId, frame_idx: f.frame_idx, ts: f.ts, bbox_xyxy: f.bbox_xyxy, conf: f.conf,
        quality: f.face.quality,
        ...(skip ? { skip } : { embedding: Buffer.from(e.buffer, e.byteOffset, e.byteLength).toString('base64') }),
      }) && ok;
    }
    return ok;
  }

  drain = () => this.out.drain();
  close = () => this.out.close();
  abandon = () => this.out.abandon();
}

/** A gate face read back: its row and, when kept, its embedding. */
export type StoredGateFace = Omit<GateFaceRow, 'embedding'> & { embedding?: Float32Array };

/** The stored gate faces of the tracks `want` selects, by track, in frame order; an absent file gives none. */
export async function readGateFaces(path: string, want: (trackId: number) => boolean): Promise<Map<number, StoredGateFace[]>> {
  const byTrack = new Map<number, StoredGateFace[]>();
  let input;
  try {
    input = createReadStream(path, 'utf8');
    await new Promise<void>((resolve, reject) => input!.once('open', () => resolve()).once('error', reject));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return byTrack;
    throw e;
  }
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as GateFaceRow;
    if (!want(row.track_id)) continue;
    const { embedding, ...rest } = row;
    const face: StoredGateFace = rest;
    if (embedding) {
      const bytes = Buffer.from(embedding, 'base64');
      face.embedding = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    }
    const faces = byTrack.get(row.track_id);
    if (faces) faces.push(face);
    else byTrack.set(row.track_id, [face]);
  }
  return byTrack;
}
