/**
 * The {@link RedisConnection} seam over ioredis, tuned to fail fast: no offline queue (a
 * command sent while disconnected rejects at once instead of piling up), bounded connect and
 * command timeouts, few retries, no silent re-send of in-flight commands (an INCR whose reply
 * was lost must not count twice), and endless capped reconnects so a restarted Redis is
 * picked up again without user action.
 */
import { Cluster, Redis, ReplyError, type Result } from 'ioredis';
import calculateSlot from 'cluster-key-slot';
import { createHash } from 'node:crypto';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { GuardInputError, GuardRedisClusterError, GuardRedisError } from '../../core/errors.js';
import { requireScript } from '../../core/redis/script-args.js';
import { describeRedisTarget, scrubError } from '../../core/redact.js';
import {
  clusterScanCursor,
  describeRanges,
  indexesBySlot,
  parseClusterScanCursor,
  planClusterSlots,
  slotRanges,
  type ClusterSlotPlan,
} from '../../core/redis/cluster-slots.js';
import { failureReason } from '../../core/redis/reply-errors.js';
import {
  connectBudgetMs,
  DEFAULT_SENTINEL_PORT,
  formatSentinelAddress,
  monitoredMasters,
  roleOf,
  sentinelAddresses,
  sentinelSecretsUrl,
} from '../../core/redis/sentinel.js';
import type {
  RedisSentinelOptions,
  RedisArg,
  RedisConnectionOptions,
  RedisReply,
  RedisScript,
  ScanPage,
  SubscriptionBatch,
} from '../../core/redis-types.js';
import { createClient } from './ioredis-client.js';
import type { RedisConnection, RedisSubscription } from './redis.js';
import { SENTINEL_TLS_PROBE_MS, probeSentinelTls } from './sentinel-tls-probe.js';
import { SENTINEL_HOLD_MAX_MS, SentinelFailoverWatch } from './sentinel-watch.js';
import { INCR_WITH_TTL } from './scripts.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    guardIncr(key: string, ttlSeconds: string): Result<number, Context>;
  }
}

type Client = Redis | Cluster;

/**
 * Connects with ioredis and resolves once the transport is up (TCP, then the TLS handshake for
 * `rediss://`), bounded by `connectTimeoutMs`. There is no separate ready check: AUTH and SELECT
 * are pipelined ahead of the caller's first command (the manager's PING), whose reply — bounded
 * by `commandTimeoutMs` — reports a wrong password or a server still loading. Aborting `signal`
 * (the manager's `close()`) tears the client down at once, during the connect or that first PING.
 *
 * Over Redis Sentinel (`options.sentinel`) ioredis first asks the sentinels for the master (each
 * tried once, see `connectBudgetMs`), and the connection then watches them to follow failovers
 * (`SentinelFailoverWatch`). The first PING also checks, in the same round trip, that the server
 * is not a sentinel (see `IoredisConnection.ping`).
 */
export async function openIoredisConnection(
  options: RedisConnectionOptions,
  signal?: AbortSignal,
): Promise<RedisConnection> {
  const client = createClient(options);
  const where = describeRedisTarget(options);
  const connection = new IoredisConnection(client, options, { owned: true, bounded: false });
  const abort = (): void => client.disconnect();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    if (signal?.aborted) throw new GuardRedisError(503, 'Redis connection closed while connecting');
    await withDeadline(client.connect(), connectBudgetMs(options), `connecting to ${where}`, signal);
  } catch (error) {
    signal?.removeEventListener('abort', abort);
    client.disconnect();
    if (signal?.aborted) throw new GuardRedisError(503, `Redis connection closed while connecting (${where})`);
    // connect() itself reports a failed connect as a bare "Connection is closed."; the 'error'
    // event kept the real reason (ECONNREFUSED, a TLS verification failure…).
    const cause = scrub(connection.lastError ?? error, options);
    const tlsReason = await sentinelTlsReason(client, options, signal);
    const reason = tlsReason === null ? transportReason(cause) : `${transportReason(cause)} (${tlsReason})`;
    throw new GuardRedisError(503, `Redis connection failed (${where}): ${reason}`, { cause });
  }
  connection.releaseOnClose(() => signal?.removeEventListener('abort', abort));
  connection.opened();
  return connection;
}

