/**
 * What the bridge worker does for the sync API: it owns the real ioredis connections and the
 * fetch client of the async API, and runs one seam call per request (one Redis round trip, one
 * HTTP request), so the sync mirror pays one thread crossing per round trip.
 */
import { GuardBridgeError, GuardRedisError } from '../../core/errors.js';
import type { RedisConnectionOptions } from '../../core/redis-types.js';
import { fetchHttpClient, type HttpRequestOptions } from '../../async/seams/http.js';
import { openRedisConnection, type RedisConnection } from '../../async/seams/redis.js';
import type { BridgeHandler } from '../protocol.js';

const connections = new Map<number, RedisConnection>();
let nextHandle = 1;

function connection(handle: unknown): RedisConnection {
  const found = connections.get(handle as number);
  if (found === undefined) throw new GuardRedisError(503, 'Redis connection closed');
  return found;
}

/** One handler per seam method; the args are the method's own, after the connection handle. */
const redisMethods: Readonly<Record<string, (c: RedisConnection, args: readonly unknown[]) => Promise<unknown>>> = {
  ping: (c) => c.ping(),
  get: (c, [key]) => c.get(key as string),
  set: (c, [key, value, ttl]) => c.set(key as string, value as string, ttl as number | null),
  incr: (c, [key, ttl]) => c.incr(key as string, ttl as number | null),
  exists: (c, [key]) => c.exists(key as string),
  del: (c, [key]) => c.del(key as string),
  pttl: (c, [key]) => c.pttl(key as string),
  scan: (c, [match, cursor, count]) => c.scan(match as string, cursor as string, count as number),
  unlink: (c, [keys]) => c.unlink(keys as string[]),
};

const redisHandlers = Object.fromEntries(
  Object.entries(redisMethods).map(([method, run]): [string, BridgeHandler] => [
    `redis.${method}`,
    ([handle, ...args]) => run(connection(handle), args),
  ]),
);

/** The operations the sync seams call. */
export const handlers: Readonly<Record<string, BridgeHandler>> = {
  ...redisHandlers,
  'redis.open': async ([options]) => {
    const opened = await openRedisConnection(options as RedisConnectionOptions);
    const handle = nextHandle++;
    connections.set(handle, opened);
    return handle;
  },
  'redis.close': async ([handle]) => {
    const found = connections.get(handle as number);
    connections.delete(handle as number);
    await found?.close();
    return null;
  },
  'http.getText': ([url, options]) => {
    if (typeof url !== 'string') throw new GuardBridgeError('http.getText needs a URL string', 'http.getText');
    return fetchHttpClient.getText(url, options as HttpRequestOptions | undefined);
  },
};

/** Closes every connection (QUIT) before the worker is terminated. */
export async function shutdown(): Promise<void> {
  const open = [...connections.values()];
  connections.clear();
  await Promise.all(open.map((c) => c.close()));
}
