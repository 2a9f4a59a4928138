// Scores an engine run against a generated episode's ground truth.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMotFile, rowsFromDetectionsJsonl } from '../fixtures/mot-format';
import { evaluateMot, type MotMetrics } from '../fixtures/mot-metrics';

/** MOT metrics on the stride frames (every `stride`-th frame), where the tracker always looks. */
export async function evaluateRun(gtPath: string, outDir: string, stride: number): Promise<MotMetrics> {
  const gt = await readMotFile(gtPath);
  const hyp = rowsFromDetectionsJsonl(readFileSync(join(outDir, 'manifests', 'detections.jsonl'), 'utf8'));
  const frames = [...new Set(gt.map((r) => r.frame))].filter((f) => f % stride === 0);
  return evaluateMot(gt, hyp, { evaluateOnFrames: frames });
}
