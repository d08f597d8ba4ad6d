/**
 * CloudManager: the cloud-provider IP ranges of one app — loaded cache-first through a store,
 * refreshed in the background, matched with a binary-searched range index.
 *
 * Decisions where the Python original is weak (each one tested):
 * - One instance per app (`new CloudManager(config)`), never a process singleton, so two apps or
 *   two configs in one process do not share ranges or a refresh lock.
 * - A failed fetch (network, HTTP status, timeout, unusable payload, or a feed with no valid
 *   prefix) keeps the last good ranges and is recorded in `getStatus()`; nothing is cached.
 * - A Redis outage does not stop refresh: a store read that fails is logged and the provider is
 *   fetched anyway; a store write that fails is logged and the fetched ranges stay in use.
 * - Order: the fetched ranges are installed in memory **first**, then written to the store.
 *   Fresh data from the provider is better than what was loaded before, whatever the state of
 *   the shared cache, and the next refresh retries the write.
 * - A corrupt cached entry (any entry that is not a valid CIDR, or an empty set) is a miss: the
 *   provider is fetched and the entry overwritten, instead of failing on every refresh until the
 *   TTL runs out.
 * - A cache hit records when it was loaded (`lastRefreshed`, `source: 'store'`).
 * - `getCloudProviderDetails` returns the most specific network across all requested providers;
 *   an identical network listed by two providers goes to the first in `CLOUD_PROVIDERS` order —
 *   never to whichever a set iteration happens to visit first.
 * - Unknown provider names throw `GuardInputError` instead of being ignored.
 */
