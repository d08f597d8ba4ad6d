/**
 * What the bridge worker does for the sync API: it owns the real ioredis connections and the
 * fetch client of the async API, and runs one seam call per request (one Redis round trip, one
 * HTTP request), so the sync mirror pays one thread crossing per round trip.
 */
import { GuardBridgeError, GuardRedisError } from '../../core/errors.js';
import type { RedisArg, RedisConnectionOptions, RedisScript } from '../../core/redis-types.js';
import { fetchHttpClient, type HttpRequestOptions } from '../../async/seams/http.js';
import { openRedisConnection, type RedisConnection, type RedisSubscription } from '../../async/seams/redis.js';
import type { BridgeHandler } from '../protocol.js';

const connections = new Map<number, RedisConnection>();
const subscriptions = new Map<number, RedisSubscription>();
/** Scripts by name, sent once per worker by each caller-side connection (`redis.defineScript`). */
const scripts = new Map<string, RedisScript>();
let nextHandle = 1;

function script(name: unknown): RedisScript {
  const found = scripts.get(name as string);
  if (found === undefined) throw new GuardBridgeError(`unknown script ${String(name)}`, 'redis.runScript');
  return found;
}

function subscription(id: unknown): RedisSubscription {
  const found = subscriptions.get(id as number);
  if (found === undefined) throw new GuardRedisError(503, 'Redis subscription closed');
  return found;
}

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
  runScript: (c, [name, keys, args]) => c.runScript(script(name), keys as string[], args as RedisArg[]),
  call: (c, [command, args]) => c.call(command as string, ...(args as RedisArg[])),
  publish: (c, [channel, message]) => c.publish(channel as string, message as string),
  subscribe: async (c, [channel, capacity]) => {
    const opened = await c.subscribe(channel as string, capacity as number);
    const id = nextHandle++;
    subscriptions.set(id, opened);
    return id;
  },
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
  'redis.defineScript': ([name, lua]) => {
    scripts.set(name as string, { name: name as string, lua: lua as string });
    return null;
  },
  // The worker may have been parked (server.ts) while messages reached its socket: one turn of the
  // event loop reads them into the subscription's buffer before it is drained.
  'redis.drain': async ([id]) => {
    await nextTurn();
    return subscription(id).drain();
  },
  'redis.unsubscribe': async ([id]) => {
    const found = subscriptions.get(id as number);
    subscriptions.delete(id as number);
    await found?.close();
    return null;
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

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Closes every connection (QUIT) before the worker is terminated. */
export async function shutdown(): Promise<void> {
  const open = [...connections.values(), ...subscriptions.values()];
  connections.clear();
  subscriptions.clear();
  await Promise.all(open.map((c) => c.close()));
}
