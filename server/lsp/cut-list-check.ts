// The config's cut list (`evaluation.cuts`) as the language server sees it: readable, and every
// entry a frame number. A problem is one diagnostic on the value, in the engine's own words (the
// engine refuses the run with the same line). Lists are a few hundred lines: read on each check.
import * as path from 'node:path';
import type { Finding } from '../config/semantic-checks';
import { isPlainObject } from '../config/validate';
import { CutListError, readCutList } from '../engine/eval/cut-score';

export async function cutListFindings(raw: Record<string, unknown>, configDir: string): Promise<Finding[]> {
  const ev = raw.evaluation;
  if (!isPlainObject(ev) || typeof ev.cuts !== 'string' || ev.cuts === '') return [];
  try {
    await readCutList(path.resolve(configDir, ev.cuts));
    return [];
  } catch (e) {
    const message = e instanceof CutListError ? e.message : (e as Error).message;
    return [{ at: [['evaluation', 'cuts']], severity: 'error', code: 'cut-list', message: `${message}. Fix \`cuts\` (relative to this config file).` }];
  }
}
