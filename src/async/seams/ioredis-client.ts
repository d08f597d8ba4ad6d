/**
 * Builds the ioredis client of a connection the package owns: standalone, cluster or Sentinel,
 * every one with the same fail-fast settings (no offline queue, bounded connect and command
 * timeouts, no re-send of in-flight commands, capped reconnects), its address and credentials
 * taken from the URL without letting URL parameters override them, and `redisTls` applied.
 */
import { Cluster, Redis, type ClusterNode } from 'ioredis';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { GuardRedisError } from '../../core/errors.js';
import { isPemText } from '../../core/validate.js';
import { sentinelAddresses, sentinelsUseTls } from '../../core/redis/sentinel.js';
import type { RedisConnectionOptions, RedisSentinelOptions, RedisTlsOptions } from '../../core/redis-types.js';

const MAX_RECONNECT_DELAY_MS = 1000;
/**
 * How long ioredis waits for a closing socket's 'close' before destroying it. Its default (2 s)
 * runs as a ref'd timer even when the socket is already gone — after a refused connect, or when
 * closing while Redis is down — so a CLI or script that failed fast would still linger 2 s.
 */
const DISCONNECT_GRACE_MS = 100;

const reconnectDelay = (attempt: number): number => Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS);

/** A new, not yet connected client for `options` (see the module notes). */
export function createClient(options: RedisConnectionOptions): Redis | Cluster {
  const tls = tlsOf(options);
  const common = {
    lazyConnect: true,
    // No INFO ready check and no CLIENT SETINFO: each was a round trip before the connection
    // counted as open (three with the PING, so a 500 ms one-way link could never connect in 2 s),
    // and a restricted ACL user that may not run INFO made ioredis print a warning to the console.
    enableReadyCheck: false,
    disableClientInfo: true,
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
      // No CLUSTER INFO ready check: with it a client cannot connect at all while a primary is
      // down (`cluster_state:fail`), so every call failed as a bare connect timeout. Without it
      // the client connects, keyed commands get the server's own answer (CLUSTERDOWN: a 503, or
      // served with cluster-require-full-coverage no), and a scan names the primary it missed.
      enableReadyCheck: false,
      redisOptions: { ...common, ...authOf(options.clusterNodes[0], tls) },
    });
  }
  if (options.sentinel) return sentinelClient(options, options.sentinel, common, tls);
  if (!options.url) throw new GuardRedisError(503, 'Redis connection failed (no redisUrl configured)');
  // The URL gives only the address and the credentials: ioredis would copy every query parameter
  // into its options *over* ours (`?commandTimeout=8000` beating redisCommandTimeoutMs), so the
  // options are built here and the safety ones always come last.
  return new Redis({
    ...addressOf(options.url, tls),
    ...common,
    retryStrategy: reconnectDelay,
    reconnectOnError: reconnectOnReadOnly,
  });
}

/**
 * An ioredis client over Redis Sentinel (role master), with every fail-fast setting of the
 * standalone client. The data servers' credentials and database come from `options.url` (its
 * host and port are not used: the sentinels name the master). TLS, with `redisTls`, to the data
 * servers when `options.url` is `rediss://`, and to the sentinels when their entries are.
 */