/**
 * An `OpenRedisConnection` that also takes an `AbortSignal`: the manager's `close()` aborts
 * a connect in progress with it. Assignable to `OpenRedisConnection`.
 */
export type AbortableOpenRedisConnection = (
  options: RedisConnectionOptions,
  signal?: AbortSignal,
) => Promise<RedisConnection>;

/** Wraps an existing ioredis client (or ioredis-mock) as a {@link RedisConnection}; for tests and advanced users. */
export function connectionFromClient(client: Client, options: RedisConnectionOptions): RedisConnection {
  return new IoredisConnection(client, options, { owned: true, bounded: false });
}

/** Options of {@link useIoredisClient}. */
export interface UseIoredisClientOptions {
  /**
   * Close (QUIT) the client when the manager closes. Default false: the client is the caller's,
   * who closes it. The pub/sub connections the package duplicates from it are always closed.
   */
  readonly closeClient?: boolean;
}

/**
 * An opener (`RedisManagerOptions.openConnection`) that runs the manager over an ioredis `Redis`
 * or `Cluster` the application already owns, as it is: its address, credentials, TLS and
 * options are the client's (`redisUrl`, `redisTls` and `redisRetries` are not used;
 * `redisCommandTimeoutMs` and `redisConnectTimeoutMs` are).
 *
 * Fail-fast: every command the package sends is bounded by `redisCommandTimeoutMs` (a
 * `GuardRedisError` 503 when no reply came in time) whatever the client's own settings. A
 * client with an offline queue (ioredis' default) keeps a timed-out command queued and sends it
 * when it reconnects, so an INCR may still count later; give it `enableOfflineQueue: false` to
 * have the package's own guarantees exactly. A client whose `status` is `wait` (lazyConnect) is
 * connected; one that was closed (`end`) is refused. A client with a `keyPrefix` is refused
 * (`GuardInputError`): SCAN patterns ignore it; use `redisPrefix`. A Sentinel client
 * (`new Redis({ sentinels, name })`) gets the package's failover hold: its sentinels are watched,
 * and from a `+try-failover` until the client is on the new master operations fail fast with a
 * 503 instead of being acknowledged by a master the failover drops. Async API only: the sync API
 * talks to Redis from its bridge worker, where the caller's client cannot go.
 */
export function useIoredisClient(
  client: Redis | Cluster,
  settings: UseIoredisClientOptions = {},
): AbortableOpenRedisConnection {
  if (!(client instanceof Redis) && !(client instanceof Cluster)) {
    throw new GuardInputError('client', 'expected an ioredis Redis or Cluster instance');
  }
  if (client.options.keyPrefix) {
    throw new GuardInputError('client', 'an ioredis client with keyPrefix is not supported: use redisPrefix');
  }
  const sentinel = sentinelOfClient(client);
  return async (options, signal) => {
    await whenReady(client, options.connectTimeoutMs, signal);
    const connection = new IoredisConnection(client, options, { owned: settings.closeClient === true, bounded: true });
    if (sentinel !== null) connection.followSentinels(sentinel);
    return connection;
  };
}

/**
 * The Sentinel settings of a caller's ioredis Sentinel client (`new Redis({ sentinels, name })`),
 * so that the package holds operations during a failover on it as on its own clients; `null` for
 * any other client.
 */
function sentinelOfClient(client: Redis | Cluster): RedisSentinelOptions | null {
  if (client instanceof Cluster) return null;
  const { sentinels, name, sentinelUsername, sentinelPassword } = client.options;
  if (!sentinels || sentinels.length === 0 || !name) return null;
  return {
    sentinels: sentinels.map(({ host, port }) =>
      formatSentinelAddress({ host: host ?? 'localhost', port: port ?? DEFAULT_SENTINEL_PORT }),
    ),
    masterName: name,
    username: sentinelUsername ?? null,
    password: sentinelPassword ?? null,
  };
}

/**
 * The TLS options a Sentinel client reaches its sentinels with (`sentinelTLS`), or null: set by
 * `createClient` for `rediss://` sentinels, or by the owner of a caller's client. The failover
 * watch and the failure probe use the same, so they reach the sentinels as the client does.
 */
