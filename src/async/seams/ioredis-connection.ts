/**
 * The {@link RedisConnection} seam over ioredis, tuned to fail fast: no offline queue (a
 * command sent while disconnected rejects at once instead of piling up), bounded connect and
 * command timeouts, few retries, no silent re-send of in-flight commands (an INCR whose reply
 * was lost must not count twice), and endless capped reconnects so a restarted Redis is
 * picked up again without user action.
 */
import { Cluster, Redis, ReplyError, type ClusterNode, type Result } from 'ioredis';
import calculateSlot from 'cluster-key-slot';
import { GuardRedisError } from '../../core/errors.js';
import { redactUrl, scrubSecrets } from '../../core/redact.js';
import type { RedisConnectionOptions, ScanPage } from '../../core/redis-types.js';
import type { RedisConnection } from './redis.js';
import { INCR_WITH_TTL } from './scripts.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    guardIncr(key: string, ttlSeconds: string): Result<number, Context>;
  }
}

type Client = Redis | Cluster;

const MAX_RECONNECT_DELAY_MS = 1000;
/**
 * How long ioredis waits for a closing socket's 'close' before destroying it. Its default (2 s)
 * runs as a ref'd timer even when the socket is already gone — after a refused connect, or when
 * closing while Redis is down — so a CLI or script that failed fast would still linger 2 s.
 */
const DISCONNECT_GRACE_MS = 100;

const reconnectDelay = (attempt: number): number => Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS);

/** Connects with ioredis and resolves once the server (or every cluster slot) is ready. */
export async function openIoredisConnection(options: RedisConnectionOptions): Promise<RedisConnection> {
  const client = createClient(options);
  const where = describeTarget(options);
  // Errors surface on the commands; the listener only silences ioredis' console output and keeps
  // the real reason of a failed connect (ECONNREFUSED, WRONGPASS…), which connect() itself
  // reports as a bare "Connection is closed.".
  let lastError: unknown = null;
  client.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await withDeadline(client.connect(), options.connectTimeoutMs, `connecting to ${where}`);
  } catch (error) {
    client.disconnect();
    const cause = scrub(lastError ?? error, options);
    const reason = cause instanceof Error ? `: ${cause.message}` : '';
    throw new GuardRedisError(503, `Redis connection failed (${where})${reason}`, { cause });
  }
  return new IoredisConnection(client, options);
}

/** Wraps an existing ioredis client (or ioredis-mock) as a {@link RedisConnection}; for tests and advanced users. */
export function connectionFromClient(client: Client, options: RedisConnectionOptions): RedisConnection {
  return new IoredisConnection(client, options);
}

function createClient(options: RedisConnectionOptions): Client {
  const common = {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs,
    commandTimeout: options.commandTimeoutMs,
    maxRetriesPerRequest: options.retries,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    disconnectTimeout: DISCONNECT_GRACE_MS,
  };
  if (options.clusterNodes) {
    return new Cluster(options.clusterNodes.map(clusterNode), {
      lazyConnect: true,
      enableOfflineQueue: false,
      slotsRefreshTimeout: options.connectTimeoutMs,
      clusterRetryStrategy: reconnectDelay,
      redisOptions: { ...common, ...authOf(options.clusterNodes[0]) },
    });
  }
  if (!options.url) throw new GuardRedisError(503, 'Redis connection failed (no redisUrl configured)');
  return new Redis(options.url, { ...common, retryStrategy: reconnectDelay });
}

class IoredisConnection implements RedisConnection {
  constructor(
    private readonly client: Client,
    private readonly options: RedisConnectionOptions,
  ) {
    client.defineCommand('guardIncr', { numberOfKeys: 1, lua: INCR_WITH_TTL });
  }

  async ping(): Promise<void> {
    await this.run(() => this.client.ping());
  }

  get(key: string): Promise<string | null> {
    return this.run(() => this.client.get(key));
  }

  async set(key: string, value: string, ttlSeconds: number | null): Promise<boolean> {
    const reply = await this.run(() =>
      ttlSeconds === null ? this.client.set(key, value) : this.client.set(key, value, 'EX', ttlSeconds),
    );
    return reply === 'OK';
  }

  incr(key: string, ttlSeconds: number | null): Promise<number> {
    return this.run(() => this.client.guardIncr(key, String(ttlSeconds ?? 0)));
  }