function sentinelClient(
  options: RedisConnectionOptions,
  sentinel: RedisSentinelOptions,
  common: Record<string, unknown>,
  tls: TlsConnectionOptions,
): Redis {
  const data = options.url === null ? {} : addressOf(options.url, tls);
  delete data.host;
  delete data.port;
  return new Redis({
    ...data,
    ...common,
    ...(data.tls ? { enableTLSForSentinelMode: true } : {}),
    ...(sentinelsUseTls(sentinel.sentinels) ? { sentinelTLS: tls } : {}),
    sentinels: sentinelAddresses(sentinel.sentinels).map(({ host, port }) => ({ host, port })),
    name: sentinel.masterName,
    role: 'master',
    ...(sentinel.username !== null ? { sentinelUsername: sentinel.username } : {}),
    ...(sentinel.password !== null ? { sentinelPassword: sentinel.password } : {}),
    sentinelCommandTimeout: options.commandTimeoutMs,
    // One pass over the sentinels per connect. ioredis walks them from where the previous connect
    // stopped, so one immediate second pass is allowed (the pass may have started at the last
    // one); after that the connect fails and the client's own retryStrategy paces the next one.
    sentinelRetryStrategy: (attempt: number) => (attempt <= 1 ? 0 : null),
    // The configured sentinels are the ones asked (and watched): no extra SENTINEL SENTINELS
    // round trip per connect.
    updateSentinels: false,
    // The command client follows failovers through SentinelFailoverWatch, which also holds
    // operations while the replica is promoted; ioredis' own detector would only react to
    // +switch-master, after the old master already acknowledged writes that will be lost.
    // Subscriber duplicates turn it on (see subscribe()).
    failoverDetector: false,
    sentinelReconnectStrategy: (attempt: number) => reconnectDelay(attempt),
    retryStrategy: reconnectDelay,
    reconnectOnError: reconnectOnReadOnly,
  });
}

/**
 * ioredis' `reconnectOnError`: a `READONLY` reply means the server this client talks to was
 * demoted to a replica (a failover). Reconnecting sends the next commands to the master the
 * sentinels name now; with a plain `redisUrl` the client can only reach the same address again.
 * The failed command is rejected, not resent (1, not 2): READONLY means it was not applied, and
 * with no offline queue a resend could not wait for the new connection anyway.
 */
function reconnectOnReadOnly(error: Error): 1 | false {
  return error.message.startsWith('READONLY') ? 1 : false;
}

/** Host, port, db, credentials and TLS of a `redis://` / `rediss://` URL; no other query parameter. */
function addressOf(url: string, tls: TlsConnectionOptions): Record<string, unknown> {
  const parsed = new URL(url);
  const query = parsed.searchParams;
  const db = parsed.pathname.length > 1 ? parsed.pathname.slice(1) : query.get('db');
  const family = Number(query.get('family'));
  const password = parsed.password ? decodeURIComponent(parsed.password) : query.get('password');
  const username = parsed.username ? decodeURIComponent(parsed.username) : query.get('username');
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, '') || 'localhost',
    port: Number(parsed.port || 6379),
    ...(db ? { db: Number(db) } : {}),
    ...(family === 4 || family === 6 ? { family } : {}),
    ...(password ? { password } : {}),
    ...(username ? { username } : {}),
    ...(query.get('connectionName') ? { connectionName: query.get('connectionName') } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls } : {}),
  };
}

function clusterNode(url: string): ClusterNode {
  const parsed = new URL(url);
  // `new URL('redis://[::1]:7000').hostname` keeps the brackets; ioredis wants the bare address.
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || 6379) };
}

function authOf(
  url: string | undefined,
  tls: TlsConnectionOptions,
): { username?: string; password?: string; tls?: TlsConnectionOptions } {
  if (!url) return {};
  const parsed = new URL(url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls } : {}),
  };
}

/**
 * Node TLS options from `redisTls`: PEM text as is, file paths read now (at every connect, so
 * a renewed certificate is used by the next connection). An unreadable file is a 503 naming the
 * field and the path, never the content.
 */
function tlsOf(options: RedisConnectionOptions): TlsConnectionOptions {
  const tls: RedisTlsOptions | null | undefined = options.tls;
  if (!tls) return {};
  return {
    ...(tls.ca ? { ca: tls.ca.map((v, i) => pemOf(`redisTls.ca[${i}]`, v)) } : {}),
    ...(tls.cert ? { cert: pemOf('redisTls.cert', tls.cert) } : {}),
    ...(tls.key ? { key: pemOf('redisTls.key', tls.key) } : {}),
    ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
    ...(tls.servername ? { servername: tls.servername } : {}),
    rejectUnauthorized: tls.rejectUnauthorized,
  };
}

function pemOf(field: string, value: string): string {
  if (isPemText(value)) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new GuardRedisError(
      503,
      `Redis TLS setup failed: cannot read ${field} (${value}): ${typeof code === 'string' ? code : 'error'}`,
    );
  }
}