function sentinelTlsOf(client: Redis | Cluster): TlsConnectionOptions | null {
  return client instanceof Cluster ? null : (client.options.sentinelTLS ?? null);
}

/** How an {@link IoredisConnection} treats its client. */
interface ClientTerms {
  /** Close the client on close() (false for a caller's client unless asked). */
  readonly owned: boolean;
  /** Bound every round trip with commandTimeoutMs here (a caller's client may have no timeout). */
  readonly bounded: boolean;
}

class IoredisConnection implements RedisConnection {
  /** The last transport error the client reported since the last reply (only for clients the package owns). */
  lastError: unknown = null;
  /** On a cluster: the last error each node (`host:port`) reported, to say why a scan could not reach it. */
  private readonly nodeErrors = new Map<string, unknown>();
  /** Keeps each cluster node's last error; removed on close() (a caller's Cluster outlives this connection). */
  private readonly noteNodeError = (error: unknown, address: unknown): void => {
    if (typeof address === 'string') this.nodeErrors.set(address, error);
  };
  /** A round trip failed: close() then drops the socket instead of waiting for a QUIT reply. */
  private suspect = false;
  private onClose: (() => void) | null = null;
  /** The next PING also runs ROLE (set by the opener for the clients it creates). */
  private verifyRole = false;
  /** Follows the sentinels' failovers (Sentinel clients the package owns). */
  private watch: SentinelFailoverWatch | null = null;

  constructor(
    private readonly client: Client,
    private readonly options: RedisConnectionOptions,
    private readonly terms: ClientTerms,
  ) {
    client.defineCommand('guardIncr', { numberOfKeys: 1, lua: INCR_WITH_TTL });
    if (client instanceof Cluster) client.on('node error', this.noteNodeError);
    // On our own client the listener also silences ioredis' console output; a caller's client
    // keeps whatever error handling its owner gave it.
    if (terms.owned && !terms.bounded) {
      // Cleared by the next reply, not by 'ready': over TLS 1.3 the client is ready before the
      // server has judged its certificate, so a refused certificate comes after each 'ready'.
      client.on('error', (error: unknown) => {
        this.lastError = error;
      });
    }
  }

  /** What `util.inspect` shows: never the client's options (they hold the password and TLS key). */
  [Symbol.for('nodejs.util.inspect.custom')](): Record<string, unknown> {
    return this.publicView();
  }

  /** The secret-free view `util.inspect` and `JSON.stringify` show. */
  private publicView(): Record<string, unknown> {
    return { target: describeRedisTarget(this.options), status: this.client.status, owned: this.terms.owned };
  }

  /** What `JSON.stringify` shows: the same secret-free view. */
  toJSON(): Record<string, unknown> {
    return this.publicView();
  }

  /** True for an ioredis `Cluster` (scripts must then keep to one hash slot per call). */
  get cluster(): boolean {
    return this.client instanceof Cluster;
  }

  /** Runs `release` once, when the connection closes. */
  releaseOnClose(release: () => void): void {
    this.onClose = release;
  }

  /** The opener connected this (its own) client: check the role at the first PING, watch the sentinels. */
  opened(): void {
    if (this.client instanceof Cluster) return;
    this.verifyRole = true;
    if (this.options.sentinel) this.followSentinels(this.options.sentinel);
  }

  /** Holds operations during the failovers of `sentinel`'s master group (see `sentinel-watch.ts`). */
  followSentinels(sentinel: RedisSentinelOptions): void {
    if (this.client instanceof Cluster || this.watch !== null) return;
    this.watch = new SentinelFailoverWatch(this.client, {
      sentinel,
      tls: sentinelTlsOf(this.client),
      connectTimeoutMs: this.options.connectTimeoutMs,
    });
  }

  /**
   * PING. The first PING of a connection the opener made also sends ROLE, pipelined (both are
   * written before either reply arrives), so it costs no extra round trip on a slow link. A
   * sentinel answers PING like a data server but refuses every key command: a `redisUrl` that
   * points at one fails here, naming `redisSentinels`, instead of failing every operation later.
   * ROLE refused (NOPERM under an ACL, an unknown command behind a proxy) means "not a sentinel".
   */
  async ping(): Promise<void> {
    const client = this.client;
    if (!this.verifyRole || client instanceof Cluster) {
      await this.run(() => client.ping());
      return;
    }
    const [, reply] = await this.run(() => Promise.all([client.ping(), roleOrNull(client)]));
    this.verifyRole = false;
    this.checkRole(reply);
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
    return this.unlinkPerSlot(this.client, keys);
  }

