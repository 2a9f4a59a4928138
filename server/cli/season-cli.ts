// `episode-run --season FILE`: every episode of a season, on this machine (--jobs N at a time)
// or on a BullMQ queue (--queue URL) that episode-worker processes anywhere.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/episode-config';
import { runSeasonLocally } from '../season/local-runner';
import type { SeasonEvent, SeasonSummary } from '../season/season-events';
import { diskFacts, loadSeason, type Season } from '../season/season-file';
import { cancelSeason, followSeason } from '../season/queue/season-queue';
import type { SeasonCliOptions } from './args';
import { SeasonReport } from './season-report';

const EXIT = { ok: 0, failure: 1, cancelled: 130 } as const;

export async function runSeasonCli(o: SeasonCliOptions): Promise<number> {
  const fail = (message: string) => {
    if (o.json) process.stdout.write(JSON.stringify({ type: 'error', message }) + '\n');
    process.stderr.write(`episode-run: ${message}\n`);
    return EXIT.failure;
  };
  let season: Season;
  try {
    season = loadSeason(readSeasonText(o.file), o.file, diskFacts);
  } catch (e) {
    return fail((e as Error).message);
  }
  const queue = o.queue ?? season.queue;
  if (!queue && (o.cancel || o.detach)) return fail(`--${o.cancel ? 'cancel' : 'detach'} is for a season on a queue: give --queue URL or set \`queue\` in ${o.file}.`);

  const report = !o.json && !o.quiet ? new SeasonReport(process.stderr, !!process.stderr.isTTY) : undefined;
  const onEvent = (e: SeasonEvent) => {
    if (o.json) process.stdout.write(JSON.stringify(e) + '\n');
    else report?.update(e);
  };
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (process.channel) {
    process.channel.unref();
    process.once('disconnect', onSignal);
  }
  try {
    let summary: SeasonSummary | undefined;
    if (!queue) {
      summary = await runSeasonLocally(season, { jobs: o.jobs ?? season.jobs, signal: abort.signal, onEvent });
    } else if (o.cancel) {
      summary = await cancelSeason(season, queue, { onEvent });
    } else {
      const followed = await followSeason(season, queue, { detach: o.detach, signal: abort.signal, onEvent });
      // Detached: the jobs go on without us; say how to come back.
      if (followed.detached) {
        if (!o.json) process.stderr.write(`${followed.detached}\n`);
        return EXIT.ok;
      }
      summary = followed.summary;
    }
    if (!summary) return fail(`no season run of ${season.name} on ${queue} to cancel.`);
    report?.finish(summary, season.summaryDir);
    return summary.state === 'completed' ? EXIT.ok : summary.state === 'cancelled' ? EXIT.cancelled : EXIT.failure;
  } catch (e) {
    return fail((e as Error).message);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function readSeasonText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`Season file not found: ${file}`);
  }
}
