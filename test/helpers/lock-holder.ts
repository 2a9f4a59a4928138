// A separate process that takes an episode's lock, as another run would:
//   node --import tsx test/helpers/lock-holder.ts EPISODE_DIR HOLD_MS
// Prints `held <tookOver pid or ->` or `busy <message>` on one line, then holds the lock for
// HOLD_MS (or until killed) and releases it.
import { EpisodeBusyError, EpisodeLock } from '../../server/engine/manifests/episode-lock';
import { EpisodeLayout } from '../../server/engine/manifests/layout';

async function main(): Promise<void> {
  const [dir, holdMs] = process.argv.slice(2);
  try {
    const lock = await EpisodeLock.acquire(EpisodeLayout.of(dir), { purpose: 'test holder', runId: `pid${process.pid}` });
    console.log(`held ${lock.tookOver?.pid ?? '-'}`);
    await new Promise((r) => setTimeout(r, Number(holdMs)));
    await lock.release();
  } catch (e) {
    if (!(e instanceof EpisodeBusyError)) throw e;
    console.log(`busy ${e.message}`);
  }
}

void main();
