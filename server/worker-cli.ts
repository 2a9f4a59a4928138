// `episode-worker --queue redis://HOST:PORT`: runs the episodes of seasons enqueued with
// `episode-run --season … --queue …`, on any machine that sees the same paths.
import { parseArgs } from 'node:util';
import { startSeasonWorker } from './season/queue/worker';

export const WORKER_USAGE = `Usage: episode-worker --queue redis://HOST:PORT [--concurrency N] [--lock-s S] [--stall-check-s S]

Runs the episodes of seasons enqueued with \`episode-run --season FILE --queue URL\`, each exactly as
episode-run runs one episode, in an engine process of its own. Start one on every machine that sees
the same paths (videos and output_root on shared storage).
  --queue URL          the Redis of the queue (redis://, or rediss:// for TLS)
  --concurrency N      episodes at once (default 1; each uses every core unless the season sets threads)
  --lock-s S           a job's lock lasts S seconds unless renewed (default 30): when this worker dies,
                       its episodes are run again elsewhere about that long after
  --stall-check-s S    how often to look for episodes whose worker died (default: --lock-s)
Ctrl-C stops taking jobs; running episodes are cancelled and go back to the queue. Twice: at once.`;

function fail(message: string): number {
  process.stderr.write(`episode-worker: ${message}\n`);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv, strict: true, allowPositionals: false,
      options: { queue: { type: 'string' }, concurrency: { type: 'string' }, 'lock-s': { type: 'string' }, 'stall-check-s': { type: 'string' }, help: { type: 'boolean' } },
    }));
  } catch (e) {
    return fail(`${(e as Error).message.split('\n')[0]} (see --help)`);
  }
  if (values.help) {
    process.stdout.write(WORKER_USAGE + '\n');
    return 0;
  }
  const queue = values.queue as string | undefined;
  if (!queue) return fail('give the queue: --queue redis://HOST:PORT (see --help)');
  if (!/^rediss?:\/\//.test(queue)) return fail(`--queue must be a Redis URL such as redis://127.0.0.1:6379, got "${queue}"`);
  const number = (flag: string, dflt: number, min: number, max: number, integer: boolean): number => {
    const v = values[flag] === undefined ? dflt : Number(values[flag]);
    if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      throw new Error(`--${flag} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${values[flag]}"`);
    }
    return v;
  };
  let concurrency: number, lockS: number, stallS: number;
  try {
    concurrency = number('concurrency', 1, 1, 64, true);
    lockS = number('lock-s', 30, 1, 3600, false);
    stallS = number('stall-check-s', lockS, 0.5, 3600, false);
  } catch (e) {
    return fail((e as Error).message);
  }
  const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  let worker;
  try {
    worker = await startSeasonWorker(queue, { concurrency, lockMs: lockS * 1000, stalledCheckMs: stallS * 1000, log });
  } catch (e) {
    return fail((e as Error).message);
  }
  await new Promise<void>((resolve) => {
    let stops = 0;
    const stop = () => {
      if (++stops > 1) process.exit(130);
      log('stopping: no new jobs; running episodes go back to the queue');
      void worker.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
