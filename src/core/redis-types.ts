/**
 * Plain-data types of the Redis seam. They carry no functions, so they cross the sync
 * bridge's worker boundary unchanged and both APIs share them.
 */

/**
 * TLS settings for `rediss://` connections (standalone and every cluster node). Each of `ca`,
 * `cert` and `key` is either PEM text (it starts with `-----BEGIN`) or the path of a PEM file,
 * read when a connection is opened (so a renewed certificate is picked up by the next connect).
 * `key` and `passphrase` are secrets: they never appear in an error, a log line or `util.inspect`.
 */
export interface RedisTlsOptions {
  /** Certificate authorities that may sign the server's certificate; `null` = Node's default roots. */
  readonly ca: readonly string[] | null;
  /** Client certificate chain for mutual TLS (with `key`). */
  readonly cert: string | null;
  /** Client private key for mutual TLS (with `cert`). Secret. */
  readonly key: string | null;
  /** Passphrase of an encrypted `key`. Secret. */
  readonly passphrase: string | null;
  /** Name the server's certificate must carry (and SNI); `null` = the URL's host. */
  readonly servername: string | null;
  /** Refuse a server whose certificate does not verify (default true; false only for tests). */
  readonly rejectUnauthorized: boolean;
}

/**
 * Redis Sentinel: the sentinels to ask for the current master of the group `masterName`. The
 * data servers' credentials and database come from the connection's `url` (its host and port
 * are not used). `username` and `password` are the sentinels' own (secrets: never in an error, a
 * log line or `util.inspect`).
 */
export interface RedisSentinelOptions {
  /** The sentinels, each `host:port` (see `parseSentinelAddress`). */
  readonly sentinels: readonly string[];
  /** The master group name the sentinels monitor (`sentinel monitor <name> …`). */
  readonly masterName: string;
  /** User name for AUTH on the sentinels (ACL), or null. */
  readonly username: string | null;
  /** Password for AUTH on the sentinels, or null. Secret. */
  readonly password: string | null;
}

/** How to reach Redis. Built from a {@link SecurityConfig} by the RedisManager. */
export interface RedisConnectionOptions {
  /**
   * Standalone server URL (`redis://` or `rediss://`); ignored when `clusterNodes` is set. With
   * `sentinel`, only its credentials and database are used (the sentinels name the master).
   */
  readonly url: string | null;
  /** Seed node URLs of a Redis Cluster, or null for a single server. */
  readonly clusterNodes: readonly string[] | null;
  /**
   * Bound on establishing the transport, in milliseconds: TCP connect plus the TLS handshake. The
   * first round trip after it (AUTH, SELECT and the PING of `initialize()`, pipelined) is a
   * command, bounded by `commandTimeoutMs`. Over Sentinel it bounds each connection: to every
   * sentinel tried (whose answer is bounded by `commandTimeoutMs`) and to the master.
   */
  readonly connectTimeoutMs: number;
  /** Bound on any single command's reply, in milliseconds. */
  readonly commandTimeoutMs: number;
  /** How many times a command may be retried across a reconnect (0 = never). */
  readonly retries: number;
  /** TLS settings for `rediss://` URLs; absent or `null` = Node's defaults. */
  readonly tls?: RedisTlsOptions | null;
  /** Redis Sentinel: follow the master the sentinels name; absent or `null` = not Sentinel. */
  readonly sentinel?: RedisSentinelOptions | null;
}

/** One page of a cursor SCAN. `cursor` is `'0'` when the scan is complete. */
export interface ScanPage {
  /** The cursor of the next page; `'0'` when the scan is complete. */
  readonly cursor: string;
  /** The keys of this page (full names, prefix included; a key may come twice in one scan). */
  readonly keys: readonly string[];
}

/**
 * A Redis reply as the seam returns it: bulk and status replies as strings, integers as numbers,
 * nil as `null`, multi-bulk replies as arrays. Plain data, so it crosses the sync bridge.
 */
export type RedisReply = string | number | null | readonly RedisReply[];

/** A command argument: strings as they are, numbers in decimal. */
export type RedisArg = string | number;

/**
 * One Lua script per atomic operation (the rate-limiter-flexible pattern). Plain data: the seam
 * runs it by SHA-1 (`EVALSHA`), and a `NOSCRIPT` reply (after `SCRIPT FLUSH`, a restart or a
 * failover) is answered by one `EVAL` that reloads the script and runs it in the same round trip.
 * Every key a script touches must be passed in `keys` (and, on a cluster, hash to one slot).
 */
export interface RedisScript {
  /** Unique name (`rateLimit.check`…); the same name must always carry the same source. */
  readonly name: string;
  /** The Lua source. */
  readonly lua: string;
}

/**
 * What a pub/sub subscription received since the previous drain. `gap` is true when messages
 * may have been lost since then (the subscriber was disconnected, or more than `capacity`
 * messages arrived): a consumer that mirrors state must then resync from Redis. `live` is
 * false while the subscriber is not connected.
 */
export interface SubscriptionBatch {
  /** The messages received, oldest first. */
  readonly messages: readonly string[];
  /** True when messages may have been lost since the previous drain (resync). */
  readonly gap: boolean;
  /** True while the subscriber is connected and subscribed. */
  readonly live: boolean;
}
