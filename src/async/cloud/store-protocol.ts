/**
 * The pluggable backend for cached cloud-provider IP ranges.
 */
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';

/**
 * A cache of CIDR sets per provider. Implement it to keep ranges in DynamoDB, SQL, a file…
 * and check your implementation with `runStoreConformance` from `guard-core/testing`.
 */
export interface CloudIpStoreProtocol {
  /** The cached set for `provider`; `null` when absent or expired. An empty set means "known, no ranges". */
  get(provider: string): Promise<Set<string> | null>;
  /** Replaces the set for `provider`; `ttl` (whole seconds) bounds its life, omitted = no expiry. */
  set(provider: string, ranges: Iterable<string>, ttl?: number | null): Promise<void>;
  /** Drops every entry this store owns (and nothing else). */
  clear(): Promise<void>;
  /**
   * Optional: the cached value told apart from a value in a format this store cannot read
   * (`foreign`), which `get` reports as a miss. A `CloudManager` never writes over a `foreign`
   * value — it may belong to another (newer) program sharing the backend. Stores without it are
   * read through `get`.
   */
  read?(provider: string): Promise<CloudIpStoreRead>;
}

/** What {@link CloudIpStoreProtocol.read} found. */
export type CloudIpStoreRead =
  | { readonly kind: 'absent' }
  | { readonly kind: 'entries'; readonly entries: Set<string> }
  | { readonly kind: 'foreign'; readonly detail: string };

/** Builds a store from the live Redis handler once Redis is up. */
export type CloudIpStoreFactory = (redis: RedisHandlerProtocol) => CloudIpStoreProtocol;