  async runScript(script: RedisScript, keys: readonly string[], args: readonly RedisArg[]): Promise<RedisReply> {
    // Written without the generic run() wrapper: this is the per-request path of every
    // subsystem, and one closure and await hop fewer is measurable there.
    if (this.watch?.holding) await this.refuseDuringFailover();
    const sha = scriptSha(script); // before the try: a bad script is the caller's error, not a transport failure
    try {
      const sent = this.client.evalsha(sha, keys.length, ...keys, ...args);
      // A caller's client may have no command timeout of its own: bound the reply here.
      return toReply(
        await (this.terms.bounded ? withDeadline(sent, this.options.commandTimeoutMs, 'waiting for a reply') : sent),
      );
    } catch (error) {
      if (!isNoScript(error)) throw this.transportFailure(error);
    }
    // The server lost its script cache (SCRIPT FLUSH, restart, failover): EVAL runs the script
    // and caches it again, so the next call is back on EVALSHA.
    const client = this.client;
    return toReply(await this.run(() => client.eval(script.lua, keys.length, ...keys, ...args)));
  }

  async call(command: string, ...args: RedisArg[]): Promise<RedisReply> {
    const client = this.client;
    return toReply(await this.run(() => client.call(command, ...args)));
  }

  publish(channel: string, message: string): Promise<number> {
    return this.run(() => this.client.publish(channel, message));
  }

  async subscribe(channel: string, capacity: number): Promise<RedisSubscription> {
    // Over Sentinel the subscriber follows +switch-master with ioredis' detector: it only reads,
    // so nothing needs holding, and it reconnects to the new master (reporting a gap).
    const subscriber =
      this.client instanceof Redis && this.options.sentinel
        ? this.client.duplicate({ failoverDetector: true })
        : this.client.duplicate();
    const subscription = new IoredisSubscription(subscriber, channel, capacity);
    try {
      // Our duplicate inherits lazyConnect and no offline queue: connect it, then subscribe. A
      // caller's client may not be lazy, so its duplicate may already be connecting.
      const ready = whenReady(subscriber, this.options.connectTimeoutMs).then(() => subscriber.subscribe(channel));
      await withDeadline(
        ready,
        this.options.connectTimeoutMs + this.options.commandTimeoutMs,
        `subscribing to ${channel}`,
      );
    } catch (error) {
      await subscription.close();
      throw new GuardRedisError(503, `Redis subscribe failed (${describeRedisTarget(this.options)})`, {
        cause: scrub(error, this.options),
      });
    }
    return subscription;
  }

  async close(): Promise<void> {
    this.onClose?.();
    this.onClose = null;
    this.watch?.close();
    this.watch = null;
    if (this.client instanceof Cluster) this.client.off('node error', this.noteNodeError);
    if (!this.terms.owned) return; // the caller's client: theirs to close
    try {
      if (this.client.status === 'ready' && !this.suspect) {
        await withDeadline(this.client.quit(), this.options.commandTimeoutMs, 'closing the connection');
      }
    } catch {
      // Closing is best effort; the socket is torn down below either way.
    } finally {
      this.client.disconnect();
    }
  }