  async exists(key: string): Promise<boolean> {
    return (await this.run(() => this.client.exists(key))) > 0;
  }

  del(key: string): Promise<number> {
    return this.run(() => this.client.del(key));
  }

  pttl(key: string): Promise<number> {
    return this.run(() => this.client.pttl(key));
  }

  async scan(match: string, cursor: string, count: number): Promise<ScanPage> {
    if (this.client instanceof Cluster) return this.scanCluster(this.client, match, cursor, count);
    const client = this.client;
    const [next, keys] = await this.run(() => client.scan(cursor, 'MATCH', match, 'COUNT', count));
    return { cursor: next, keys };
  }

  async unlink(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    if (!(this.client instanceof Cluster)) {
      const client = this.client;
      return this.run(() => client.unlink(...keys));
    }
    // A cluster refuses multi-key commands across slots (CROSSSLOT): one UNLINK per slot.
    const cluster = this.client;
    const counts = await this.run(() =>
      Promise.all([...groupBySlot(keys).values()].map((group) => cluster.unlink(...group))),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    try {
      if (this.client.status === 'ready') {
        await withDeadline(this.client.quit(), this.options.commandTimeoutMs, 'closing the connection');
      }
    } catch {
      // Closing is best effort; the socket is torn down below either way.
    } finally {
      this.client.disconnect();
    }
  }

  /** Cluster cursor: `<primary index>:<that node's cursor>`, walking every primary in turn. */
  private async scanCluster(cluster: Cluster, match: string, cursor: string, count: number): Promise<ScanPage> {
    const primaries = cluster.nodes('master').sort((a, b) => nodeId(a).localeCompare(nodeId(b)));
    const [indexText, nodeCursor = '0'] = cursor === '0' ? ['0', '0'] : cursor.split(':');
    const index = Number(indexText);
    const node = primaries[index];
    if (!node) return { cursor: '0', keys: [] };
    const [next, keys] = await this.run(() => node.scan(nodeCursor, 'MATCH', match, 'COUNT', count));
    if (next !== '0') return { cursor: `${index}:${next}`, keys };
    return { cursor: index + 1 < primaries.length ? `${index + 1}:0` : '0', keys };
  }

  /** Runs one round trip and turns transport failures and timeouts into GuardRedisError 503. */
  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      if (error instanceof ReplyError) throw error;
      const timedOut = error instanceof Error && /timed out/i.test(error.message);
      const detail = timedOut ? 'Redis command timed out' : 'Redis connection failed';
      throw new GuardRedisError(503, `${detail} (${describeTarget(this.options)})`, {
        cause: scrub(error, this.options),
      });
    }
  }
}

function groupBySlot(keys: readonly string[]): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const key of keys) {
    const slot = calculateSlot(key);
    const group = groups.get(slot);
    if (group) group.push(key);
    else groups.set(slot, [key]);
  }
  return groups;
}

function nodeId(node: Redis): string {
  return `${node.options.host ?? ''}:${node.options.port ?? ''}`;
}

function clusterNode(url: string): ClusterNode {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 6379) };
}

function authOf(url: string | undefined): { username?: string; password?: string; tls?: object } {
  if (!url) return {};
  const parsed = new URL(url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

function describeTarget(options: RedisConnectionOptions): string {
  if (options.clusterNodes) return `cluster ${options.clusterNodes.map((u) => redactUrl(u)).join(',')}`;
  return redactUrl(options.url) ?? 'no URL';
}

/**
 * Removes the URL's secrets from a driver error, its `cause` chain and the members of an
 * AggregateError (Node reports a failed multi-address connect that way) before it travels anywhere.
 */
function scrub(error: unknown, options: RedisConnectionOptions, seen = new Set<unknown>()): unknown {
  if (!(error instanceof Error) || seen.has(error)) return error;
  seen.add(error);
  for (const url of [options.url, ...(options.clusterNodes ?? [])]) {
    error.message = scrubSecrets(error.message, url);
    if (error.stack) error.stack = scrubSecrets(error.stack, url);
  }
  scrub(error.cause, options, seen);
  if (error instanceof AggregateError) for (const inner of error.errors) scrub(inner, options, seen);
  return error;
}

async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined); // a late rejection after the deadline must not go unhandled
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
