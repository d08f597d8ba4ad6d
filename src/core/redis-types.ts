/**
 * Plain-data types of the Redis seam. They carry no functions, so they cross the sync
 * bridge's worker boundary unchanged and both APIs share them.
 */

/** How to reach Redis. Built from a {@link SecurityConfig} by `connectionOptionsOf`. */
export interface RedisConnectionOptions {
  /** Standalone server URL (`redis://` or `rediss://`); ignored when `clusterNodes` is set. */
  readonly url: string | null;
  /** Seed node URLs of a Redis Cluster, or null for a single server. */
  readonly clusterNodes: readonly string[] | null;
  /** Bound on establishing the connection (TCP + ready check), in milliseconds. */
  readonly connectTimeoutMs: number;
  /** Bound on any single command's reply, in milliseconds. */
  readonly commandTimeoutMs: number;
  /** How many times a command may be retried across a reconnect (0 = never). */
  readonly retries: number;
}

/** One page of a cursor SCAN. `cursor` is `'0'` when the scan is complete. */
export interface ScanPage {
  readonly cursor: string;
  readonly keys: readonly string[];
}