  /**
   * One page of a scan over every primary of a cluster. The primaries are those the client's slot
   * table names for the 16384 slots (ioredis' connection pool drops a dead primary, so walking the
   * pool would skip its keys and report a partial result as complete). The first page PINGs
   * every primary, so a primary already down fails the scan before anything is read or deleted;
   * a slot without a primary, a primary that fails mid-scan, or a slot map that changed between
   * pages (failover, resharding) rejects with `GuardRedisClusterError` (503).
   *
   * Cursor: `<node cursor>@<host:port>@<slot-map fingerprint>` (see `cluster-slots.ts`): the
   * primary is named by address, so a refreshed slot table cannot silently point it at another.
   */
  private async scanCluster(cluster: Cluster, match: string, cursor: string, count: number): Promise<ScanPage> {
    let plan = planClusterSlots(cluster.slots);
    if (cursor === '0' && plan.primaries.some((address) => primaryAt(cluster, address) === undefined)) {
      // ioredis forgets a primary whose connection ended until its next slot refresh: refresh now,
      // so a primary that is back is connected again (and one still down fails its PING below).
      await this.refreshSlots(cluster);
      plan = planClusterSlots(cluster.slots);
    }
    if (plan.uncovered.length > 0) {
      throw new GuardRedisClusterError(
        `Redis Cluster scan could not reach every primary: slots ${describeRanges(plan.uncovered)} have no primary ` +
          `in the client's slot table (cluster not ready or degraded); a partial result would be wrong`,
        [],
        plan.uncovered,
      );
    }
    let address: string;
    let nodeCursor: string;
    if (cursor === '0') {
      await this.requireEveryPrimary(cluster, plan);
      address = plan.primaries[0]!;
      nodeCursor = '0';
    } else {
      const position = parseClusterScanCursor(cursor);
      if (position.fingerprint !== plan.fingerprint) {
        throw new GuardRedisClusterError(
          'Redis Cluster scan could not reach every primary: the slot map changed during the scan ' +
            '(a failover or a resharding), so keys may have moved to primaries already scanned; retry the operation',
        );
      }
      address = position.address;
      nodeCursor = position.nodeCursor;
    }
    const node = primaryAt(cluster, address);
    if (node === undefined) {
      throw this.unreachablePrimaries(plan, [[address, this.whyUnreachable(address, null)]], 'during the scan');
    }
    let reply: [string, string[]];
    try {
      reply = await this.run(() => node.scan(nodeCursor, 'MATCH', match, 'COUNT', count));
    } catch (error) {
      throw this.unreachablePrimaries(plan, [[address, this.whyUnreachable(address, error)]], 'during the scan', error);
    }
    const [next, keys] = reply;
    const { fingerprint } = plan;
    if (next !== '0') return { cursor: clusterScanCursor({ nodeCursor: next, address, fingerprint }), keys };
    const following = plan.primaries[plan.primaries.indexOf(address) + 1];
    if (following === undefined) return { cursor: '0', keys };
    return { cursor: clusterScanCursor({ nodeCursor: '0', address: following, fingerprint }), keys };
  }

  /** Reloads the client's slot table (CLUSTER SLOTS); a failure leaves the old one, which the caller checks. */
  private async refreshSlots(cluster: Cluster): Promise<void> {
    const refreshed = new Promise<void>((resolve) => cluster.refreshSlotsCache(() => resolve()));
    const bound = this.options.connectTimeoutMs + this.options.commandTimeoutMs;
    await withDeadline(refreshed, bound, 'refreshing the cluster slot map').catch(() => undefined);
  }

  /** PINGs every primary of `plan` at once; rejects naming each one missing or failing. */
  private async requireEveryPrimary(cluster: Cluster, plan: ClusterSlotPlan): Promise<void> {
    const settled = await Promise.allSettled(
      plan.primaries.map(async (address) => {
        const node = primaryAt(cluster, address);
        if (node === undefined) throw new Error('not connected');
        await this.run(() => node.ping());
        this.nodeErrors.delete(address);
      }),
    );
    const failed: [string, string][] = [];
    let cause: unknown;
    settled.forEach((result, i) => {
      if (result.status === 'fulfilled') return;
      const address = plan.primaries[i]!;
      failed.push([address, this.whyUnreachable(address, result.reason)]);
      cause ??= result.reason;
    });
    if (failed.length > 0) throw this.unreachablePrimaries(plan, failed, 'before the scan started', cause);
  }

  /**
   * Why `address` could not be reached: the failure's own reason, unless it only says the
   * connection is closed (or there was no connection), then with the node's last reported error
   * (`ECONNREFUSED`…) when there is one.
   */
  private whyUnreachable(address: string, error: unknown): string {
    const reason = error === null ? 'not connected' : nodeFailureReason(error);
    const last = this.nodeErrors.get(address);
    if (last === undefined || !/not connected|connection is closed/i.test(reason)) return reason;
    return `${reason.replace(/\.$/, '')} (last error: ${failureReason(scrub(last, this.options))})`;
  }

