// Connections to the queue's Redis. A first contact fails fast with one clear line (ioredis
// would otherwise retry for ever); once connected, a lost connection is retried, so workers and
// followers ride out a Redis restart.
import { Redis, type RedisOptions } from 'ioredis';

/** The BullMQ queue every season uses; a Redis URL's database number separates teams. */
export const QUEUE_NAME = 'episode-lab';
/** Our own keys beside BullMQ's. */
export const KEY_PREFIX = 'episode-lab';

const FIRST_CONTACT_MS = 3000;
/** Reconnect after 0.5 s, 1 s, … at most every 5 s. */
const reconnectDelay = (times: number) => Math.min(times * 500, 5000);

/** A URL without its password, for messages and season.json. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/**
 * Connects to Redis and checks it answers, within 3 s, or throws one line that says why.
 * Returns a connection that reconnects when lost later, as BullMQ needs (no per-command retry limit).
 */
export async function connectRedis(url: string, name: string): Promise<Redis> {
  const options: RedisOptions = {
    lazyConnect: true, connectTimeout: FIRST_CONTACT_MS, maxRetriesPerRequest: null, connectionName: name, disconnectTimeout: 200,
    // No retries until the first contact has worked: an unreachable URL must fail, not hang.
    retryStrategy: () => null,
  };
  const client = new Redis(url, options);
  // The socket's own error says why (connect() only says the connection closed); later ones are
  // reconnects, which the worker and follower log themselves.
  let cause: Error | undefined;
  client.on('error', (e: Error) => (cause ??= e));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${FIRST_CONTACT_MS / 1000} s`)), FIRST_CONTACT_MS);
      }),
    ]);
  } catch (e) {
    client.disconnect();
    throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${describeError((cause ?? e) as NodeJS.ErrnoException)}`);
  } finally {
    clearTimeout(timer);
  }
  client.options.retryStrategy = reconnectDelay;
  return client;
}

function describeError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ECONNREFUSED': return 'connection refused (is redis-server running on that port?)';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'host not found';
    case 'ETIMEDOUT': return `no answer within ${FIRST_CONTACT_MS / 1000} s`;
    default: return e.message.split('\n')[0];
  }
}
