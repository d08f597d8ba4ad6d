/**
 * The cloud API (CloudManager, HandlerInitializer, legacy migration) as a test parameter, so one
 * test body runs against the async API and its generated sync mirror. `await` on a plain value is
 * harmless; failures are captured from a throw or a rejection alike (`captureFailure`).
 */
import * as asyncApi from '../../src/index.js';
import type {
  CloudMatch,
  CloudStatus,
  InitializationResult,
  InitializationStatus,
  LegacyMigrationEntry,
  LegacyMigrationOptions,
  ProviderRefreshReport,
  RangeIndex,
  SecurityConfigInput,
} from '../../src/index.js';
import * as syncApi from '../../src/sync.js';
import type { Awaitable, ManagerUnderTest, StoreUnderTest } from '../support/apis.js';

/** CloudManager as both APIs expose it. */
export interface CloudManagerUnderTest {
  readonly store: StoreUnderTest | null;
  readonly refreshInFlight: boolean;
  setStore(store: StoreUnderTest | null): void;
  setRedisHandler(redis: ManagerUnderTest | null): void;
  refresh(
    providers?: Iterable<string>,
    options?: { force?: boolean; onProvider?: (report: ProviderRefreshReport) => void },
  ): Awaitable<ProviderRefreshReport[]>;
  scheduleRefresh(providers?: Iterable<string>): boolean;
  isCloudIp(ip: string, providers?: Iterable<string>): boolean;
  getCloudProviderDetails(ip: string, providers?: Iterable<string>): CloudMatch | null;
  getRanges(provider: string): RangeIndex;
  getStatus(): CloudStatus;
}

/** Options a test passes to a CloudManager. */
export interface CloudManagerOptionsUnderTest {
  readonly store?: StoreUnderTest | null;
  readonly redis?: ManagerUnderTest | null;
  readonly feedUrls?: Record<string, string>;
  readonly clock?: () => number;
}

/** HandlerInitializer as both APIs expose it. */
export interface InitializerUnderTest {
  readonly cloud: CloudManagerUnderTest;
  readonly redisHandler: ManagerUnderTest | null;
  initializeRedisHandlers(): Awaitable<InitializationResult>;
  getInitializationStatus(): InitializationStatus;
  close(): Awaitable<void>;
}

/** A store whose reads and writes can be made to fail, and that records what it was asked. */
export interface FlakyStore {
  readonly store: StoreUnderTest;
  failReads: boolean;
  failWrites: boolean;
  /** Called on every `set`, before it stores (or fails). */
  onSet: ((provider: string) => void) | null;
  readonly calls: string[];
}

/** One API reduced to what the cloud tests need. */
export interface CloudApiUnderTest {
  readonly name: string;
  createCloudManager(config: SecurityConfigInput, options?: CloudManagerOptionsUnderTest): CloudManagerUnderTest;
  createInitializer(config: SecurityConfigInput, options?: { redis?: ManagerUnderTest | null }): InitializerUnderTest;
  createRedisManager(config: SecurityConfigInput): ManagerUnderTest;
  createRedisStore(handler: ManagerUnderTest, keyPrefix?: string): StoreUnderTest;
  createInMemoryStore(): StoreUnderTest;
  /** A store built on this API's in-memory store, with switchable failures (sync methods for the sync API). */
  createFlakyStore(): FlakyStore;
  migrateLegacy(redis: ManagerUnderTest, options?: LegacyMigrationOptions): Awaitable<LegacyMigrationEntry[]>;
  /** The API's store classes, for `instanceof` checks. */
  readonly InMemoryCloudIpStore: abstract new (...args: never[]) => unknown;
  readonly RedisCloudIpStore: abstract new (...args: never[]) => unknown;
}

/** The sync API's module shape, as far as these tests use it (typed loosely: it is generated). */
type ApiModule = typeof asyncApi;

/** Builds the test view of one API module (`guard-core` or `guard-core/sync`). */
export function cloudApiOf(name: string, api: ApiModule, sync: boolean): CloudApiUnderTest {
  const loose = api as unknown as Record<string, new (...args: unknown[]) => unknown> & {
    migrateLegacyCloudRanges: (redis: unknown, options?: LegacyMigrationOptions) => Awaitable<LegacyMigrationEntry[]>;
  };
  return {
    name,
    createCloudManager: (config, options) => new loose.CloudManager!(config, options) as CloudManagerUnderTest,
    createInitializer: (config, options) => new loose.HandlerInitializer!(config, options) as InitializerUnderTest,
    createRedisManager: (config) => new loose.RedisManager!(config) as ManagerUnderTest,
    createRedisStore: (handler, keyPrefix) => new loose.RedisCloudIpStore!(handler, keyPrefix) as StoreUnderTest,
    createInMemoryStore: () => new loose.InMemoryCloudIpStore!() as StoreUnderTest,
    createFlakyStore: () => flakyStore(new loose.InMemoryCloudIpStore!() as StoreUnderTest, sync),
    migrateLegacy: (redis, options) => loose.migrateLegacyCloudRanges(redis, options),
    InMemoryCloudIpStore: loose.InMemoryCloudIpStore!,
    RedisCloudIpStore: loose.RedisCloudIpStore!,
  };
}

function flakyStore(inner: StoreUnderTest, sync: boolean): FlakyStore {
  const state: FlakyStore = {
    failReads: false,
    failWrites: false,
    onSet: null,
    calls: [],
    store: null as unknown as StoreUnderTest,
  };
  const get = (provider: string) => {
    state.calls.push(`get ${provider}`);
    if (state.failReads) throw new Error('simulated store read failure');
    return inner.get(provider);
  };
  const set = (provider: string, ranges: Iterable<string>, ttl?: number | null) => {
    state.calls.push(`set ${provider}`);
    state.onSet?.(provider);
    if (state.failWrites) throw new Error('simulated store write failure');
    return inner.set(provider, ranges, ttl);
  };
  const clear = () => inner.clear();
  (state as { store: StoreUnderTest }).store = sync
    ? { get, set, clear }
    : { get: async (p) => get(p), set: async (p, r, t) => set(p, r, t), clear: async () => clear() };
  return state;
}

/** The async API. */
export const asyncCloudApi: CloudApiUnderTest = cloudApiOf('async', asyncApi, false);

/**
 * The sync API (`guard-core/sync`): the generated mirror over the worker-thread bridge. Its worker
 * runs from `dist/`, so `npm run build` must have run (`npm test` does).
 */
export const syncCloudApi: CloudApiUnderTest = cloudApiOf('sync', syncApi as unknown as ApiModule, true);

/** Every API the cloud tests run against. */
export const cloudApis: readonly CloudApiUnderTest[] = [asyncCloudApi, syncCloudApi];