  /** The typed error naming each unreachable primary, the slots it serves, and why. */
  private unreachablePrimaries(
    plan: ClusterSlotPlan,
    failed: readonly (readonly [address: string, reason: string])[],
    when: string,
    cause?: unknown,
  ): GuardRedisClusterError {
    const slots = failed.flatMap(([address]) => plan.rangesOf.get(address) ?? []);
    const nodes = failed
      .map(([address, reason]) => `${address} (slots ${describeRanges(plan.rangesOf.get(address) ?? [])}): ${reason}`)
      .join('; ');
    return new GuardRedisClusterError(
      `Redis Cluster scan could not reach every primary (${when}): ${nodes}; rejected instead of returning a partial result`,
      failed.map(([address]) => address),
      slots,
      cause === undefined ? undefined : { cause: scrub(cause, this.options) },
    );
  }

  /**
   * UNLINK on a cluster: one command per slot (a multi-slot UNLINK is refused with CROSSSLOT),
   * all sent at once. If any slot fails the whole call rejects with `GuardRedisClusterError`
   * naming the slots and their primaries — never a count of what happened to succeed.
   */
  private async unlinkPerSlot(cluster: Cluster, keys: readonly string[]): Promise<number> {
    const groups = indexesBySlot(keys).map((positions) => positions.map((i) => keys[i]!));
    const settled = await Promise.allSettled(groups.map((group) => this.run(() => cluster.unlink(...group))));
    let removed = 0;
    const failedSlots: number[] = [];
    let cause: unknown;
    settled.forEach((result, i) => {
      if (result.status === 'fulfilled') removed += result.value;
      else {
        failedSlots.push(calculateSlot(groups[i]![0]!));
        cause ??= result.reason;
      }
    });
    if (failedSlots.length === 0) return removed;
    const primaries = [...new Set(failedSlots.map((slot) => cluster.slots[slot]?.[0] ?? 'no primary'))];
    const ranges = slotRanges(failedSlots);
    throw new GuardRedisClusterError(
      `Redis Cluster delete could not reach every primary: UNLINK failed in slots ${describeRanges(ranges)} ` +
        `(${primaries.join(', ')}): ${nodeFailureReason(cause)}; ${removed} key(s) were deleted in the other slots`,
      primaries.filter((p) => p !== 'no primary'),
      ranges,
      { cause: scrub(cause, this.options) },
    );
  }

  /** Fails the connect when the server is a sentinel (or, over Sentinel, a replica); see ping(). */
  private checkRole(reply: unknown): void {
    const role = roleOf(reply);
    const target = describeRedisTarget(this.options);
    if (role === 'sentinel') {
      const masters = monitoredMasters(reply);
      const address = this.options.url === null ? null : new URL(this.options.url).host;
      const example = address === null ? '' : `: ${JSON.stringify(address)}`;
      const monitored =
        masters.length === 0 ? '' : ` (it monitors ${masters.map((m) => JSON.stringify(m)).join(', ')})`;
      throw new GuardRedisError(
        503,
        `Redis connection failed (${target}): this address is a Redis Sentinel, not a data server; it answers ` +
          `PING but no key command. Set redisSentinels${example} and redisSentinelMasterName${monitored} ` +
          'to reach the master it monitors',
      );
    }
    if (role === 'slave' && this.options.sentinel) {
      throw new GuardRedisError(
        503,
        `Redis connection failed (${target}): the sentinels named a replica as the master (a failover under way?); ` +
          'the next attempt asks them again',
      );
    }
  }

