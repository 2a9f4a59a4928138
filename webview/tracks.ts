// The timeline's data: tracks parsed from tracks.jsonl or from live `track` events. Pure, so
// the same code runs in the page and in unit tests.

export interface TimelineTrack {
  id: number;
  first: number;
  last: number;
  frames: number;
  conf: number;
  split?: string;
  /** bboxes_sampled, by frame: where the face was, so runs can be matched track to track. */
  boxes?: SampledBox[];
  /** The person (identities.json) the track belongs to, when the run had identities. */
  identity?: number;
}

/** A face box at one frame: [x1, y1, x2, y2] in pixels. */
export interface SampledBox {
  frame: number;
  xyxy: readonly [number, number, number, number];
}

export interface ParsedTracks {
  tracks: TimelineTrack[];
  /** Lines that are not a usable track row; skipped so the rest still draws. */
  malformed: number;
  /** 1-based number of the first malformed line, for the warning. */
  firstMalformedLine?: number;
}

const isInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A tracks.jsonl row or a `track` event → a track, or undefined when a field is missing. */
export function toTrack(row: unknown): TimelineTrack | undefined {
  if (typeof row !== 'object' || row === null) return undefined;
  const r = row as Record<string, unknown>;
  const { track_id: id, first_frame_idx: first, last_frame_idx: last } = r;
  if (!isInt(id) || !isInt(first) || !isInt(last) || last < first) return undefined;
  const frames = isInt(r.frame_count) ? r.frame_count : last - first + 1;
  const conf = isNum(r.mean_conf) ? r.mean_conf : 0;
  const split = typeof r.split_reason === 'string' && r.split_reason ? r.split_reason : undefined;
  const boxes = toBoxes(r.bboxes_sampled);
  const identity = isInt(r.identity_id) ? r.identity_id : undefined;
  return { id, first, last, frames, conf, ...(split ? { split } : {}), ...(boxes.length ? { boxes } : {}), ...(identity !== undefined ? { identity } : {}) };
}

/** The usable samples of a bboxes_sampled array, in frame order. */
function toBoxes(samples: unknown): SampledBox[] {
  if (!Array.isArray(samples)) return [];
  const boxes: SampledBox[] = [];
  for (const s of samples) {
    const xyxy = s?.bbox_xyxy;
    if (isInt(s?.frame_idx) && Array.isArray(xyxy) && xyxy.length === 4 && xyxy.every(isNum)) {
      boxes.push({ frame: s.frame_idx, xyxy: [xyxy[0], xyxy[1], xyxy[2], xyxy[3]] });
    }
  }
  return boxes.sort((a, b) => a.frame - b.frame);
}

export function parseTracksJsonl(text: string): ParsedTracks {
  const tracks: TimelineTrack[] = [];
  let malformed = 0;
  let firstMalformedLine: number | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let track: TimelineTrack | undefined;
    try {
      track = toTrack(JSON.parse(line));
    } catch {
      track = undefined;
    }
    if (track) tracks.push(track);
    else {
      malformed++;
      firstMalformedLine ??= i + 1;
    }
  }
  return { tracks, malformed, firstMalformedLine };
}

/** Length in frames as the filter sees it: the span, not the number of detections. */
export const spanFrames = (t: TimelineTrack): number => t.last - t.first + 1;
