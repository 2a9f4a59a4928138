// Our HOTA / CLEAR / Identity against TrackEval's own numbers on ../shared/data/eval-reference
// (see its README: run_mot_challenge.py, --DO_PREPROC False). Every key of expected.json, every
// tracker, sequence and COMBINED, within 1e-4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_DATA } from '../helpers/shared-data';
import { parseMot } from '../../server/engine/eval/ground-truth';
import { buildSequence } from '../../server/engine/eval/sequence';
import { combineResults, scoreSequence, type MetricResults } from '../../server/engine/eval/metrics';
import { ALPHAS, auc } from '../../server/engine/eval/hota';

const REF = join(SHARED_DATA, 'eval-reference');
const skip = existsSync(join(REF, 'expected.json')) ? false : `TrackEval reference not found at ${REF} (a fresh clone has no ../shared)`;

/** Our results under TrackEval's summary names. */
function trackEvalKeys(r: MetricResults, gtIds: number, trIds: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of ['HOTA', 'DetA', 'AssA', 'DetRe', 'DetPr', 'AssRe', 'AssPr', 'LocA'] as const) out[`${k}___AUC`] = auc(r.hota[k]);
  ALPHAS.forEach((a, i) => (out[`HOTA___${Math.round(a * 100)}`] = r.hota.HOTA[i]));
  const c = r.clear;
  Object.assign(out, {
    CLR_TP: c.TP, CLR_FN: c.FN, CLR_FP: c.FP, CLR_Frames: c.Frames, IDSW: c.IDSW, Frag: c.Frag, MT: c.MT, PT: c.PT, ML: c.ML,
    MOTA: c.MOTA, MODA: c.MODA, MOTP: c.MOTP,
  });
  Object.assign(out, r.identity);
  Object.assign(out, { Dets: c.TP + c.FP, GT_Dets: c.TP + c.FN, GT_IDs: gtIds, IDs: trIds });
  return out;
}

function seqLength(seq: string): number {
  const ini = readFileSync(join(REF, 'gt', seq, 'seqinfo.ini'), 'utf8');
  return Number(/seqLength=(\d+)/.exec(ini)![1]);
}

test('HOTA, CLEAR and Identity equal TrackEval on every key of eval-reference (1e-4)', { skip }, () => {
  const expected = JSON.parse(readFileSync(join(REF, 'expected.json'), 'utf8')) as Record<string, Record<string, Record<string, number>>>;
  const seqs = readdirSync(join(REF, 'gt')).sort();
  let compared = 0;
  let worst = 0;
  for (const tracker of Object.keys(expected)) {
    const parts: MetricResults[] = [];
    let gtIds = 0;
    let trIds = 0;
    const check = (name: string, ours: Record<string, number>) => {
      const want = expected[tracker][name];
      assert.ok(want, `expected.json has no ${tracker}/${name}`);
      for (const [key, value] of Object.entries(want)) {
        assert.ok(key in ours, `${tracker}/${name}: no value of ours for ${key}`);
        const diff = Math.abs(ours[key] - value);
        worst = Math.max(worst, diff);
        assert.ok(diff <= 1e-4, `${tracker}/${name} ${key}: ours ${ours[key]}, TrackEval ${value}`);
        compared++;
      }
    };
    for (const seq of seqs) {
      const read = (file: string, dropIgnored: boolean) => {
        const r = parseMot(readFileSync(file, 'utf8'), { frameBase: 1, dropIgnored });
        assert.deepEqual(r.problems, [], file);
        return r.rows;
      };
      const gt = read(join(REF, 'gt', seq, 'gt', 'gt.txt'), true);
      const tr = read(join(REF, 'trackers', tracker, `${seq}.txt`), false);
      const s = buildSequence(gt, tr, Array.from({ length: seqLength(seq) }, (_, i) => i));
      const r = scoreSequence(s);
      parts.push(r);
      gtIds += s.gtIdNames.length;
      trIds += s.trIdNames.length;
      check(seq, trackEvalKeys(r, s.gtIdNames.length, s.trIdNames.length));
    }
    check('COMBINED', trackEvalKeys(combineResults(parts), gtIds, trIds));
  }
  assert.equal(compared, Object.values(expected).reduce((n, t) => n + Object.values(t).reduce((m, s) => m + Object.keys(s).length, 0), 0));
  console.log(`# ${compared} values compared; largest difference ${worst.toExponential(2)}`);
});