  /**
   * A Sentinel failover is under way (see `SentinelFailoverWatch`): the operation is refused at
   * once. One turn of the event loop first, so that a caller retrying in a tight loop (the sync
   * API's worker answers such a call without any I/O) never starves the sentinels' messages.
   */
  private async refuseDuringFailover(): Promise<never> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    throw new GuardRedisError(
      503,
      `Redis failover in progress (${describeRedisTarget(this.options)}): operations are refused until the ` +
        `client reaches the new master (at most ${SENTINEL_HOLD_MAX_MS} ms)`,
    );
  }

  /** Runs one round trip and turns transport failures and timeouts into GuardRedisError 503. */
  private async run<T>(command: () => Promise<T>): Promise<T> {
    if (this.watch?.holding) await this.refuseDuringFailover();
    try {
      const reply = this.terms.bounded
        ? await withDeadline(command(), this.options.commandTimeoutMs, 'waiting for a reply')
        : await command();
      this.lastError = null;
      return reply;
    } catch (error) {
      throw this.transportFailure(error);
    }
  }

  /** A reply error as it is (the manager classifies it); anything else as GuardRedisError 503. */
  private transportFailure(error: unknown): unknown {
    if (error instanceof ReplyError) {
      this.lastError = null; // the server answered: the link works
      return error;
    }
    const timedOut = error instanceof Error && /timed out/i.test(error.message);
    const cause = scrub(error, this.options);
    const target = describeRedisTarget(this.options);
    // A connection lost under a command is reported as "Connection is closed."; the 'error'
    // event said why (a TLS alert such as a refused client certificate, a reset…).
    const lost = /connection is closed|isn't writeable/i.test(failureReason(cause));
    const why = lost && this.lastError !== null ? this.lastError : cause;
    this.suspect = true;
    const last =
      this.lastError === null ? '' : `; last connection error: ${transportReason(scrub(this.lastError, this.options))}`;
    const detail = timedOut
      ? `Redis command timed out (${target})${last}`
      : `Redis connection failed (${target}): ${transportReason(scrub(why, this.options))}`;
    return new GuardRedisError(503, detail, { cause });
  }
}

/**
 * A subscriber connection (a duplicate of the command client, reconnecting and resubscribing by
 * itself) and the bounded buffer of what it received. A disconnect, a reconnect or an overflow
 * is reported as a gap, so a consumer mirroring state knows to resync.
 */
class IoredisSubscription implements RedisSubscription {
  private buffer: string[] = [];
  private gap = false;
  private closed = false;

  constructor(
    private readonly client: Client,
    private readonly channel: string,
    private readonly capacity: number,
  ) {
    client.on('error', () => undefined); // reconnects on its own; drain() reports the state
    client.on('message', (from: string, message: string) => this.receive(from, message));
    client.on('close', () => {
      this.gap = true;
    });
    client.on('ready', () => {
      this.gap = true; // whatever was published while we were away is lost
    });
  }

  /** What `util.inspect` shows: never the client's options (they hold the password and TLS key). */
  [Symbol.for('nodejs.util.inspect.custom')](): Record<string, unknown> {
    return this.publicView();
  }

  /** The secret-free view `util.inspect` and `JSON.stringify` show. */
  private publicView(): Record<string, unknown> {
    return { channel: this.channel, capacity: this.capacity, buffered: this.buffer.length, closed: this.closed };
  }

  /** What `JSON.stringify` shows: the same secret-free view. */
  toJSON(): Record<string, unknown> {
    return this.publicView();
  }

  drain(): Promise<SubscriptionBatch> {
    const messages = this.buffer;
    this.buffer = [];
    const gap = this.gap;
    this.gap = false;
    return Promise.resolve({ messages, gap, live: !this.closed && this.client.status === 'ready' });
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.buffer = [];
      this.client.disconnect();
    }
    return Promise.resolve();
  }

  private receive(from: string, message: string): void {
    if (from !== this.channel || this.closed) return;
    if (this.buffer.length >= this.capacity) this.gap = true;
    else this.buffer.push(message);
  }
}

