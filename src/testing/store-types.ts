/**
 * The shapes of what the kit checks: a store (async or sync) and the ways to hand one over.
 */
import type { CloudIpStoreProtocol } from '../async/cloud/store-protocol.js';

/**
 * The sync protocol, structurally (the same shape as `SyncCloudIpStoreProtocol` of
 * `guard-core/sync`); declared here so the kit does not load the sync API to check a store.
 */
export interface SyncCloudIpStoreShape {
  /** The cached set for `provider`; `null` when absent or expired. */
  get(provider: string): Set<string> | null;
  /** Replaces the set for `provider`; `ttl` in whole seconds, omitted or `null` = no expiry. */
  set(provider: string, ranges: Iterable<string>, ttl?: number | null): void;
  /** Drops every entry this store owns (and nothing else). */
  clear(): void;
}

/** Any store the kit can check: the async protocol or its sync twin. */
export type ConformanceStore = CloudIpStoreProtocol | SyncCloudIpStoreShape;

/** What a factory receives: a prefix no other store of this run uses. */
export interface StoreFactoryContext {
  /**
   * A fresh namespace label, e.g. `gc-conf-3f9a01-12`. Prefix-isolation checks append
   * suffixes with glob and separator characters (`*`, `?`, `[x]`, `\`, `:`, `%`, unicode), so
   * map it to your backend's namespace one to one, encoding the characters your backend cannot
   * hold — `encodePrefix(prefix, ':')` does that (e.g. for `RedisCloudIpStore`'s keyPrefix).
   */
  readonly prefix: string;
}

/** Makes one store per run, each under its own prefix; `dispose` (optional) releases it. */
export interface StoreFactory<S extends ConformanceStore = ConformanceStore> {
  /** A store whose data is isolated from stores made with other prefixes. */
  make(context: StoreFactoryContext): S | Promise<S>;
  /** Called once the kit is done with a store it made (after its `clear`). */
  dispose?(store: S): unknown;
}

/**
 * What `runStoreConformance`/`checkStoreConformance` accept: a store instance (the kit clears
 * it before and after every run), a factory object, or a bare factory function.
 */
export type StoreTarget<S extends ConformanceStore = ConformanceStore> =
  S | StoreFactory<S> | ((context: StoreFactoryContext) => S | Promise<S>);

/** Whether the store's methods return values (`sync`) or promises (`async`). */
export type StoreMode = 'sync' | 'async';
