// Identities scored against a ground truth whose tracks carry people: `evaluation.people` maps
// ground-truth ids to person names. A run track's person is that of the ground-truth id it was
// matched to most (eval_frames.jsonl, written by the evaluation stage); then B-cubed over the
// tracks, and per person the identity's screen time against the ground truth's (the frames where
// any of the person's ground-truth boxes is scored, over fps). Writes identity_eval.json.
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { EvaluationConfig } from '../../config/config-types';
import { readGroundTruth, type GroundTruth } from '../eval/ground-truth';
import { writeJsonAtomic } from '../manifests/atomic-file';
import type { EpisodeLayout } from '../manifests/layout';
import type { IdentitySummary } from '../manifests/track-metrics';
import { bCubed, screenTimeErrors, type BCubed, type ScreenTimeError } from './evaluate';
import type { IdentitiesFile } from './identity-stage';
import type { ScreenTimeRow } from './screen-time';

export interface IdentityEvaluation {
  people_file: string;
  /** Run tracks matched to a ground-truth id that has a person. */
  tracks_scored: number;
  bcubed: BCubed;
  screen_time: ScreenTimeError[];
}

/** The people file: JSON `{"<gt id>": "name"}`, or CSV lines `gt_id,name` (a header line is skipped). */
export async function readPeople(path: string): Promise<Map<number, string>> {
  const text = await readFile(path, 'utf8').catch((e: Error) => {
    throw new Error(`evaluation.people ${path} is unreadable: ${e.message}`);
  });
  const people = new Map<number, string>();
  const add = (id: string, name: unknown, where: string) => {
    const n = Number(id);
    if (!Number.isSafeInteger(n) || typeof name !== 'string' || !name.trim()) throw new Error(`evaluation.people ${path}: ${where} is not a ground-truth id and a name`);
    people.set(n, name.trim());
  };
  if (text.trimStart().startsWith('{')) {
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new Error(`evaluation.people ${path} is not JSON: ${(e as Error).message}`);
    }
    for (const [id, name] of Object.entries(raw)) add(id, name, `"${id}"`);
  } else {
    text.split('\n').forEach((line, i) => {
      const t = line.trim();
      if (!t || (i === 0 && !/^\d/.test(t))) return;
      const [id, ...rest] = t.split(',');
      add(id.trim(), rest.join(',').trim(), `line ${i + 1}`);
    });
  }
  return people;
}

export interface EvaluateIdentitiesInput {
  gt: GroundTruth;
  people: ReadonlyMap<number, string>;
  peopleFile: string;
  evalFramesPath: string;
  trackIdentity: ReadonlyMap<number, number>;
  identitySeconds: ReadonlyMap<number, number>;
  fps: number;
}

export async function evaluateIdentities(input: EvaluateIdentitiesInput): Promise<IdentityEvaluation> {
  const votes = new Map<number, Map<number, number>>();
  const lines = createInterface({ input: createReadStream(input.evalFramesPath, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    for (const [gtId, trackId] of (JSON.parse(line) as { matches: [number, number][] }).matches) {
      const v = votes.get(trackId) ?? new Map<number, number>();
      v.set(gtId, (v.get(gtId) ?? 0) + 1);
      votes.set(trackId, v);
    }
  }
  const trackPerson = new Map<number, string>();
  for (const [trackId, v] of votes) {
    const gtId = [...v].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
    const person = input.people.get(gtId);
    if (person !== undefined) trackPerson.set(trackId, person);
  }
  const frames = new Map<string, Set<number>>();
  for (const row of input.gt.rows) {
    const person = input.people.get(row.id);
    if (person === undefined) continue;
    const set = frames.get(person) ?? new Set<number>();
    frames.set(person, set.add(row.frame));
  }
  const truth = new Map([...frames].map(([person, f]) => [person, f.size / input.fps]));
  return {
    people_file: input.peopleFile,
    tracks_scored: trackPerson.size,
    bcubed: bCubed(input.trackIdentity, trackPerson),
    screen_time: screenTimeErrors(truth, trackPerson, input.trackIdentity, input.identitySeconds),
  };
}

/**
 * After the identity stage: when the config names a ground truth and its people, and the
 * evaluation stage wrote eval_frames.jsonl, scores the identities into identity_eval.json and
 * returns the headline for the run's metrics.
 */
export async function scoreIdentities(layout: EpisodeLayout, cfg: EvaluationConfig, fps: number, gt?: GroundTruth): Promise<IdentitySummary['evaluation']> {
  if (!cfg.ground_truth || !cfg.people || !existsSync(layout.manifest('evalFrames'))) return undefined;
  const [people, truth] = await Promise.all([readPeople(cfg.people), gt ?? readGroundTruth(cfg.ground_truth, cfg.frame_base)]);
  const doc = JSON.parse(await readFile(layout.manifest('identities'), 'utf8')) as IdentitiesFile;
  const screen = JSON.parse(await readFile(layout.manifest('screentime'), 'utf8')) as { metrics: ScreenTimeRow[] };
  const trackIdentity = new Map<number, number>();
  for (const i of doc.identities) for (const t of i.track_ids) trackIdentity.set(t, i.identity_id);
  const result = await evaluateIdentities({
    gt: truth, people, peopleFile: cfg.people, evalFramesPath: layout.manifest('evalFrames'), trackIdentity,
    identitySeconds: new Map(screen.metrics.map((m) => [m.identity_id, m.visual_s])), fps,
  });
  await writeJsonAtomic(layout.manifest('identityEval'), result);
  const { precision, recall, f1 } = result.bcubed;
  return { precision, recall, f1, screen_time_max_error_pct: Math.max(0, ...result.screen_time.map((e) => Math.abs(e.error_pct))) };
}