/** ROLE's reply, or null when the server refused it (NOPERM, unknown command). */
async function roleOrNull(client: Redis): Promise<unknown> {
  try {
    return await client.call('ROLE');
  } catch (error) {
    if (error instanceof ReplyError) return null;
    throw error;
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof ReplyError && (error as Error).message.startsWith('NOSCRIPT');
}

const shaCache = new Map<string, { lua: string; sha: string }>();

/**
 * The SHA-1 of a script, computed once. A script not seen yet is checked by `requireScript`, the
 * one registry of "one name, one source" that `RedisManager.runScript` checks too.
 */
function scriptSha(script: RedisScript): string {
  const known = shaCache.get(script.name);
  if (known !== undefined && known.lua === script.lua) return known.sha;
  requireScript(script);
  const sha = createHash('sha1').update(script.lua).digest('hex');
  shaCache.set(script.name, { lua: script.lua, sha });
  return sha;
}

/** ioredis replies as plain seam data (Buffers never occur: replies are decoded as strings). */
function toReply(value: unknown): RedisReply {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (Array.isArray(value)) return value.map(toReply);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return typeof value === 'bigint' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

function nodeId(node: Redis): string {
  return `${node.options.host ?? ''}:${node.options.port ?? ''}`;
}

/** The client's connection to the node at `address` (`host:port`), if it holds one. */
function primaryAt(cluster: Cluster, address: string): Redis | undefined {
  return cluster.nodes('all').find((node) => nodeId(node) === address);
}

/** Why one node failed, in a short phrase: the driver's reason (`ECONNREFUSED`, a timeout, a reply). */
function nodeFailureReason(error: unknown): string {
  const inner = error instanceof GuardRedisError && error.cause !== undefined ? error.cause : error;
  return inner instanceof GuardRedisError ? inner.detail : failureReason(inner);
}

/**
 * After `client` failed to connect over TLS sentinels: what a TLS handshake with the first
 * sentinel says, when that is a TLS error (see `sentinel-tls-probe.ts`); null otherwise.
 */
async function sentinelTlsReason(
  client: Redis | Cluster,
  options: RedisConnectionOptions,
  signal?: AbortSignal,
): Promise<string | null> {
  const tls = sentinelTlsOf(client);
  const first = options.sentinel ? sentinelAddresses(options.sentinel.sentinels)[0] : undefined;
  if (tls === null || first === undefined || signal?.aborted) return null;
  const probe = await probeSentinelTls(first, tls, Math.min(SENTINEL_TLS_PROBE_MS, options.connectTimeoutMs));
  const reason = probe === null ? null : transportReason(probe);
  return reason !== null && reason.startsWith('TLS: ') ? `sentinel ${formatSentinelAddress(first)}: ${reason}` : null;
}

/** Node's TLS error codes (certificate verification, handshake alerts, OpenSSL errors). */
const TLS_ERROR_CODE = /CERT|SSL|TLS|UNABLE_TO|SELF_SIGNED|DEPTH_ZERO|HOSTNAME|ALTNAME|EPROTO/;

/** {@link failureReason}, saying "TLS" when the failure was the TLS layer's. */
function transportReason(error: unknown): string {
  const reason = failureReason(error);
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && TLS_ERROR_CODE.test(code) ? `TLS: ${reason}` : reason;
}

/**
 * Resolves once `client` is ready: connects a lazy one (`wait`), waits for one that is
 * connecting, refuses one that was closed. Bounded by `ms`; `signal` aborts the wait.
 */
async function whenReady(client: Client, ms: number, signal?: AbortSignal): Promise<void> {
  if (client.status === 'ready') return;
  if (client.status === 'end' || client.status === 'close') {
    throw new GuardRedisError(503, `Redis client is closed (status ${client.status})`);
  }
  if (client.status === 'wait') {
    await withDeadline(client.connect(), ms, 'connecting the client', signal);
    return;
  }
  const ready = new Promise<void>((resolve, reject) => {
    const onReady = (): void => {
      client.off('end', onEnd);
      resolve();
    };
    const onEnd = (): void => {
      client.off('ready', onReady);
      reject(new GuardRedisError(503, 'Redis client closed while connecting'));
    };
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
  try {
    await withDeadline(ready, ms, 'waiting for the client to be ready', signal);
  } catch (error) {
    throw error instanceof GuardRedisError
      ? error
      : new GuardRedisError(503, `Redis client not ready: ${failureReason(error)}`);
  }
}

/**
 * Removes the URL's secrets from a driver error, its `cause` chain and the members of an
 * AggregateError (Node reports a failed multi-address connect that way) before it travels anywhere.
 */
function scrub(error: unknown, options: RedisConnectionOptions): unknown {
  // Also drops AUTH's arguments (`error.command.args` holds the password) and scrubs every field.
  const sentinel = options.sentinel ? sentinelSecretsUrl(options.sentinel.username, options.sentinel.password) : null;
  return scrubError(error, [options.url, ...(options.clusterNodes ?? []), sentinel]);
}

async function withDeadline<T>(work: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  work.catch(() => undefined); // a late rejection after the deadline must not go unhandled
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
    onAbort = () => reject(new GuardRedisError(503, `Redis connection closed while ${what}`));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