import { parseIp } from '../../core/cloud/ip.js';
import { RangeIndex, type BuiltRangeIndex } from '../../core/cloud/range-index.js';
import { CloudRangeSet, providerMask, type CloudMatch } from '../../core/cloud/range-set.js';
import { parseSecurityConfig, type SecurityConfig, type SecurityConfigInput } from '../../core/config.js';
import { GuardInputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { CLOUD_PROVIDERS, requireProviders, type CloudProvider } from '../../core/providers.js';
import { describe } from '../../core/validate.js';
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';
import { fetchHttpClient, type HttpClient } from '../seams/http.js';
import { runInBackground } from '../support/background.js';
import { SingleFlight } from '../support/single-flight.js';
import { fetchProviderRanges } from './feeds.js';
import { InMemoryCloudIpStore } from './in-memory-store.js';
import { readCachedRanges, writeCachedRanges, type RangeCacheTarget } from './range-cache.js';
import {
  diffCounts,
  type CloudProviderStatus,
  type CloudStatus,
  type ProviderRefreshReport,
  type RangeSource,
} from '../../core/cloud/status.js';
import type { CloudIpStoreProtocol } from './store-protocol.js';

/** Minimum time between two "no ranges loaded" warnings for one provider, as in the original. */
const EMPTY_RANGES_WARNING_COOLDOWN_MS = 300_000;

/** Each provider's bit in a selection mask (the order of `CLOUD_PROVIDERS`, as `CloudRangeSet` uses). */
const PROVIDER_BIT: ReadonlyMap<string, number> = new Map(CLOUD_PROVIDERS.map((p, i) => [p, 1 << i]));

/** Optional collaborators of a {@link CloudManager}. */
export interface CloudManagerOptions {
  /** Downloads the feeds; default: the built-in fetch client. Tests and offline tools replace it. */
  readonly http?: HttpClient;
  /**
   * The cache of ranges shared between processes. Default: a new `InMemoryCloudIpStore`. `null`
   * selects the legacy path: the `cloud_ranges` namespace of `redis` when given, else no cache.
   */
  readonly store?: CloudIpStoreProtocol | null;
  /** The Redis handler of the legacy path (used only while the store is `null`). */
  readonly redis?: RedisHandlerProtocol | null;
  /**
   * Feed URL per provider, over `config.cloudFeedUrls` and the defaults. Any URL the `http` client
   * understands (the CLI passes `file:` URLs to its file-reading client).
   */
  readonly feedUrls?: Readonly<Partial<Record<CloudProvider, string>>>;
  /** Wall clock in milliseconds since the epoch (default `Date.now`); inject one in tests. */
  readonly clock?: () => number;
}

/** Options of one {@link CloudManager.refresh}. */
export interface RefreshOptions {
  /**
   * Fetch even when the store holds a valid set (the CLI's `refresh`). The cached set is still
   * read, as the baseline of the added/removed counts when nothing is loaded in memory yet.
   */
  readonly force?: boolean;
  /** Called once per provider as soon as that provider is done (progress reporting). */
  readonly onProvider?: (report: ProviderRefreshReport) => void;
}

interface Loaded {
  readonly index: RangeIndex;
  readonly source: RangeSource;
  readonly at: number;
}

/** Holds, refreshes and matches the cloud-provider ranges of one app. */
export class CloudManager {
  /** The validated configuration (TTL, default providers, feed URLs and timeout, logger). */
  readonly config: SecurityConfig;
  private readonly logger: Logger;
  private readonly http: HttpClient;
  private readonly feedUrls: Readonly<Partial<Record<CloudProvider, string>>>;
  private readonly clock: () => number;
  private cache: { store: CloudIpStoreProtocol | null; redis: RedisHandlerProtocol | null };
  private readonly loaded = new Map<CloudProvider, Loaded>();
  private readonly errors = new Map<CloudProvider, string>();
  private readonly emptyWarnedAt = new Map<CloudProvider, number>();
  private readonly flights = new Map<string, SingleFlight<ProviderRefreshReport>>();
  // Every provider's ranges in one index (one binary search per lookup), rebuilt after changes.
  private combined: CloudRangeSet | null = CloudRangeSet.EMPTY;
  private scheduled = false;
  private readonly defaultProviders: readonly CloudProvider[];
  private readonly defaultMask: number;
  private loadedMask = 0;

  /** Validates `config` (throws `GuardConfigError`); loads nothing until a refresh. */
  constructor(config: SecurityConfigInput | SecurityConfig = {}, options: CloudManagerOptions = {}) {
    this.config = parseSecurityConfig(config);
    this.logger = this.config.logger;
    this.http = options.http ?? fetchHttpClient;
    this.feedUrls = { ...this.config.cloudFeedUrls, ...options.feedUrls };
    this.clock = options.clock ?? Date.now;
    const configured = this.config.blockCloudProviders;
    this.defaultProviders = configured.size > 0 ? requireProviders(configured) : CLOUD_PROVIDERS;
    this.defaultMask = providerMask(this.defaultProviders);
    this.cache = {
      store: options.store === undefined ? new InMemoryCloudIpStore() : requireStore(options.store),
      redis: options.redis ?? null,
    };
  }

  /** The store in use; `null` on the legacy path. */
  get store(): CloudIpStoreProtocol | null {
    return this.cache.store;
  }

  /** Replaces the store (`null` selects the legacy `cloud_ranges` path). Loaded ranges are kept. */
  setStore(store: CloudIpStoreProtocol | null): void {
    this.cache = { ...this.cache, store: requireStore(store) };
  }

  /** Sets the Redis handler the legacy path reads and writes (only used while the store is `null`). */
  setRedisHandler(redis: RedisHandlerProtocol | null): void {
    this.cache = { ...this.cache, redis };
  }

  /** True while a refresh started by {@link scheduleRefresh} is running. */
  get refreshInFlight(): boolean {
    return this.scheduled;
  }

  /**
   * Loads each provider cache-first: a valid cached set is installed as is; a miss (or a corrupt
   * entry) fetches the feed, installs it and stores it with TTL = `cloudIpRefreshInterval`.
   * Never rejects because of a feed or the store: each provider's outcome is in the report (in
   * `CLOUD_PROVIDERS` order). Concurrent refreshes of one provider share one fetch.
   *
   * @param providers default: `config.blockCloudProviders`, or all six when that is empty.
   */
  async refresh(providers?: Iterable<string>, options: RefreshOptions = {}): Promise<ProviderRefreshReport[]> {
    const list = this.providersOf(providers);
    const force = options.force === true;
    const reports = await Promise.all(
      list.map((provider) => this.refreshReported(provider, force, options.onProvider)),
    );
    this.rangeSet(); // rebuild the combined index now, not during the next request
    return reports;
  }

  /**
   * Starts {@link refresh} in the background unless one started here is still running, and says
   * whether it started one (single-flight: a burst of requests triggers one refresh). Never throws
   * for the refresh itself; its failures are logged. Bad `providers` throw before anything starts.
   */
  scheduleRefresh(providers?: Iterable<string>): boolean {
    const list = this.providersOf(providers);
    if (this.scheduled) return false;
    this.scheduled = true;
    runInBackground(
      async () => {
        try {
          await this.refresh(list);
        } finally {
          this.scheduled = false;
        }
      },
      (error) => this.logger.error(`Background cloud IP refresh failed: ${errorText(error)}`),
    );
    return true;
  }

  /**
   * True when `ip` lies in a network of one of `providers` (default: `config.blockCloudProviders`,
   * or all six when that is empty). An unparseable address is not a cloud address (`false`);
   * IPv4-mapped IPv6 matches the IPv4 ranges.
   */
  isCloudIp(ip: string, providers?: Iterable<string>): boolean {
    return this.match(ip, providers) !== null;
  }

  /**
   * The provider and most specific network containing `ip` among `providers` (same default as
   * {@link isCloudIp}), or `null`. Deterministic: the longest prefix wins; an identical network
   * listed by two providers goes to the first in `CLOUD_PROVIDERS` order.
   */
  getCloudProviderDetails(ip: string, providers?: Iterable<string>): CloudMatch | null {
    return this.match(ip, providers);
  }

  /** The loaded networks of `provider` (an empty index before the first load). */
  getRanges(provider: CloudProvider): RangeIndex {
    const [name] = requireProviders([provider], 'provider');
    return (name && this.loaded.get(name)?.index) ?? RangeIndex.EMPTY;
  }

  /** Status of all six providers. */
  getStatus(): CloudStatus {
    const status = {} as Record<CloudProvider, CloudProviderStatus>;
    for (const provider of CLOUD_PROVIDERS) {
      const loaded = this.loaded.get(provider);
      status[provider] = {
        ready: (loaded?.index.size ?? 0) > 0,
        entries: loaded?.index.size ?? 0,
        lastRefreshed: loaded ? new Date(loaded.at) : null,
        source: loaded?.source ?? null,
        lastError: this.errors.get(provider) ?? null,
      };
    }
    return status;
  }

  private providersOf(providers: Iterable<string> | undefined): readonly CloudProvider[] {
    return providers === undefined ? this.defaultProviders : requireProviders(providers);
  }

  private async refreshReported(
    provider: CloudProvider,
    force: boolean,
    onProvider: ((report: ProviderRefreshReport) => void) | undefined,
  ): Promise<ProviderRefreshReport> {
    const key = `${provider}:${force ? 'force' : 'cache'}`;
    let flight = this.flights.get(key);
    if (flight === undefined) {
      flight = new SingleFlight<ProviderRefreshReport>();
      this.flights.set(key, flight);
    }
    const report = await flight.run(() => this.refreshProvider(provider, force));
    if (onProvider) onProvider(report);
    return report;
  }

  private async refreshProvider(provider: CloudProvider, force: boolean): Promise<ProviderRefreshReport> {
    const target: RangeCacheTarget = this.cache;
    const before = this.loaded.get(provider)?.index ?? RangeIndex.EMPTY;
    let storeError: string | null = null;
    let cachedIndex: RangeIndex | null = null;
    try {
      const read = await readCachedRanges(target, provider);
      if (read.kind === 'hit') cachedIndex = read.index;
      if (read.kind === 'hit' && !force) return this.installCached(provider, before, read.index, read.source);
      if (read.kind === 'corrupt') {
        this.logger.warn(`Ignoring corrupt cached ${provider} IP ranges (${read.detail}); fetching them again`);
      }
    } catch (error) {
      storeError = `store read failed: ${errorText(error)}`;
      this.logger.warn(`Could not read cached ${provider} IP ranges (${errorText(error)}); fetching them instead`);
    }
    const baseline = before.size > 0 || cachedIndex === null ? before : cachedIndex;
    return this.fetchAndInstall(provider, target, baseline, storeError);
  }

  private installCached(
    provider: CloudProvider,
    before: RangeIndex,
    index: RangeIndex,
    source: RangeSource,
  ): ProviderRefreshReport {
    const { added, removed } = diffCounts(before.cidrs(), index.cidrs());
    this.install(provider, index, source, added, removed);
    return {
      provider,
      outcome: 'store',
      entries: index.size,
      added,
      removed,
      skipped: 0,
      stored: false,
      error: null,
      storeError: null,
    };
  }

  private async fetchAndInstall(
    provider: CloudProvider,
    target: RangeCacheTarget,
    baseline: RangeIndex,
    storeError: string | null,
  ): Promise<ProviderRefreshReport> {
    let built: BuiltRangeIndex;
    let skipped: number;
    try {
      const feed = await fetchProviderRanges(provider, {
        http: this.http,
        url: this.feedUrls[provider],
        timeoutMs: this.config.cloudFeedTimeoutMs,
        logger: this.logger,
      });
      built = RangeIndex.build(feed.ranges);
      skipped = feed.skipped + built.skipped.length;
    } catch (error) {
      return this.fail(provider, `fetch failed: ${errorText(error)}`, storeError);
    }
    if (built.index.size === 0) return this.fail(provider, 'the feed holds no valid prefix', storeError);
    const { added, removed } = diffCounts(baseline.cidrs(), built.index.cidrs());
    this.install(provider, built.index, 'fetch', added, removed);
    let stored = false;
    try {
      stored = await writeCachedRanges(target, provider, built.index.cidrs(), this.config.cloudIpRefreshInterval);
    } catch (error) {
      storeError = `store write failed: ${errorText(error)}`;
      this.errors.set(provider, storeError);
      this.logger.warn(
        `Could not cache ${provider} IP ranges (${errorText(error)}); keeping the fetched ranges in memory`,
      );
    }
    const entries = built.index.size;
    return { provider, outcome: 'fetched', entries, added, removed, skipped, stored, error: null, storeError };
  }

  private fail(provider: CloudProvider, error: string, storeError: string | null): ProviderRefreshReport {
    const kept = this.loaded.get(provider)?.index.size ?? 0;
    this.errors.set(provider, error);
    this.logger.warn(
      `Failed to refresh ${provider} IP ranges (${error}); ` +
        (kept > 0 ? `keeping the ${kept} ranges already loaded` : 'no ranges loaded for it yet'),
    );
    return {
      provider,
      outcome: 'failed',
      entries: kept,
      added: 0,
      removed: 0,
      skipped: 0,
      stored: false,
      error,
      storeError,
    };
  }

  private install(
    provider: CloudProvider,
    index: RangeIndex,
    source: RangeSource,
    added: number,
    removed: number,
  ): void {
    const first = !this.loaded.has(provider);
    this.loaded.set(provider, { index, source, at: this.clock() });
    this.loadedMask |= PROVIDER_BIT.get(provider) ?? 0;
    this.combined = null;
    this.errors.delete(provider);
    if (added > 0 || removed > 0) {
      const from = source === 'fetch' ? 'feed' : source === 'store' ? 'store' : 'legacy cloud_ranges key';
      this.logger.info(
        `Cloud IP range update for ${provider}: +${added} added, -${removed} removed (${index.size} in use, from the ${from})`,
        { provider, added, removed, entries: index.size, source, first },
      );
    }
  }

  private match(ip: string, providers: Iterable<string> | undefined): CloudMatch | null {
    if (typeof ip !== 'string') throw new GuardInputError('ip', `expected a string, got ${describe(ip)}`);
    const mask = this.maskOf(providers);
    const parsed = parseIp(ip);
    if (parsed === null) {
      this.logger.debug(`Not a valid IP address: ${JSON.stringify(ip.slice(0, 64))}`);
      return null;
    }
    const missing = mask & ~this.loadedMask;
    if (missing !== 0) this.warnEmpty(missing);
    return this.rangeSet().find(parsed, mask);
  }

  /** The selection mask of `providers`, validated without allocating (this runs once per request). */
  private maskOf(providers: Iterable<string> | undefined): number {
    if (providers === undefined) return this.defaultMask;
    if (typeof providers !== 'object' || providers === null) requireProviders(providers); // throws the usual error
    let mask = 0;
    for (const name of providers) {
      const bit = PROVIDER_BIT.get(name);
      if (bit === undefined) requireProviders([name]); // throws, naming it
      mask |= bit ?? 0;
    }
    return mask;
  }

  private rangeSet(): CloudRangeSet {
    if (this.combined === null) {
      const ranges = new Map<CloudProvider, RangeIndex>();
      for (const [provider, loaded] of this.loaded) ranges.set(provider, loaded.index);
      this.combined = CloudRangeSet.from(ranges);
    }
    return this.combined;
  }

  private warnEmpty(missing: number): void {
    const now = this.clock();
    CLOUD_PROVIDERS.forEach((provider, i) => {
      if ((missing & (1 << i)) === 0) return;
      const last = this.emptyWarnedAt.get(provider);
      if (last !== undefined && now - last < EMPTY_RANGES_WARNING_COOLDOWN_MS) return;
      this.emptyWarnedAt.set(provider, now);
      this.logger.warn(
        `No ${provider} IP ranges loaded: addresses of ${provider} are not detected until a refresh succeeds`,
      );
    });
  }
}

function requireStore(store: CloudIpStoreProtocol | null): CloudIpStoreProtocol | null {
  if (store === null) return null;
  const shape = store as unknown as Record<string, unknown>;
  if (typeof store !== 'object' || !['get', 'set', 'clear'].every((m) => typeof shape[m] === 'function')) {
    throw new GuardInputError('store', `expected a cloud-IP store (get, set, clear) or null, got ${describe(store)}`);
  }
  return store;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
