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
 * - Never overwrite what is not understood: a cached value in a format this package cannot read
 *   losslessly (not a JSON list of strings, an entry other than `cidr` or `cidr|region`…) may
 *   belong to another program sharing the Redis (a newer Python guard-core): it is left
 *   byte-identical, logged once, and the provider is served from a fresh fetch kept in memory.
 * - Regions (`cidr|region`, AWS and GCP) are kept next to the ranges: read from the cache and the
 *   feeds, written back in the `python-v2` layout (or wherever the value read already had them),
 *   reported by `getCloudProviderDetails`, and used by the carve-outs of
 *   `config.cloudRegionCarveOuts` (`'AWS:!us-east-1'` in `blockCloudProviders`): a network of a
 *   carved-out region is not matched, so an address there is matched by an enclosing network of a
 *   region still blocked, if any. Unlike the original, `getCloudProviderDetails` honours
 *   carve-outs too, so it always explains the `isCloudIp` decision.
 * - A cache hit records when it was loaded (`lastRefreshed`, `source: 'store'`).
 * - `getCloudProviderDetails` returns the most specific network across all requested providers;
 *   an identical network listed by two providers goes to the first in `CLOUD_PROVIDERS` order —
 *   never to whichever a set iteration happens to visit first.
 * - Unknown provider names throw `GuardInputError` instead of being ignored.
 * - Every set passes the sanity rules of `config.cloudFeedLimits` (`checkRangeSanity`: shortest
 *   prefix, no reserved space, entry count, shrink/growth against the set in use) before it is
 *   installed or cached — a fetched set and a cached one alike. A rejected feed keeps the last good
 *   ranges and is logged as an error; a rejected cached set is refetched (and overwritten by a
 *   good fetch), never used.
 * - Nothing cached is trusted forever: a cached set whose content this manager has known for a
 *   whole `cloudIpRefreshInterval` without fetching is refetched, whatever TTL the store reports
 *   (an entry without a TTL — from a legacy migration or another writer — would otherwise freeze
 *   the ranges).
 */
import { parseIp } from '../../core/cloud/ip.js';
import { RangeIndex, type BuiltRangeIndex } from '../../core/cloud/range-index.js';
import { CloudRangeSet, providerMask, type CloudMatch } from '../../core/cloud/range-set.js';
import { checkRangeSanity } from '../../core/cloud/sanity.js';
import { parseSecurityConfig, type SecurityConfig, type SecurityConfigInput } from '../../core/config.js';
import { GuardInputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { redactUrl } from '../../core/redact.js';
import { CLOUD_PROVIDERS, requireProviders, type CloudProvider } from '../../core/providers.js';
import { CLOUD_EVENTS_CHANNEL, Telemetry, type AgentHandler } from '../../core/telemetry.js';
import { describe, errorText, requireOptions } from '../../core/validate.js';
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

/** The error of a refresh cut short by {@link CloudManager.close}. */
const CLOSED = 'the CloudManager was closed';

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
  /** Region of each network that has one (AWS and GCP). */
  readonly regions: ReadonlyMap<string, string>;
  readonly source: RangeSource;
  readonly at: number;
  /** When this content was last fetched from the provider, or first seen in the store (wall clock, ms). */
  readonly verifiedAt: number;
}

/** Holds, refreshes and matches the cloud-provider ranges of one app. */
export class CloudManager {
  /** The validated configuration (TTL, default providers, feed URLs and timeout, logger). */
  readonly config: SecurityConfig;
  private readonly logger: Logger;
  private readonly http: HttpClient;
  private readonly feedUrls: Readonly<Partial<Record<CloudProvider, string>>>;
  private readonly clock: () => number;
  private cache: RangeCacheTarget;
  // Providers whose cached value is in a foreign format, with the detail already logged (once).
  private readonly foreignLogged = new Map<CloudProvider, string>();
  private readonly carveOuts: ReadonlyMap<CloudProvider, ReadonlySet<string>>;
  private readonly loaded = new Map<CloudProvider, Loaded>();
  private readonly errors = new Map<CloudProvider, string>();
  private readonly emptyWarnedAt = new Map<CloudProvider, number>();
  private readonly flights = new Map<string, SingleFlight<ProviderRefreshReport>>();
  // Every provider's ranges in one index (one binary search per lookup), rebuilt after changes.
  private combined: CloudRangeSet | null = CloudRangeSet.EMPTY;
  private scheduled = false;
  private closed = false;
  private readonly defaultProviders: readonly CloudProvider[];
  private readonly defaultMask: number;
  private loadedMask = 0;
  /** The agent and the `guard-core:cloud` channel (README, "Telemetry"). */
  private readonly telemetry: Telemetry;

  /** Validates `config` (throws `GuardConfigError`); loads nothing until a refresh. */
  constructor(config: SecurityConfigInput | SecurityConfig = {}, options: CloudManagerOptions = {}) {
    this.config = parseSecurityConfig(config);
    this.logger = this.config.logger;
    this.http = options.http ?? fetchHttpClient;
    this.feedUrls = { ...this.config.cloudFeedUrls, ...options.feedUrls };
    this.clock = options.clock ?? Date.now;
    this.telemetry = new Telemetry('cloud', CLOUD_EVENTS_CHANNEL, this.logger);
    const configured = this.config.blockCloudProviders;
    this.defaultProviders = configured.size > 0 ? requireProviders(configured) : CLOUD_PROVIDERS;
    this.defaultMask = providerMask(this.defaultProviders);
    this.cache = {
      store: options.store === undefined ? new InMemoryCloudIpStore() : requireStore(options.store),
      redis: options.redis ?? null,
      layout: this.config.cloudCacheLayout,
    };
    this.carveOuts = new Map(
      (Object.entries(this.config.cloudRegionCarveOuts) as [CloudProvider, readonly string[]][]).map(
        ([provider, regions]) => [provider, new Set(regions)],
      ),
    );
  }

  /** The store in use; `null` on the legacy path. */
  get store(): CloudIpStoreProtocol | null {
    return this.cache.store;
  }

  /**
   * Replaces the store (`null` selects the legacy path: `cloud_ranges`, or `cloud_ranges_v2` in the
   * `python-v2` layout). Loaded ranges are kept.
   */
  setStore(store: CloudIpStoreProtocol | null): void {
    this.cache = { ...this.cache, store: requireStore(store) };
  }

  /**
   * Sets the agent that receives this manager's `cloud_ip_refresh` events (`ranges_updated` when a
   * provider's ranges change, `refresh_failed` when a refresh keeps the old ones); `null` removes
   * it. The same events go to `diagnostics_channel` `guard-core:cloud` with or without an agent.
   */
  initializeAgent(agent: AgentHandler | null): void {
    this.telemetry.setAgent(agent);
  }

  /** Sets the Redis handler the legacy path reads and writes (only used while the store is `null`). */
  setRedisHandler(redis: RedisHandlerProtocol | null): void {
    this.cache = { ...this.cache, redis };
  }

  /**
   * Stops background work for good: no refresh starts after this, and one already running
   * installs and stores nothing more (its report says the manager was closed). Lookups keep
   * answering from the ranges already loaded. Idempotent.
   */
  close(): void {
    this.closed = true;
  }

  /** {@link close}, for `await using cloud = new CloudManager(config)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /** True once {@link close} was called. */
  get isClosed(): boolean {
    return this.closed;
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
  async refresh(providers?: Iterable<string>, options?: RefreshOptions): Promise<ProviderRefreshReport[]> {
    const list = this.providersOf(providers);
    const { force, onProvider } = requireOptions('options', options) as RefreshOptions;
    if (onProvider !== undefined && typeof onProvider !== 'function') {
      throw new GuardInputError('onProvider', `expected a function, got ${describe(onProvider)}`);
    }
    const reports = await Promise.all(
      list.map((provider) => this.refreshReported(provider, force === true, onProvider)),
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
    if (this.scheduled || this.closed) return false;
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
   * {@link isCloudIp}), or `null`, with the network's `region` when the feed or cache named one.
   * Deterministic: the longest prefix wins; an identical network listed by two providers goes to
   * the first in `CLOUD_PROVIDERS` order. Carve-outs apply as in {@link isCloudIp}.
   */
  getCloudProviderDetails(ip: string, providers?: Iterable<string>): CloudMatch | null {
    return this.withRegion(this.match(ip, providers));
  }

  /** The region of `provider`'s loaded network `cidr` (canonical text), or `null` when unknown. */
  getRegion(provider: CloudProvider, cidr: string): string | null {
    const [name] = requireProviders([provider], 'provider');
    return (name && this.loaded.get(name)?.regions.get(cidr)) ?? null;
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

  /** What `util.inspect` and `console.log` show: feed URLs redacted, no store or handler internals. */
  [Symbol.for('nodejs.util.inspect.custom')](): Record<string, unknown> {
    return this.publicView();
  }

  /** The secret-free view `util.inspect` and `JSON.stringify` show. */
  private publicView(): Record<string, unknown> {
    const feeds = Object.entries(this.feedUrls).map(([provider, url]) => [provider, redactUrl(url)]);
    return {
      providers: [...this.defaultProviders],
      loaded: Object.fromEntries([...this.loaded].map(([provider, l]) => [provider, l.index.size])),
      feedUrls: Object.fromEntries(feeds),
      store: this.cache.store === null ? null : (this.cache.store.constructor?.name ?? 'store'),
      closed: this.closed,
    };
  }

  /** What `JSON.stringify` shows: the same view as `util.inspect`. */
  toJSON(): Record<string, unknown> {
    return this.publicView();
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
    // Whether a fetched set may be written, and in which encoding (decided by what was read).
    let write: WriteMode = target.layout === 'python-v2' ? 'regions' : 'plain';
    try {
      if (this.closed) return this.fail(provider, CLOSED, null);
      const read = await readCachedRanges(target, provider, this.config.cloudFeedLimits);
      if (this.closed) return this.fail(provider, CLOSED, null);
      if (read.kind === 'rejected') {
        this.logger.error(
          `Rejected the cached ${provider} IP ranges (${read.detail}); fetching them from the provider instead`,
          { provider, rule: read.rule },
        );
      }
      if (read.kind === 'hit') {
        const verdict = checkRangeSanity(read.index.cidrs(), baselineOf(before), this.config.cloudFeedLimits);
        if (!verdict.ok) {
          this.logger.error(
            `Rejected the cached ${provider} IP ranges (${verdict.detail}); fetching them from the provider instead`,
            { provider, rule: verdict.rule },
          );
        } else {
          cachedIndex = read.index;
          if (!force && !this.stale(provider, read.index)) {
            return this.installCached(provider, before, read.index, read.regions, read.source);
          }
        }
        if (read.keepRegions) write = 'regions';
      }
      if (read.kind === 'corrupt') {
        this.logger.warn(`Ignoring corrupt cached ${provider} IP ranges (${read.detail}); fetching them again`);
      }
      if (read.kind === 'foreign') {
        write = 'none';
        this.warnForeign(provider, read.detail);
      } else {
        this.foreignLogged.delete(provider);
      }
    } catch (error) {
      storeError = `store read failed: ${errorText(error)}`;
      this.logger.warn(`Could not read cached ${provider} IP ranges (${errorText(error)}); fetching them instead`);
    }
    const baseline = before.size > 0 || cachedIndex === null ? before : cachedIndex;
    return this.fetchAndInstall(provider, target, baseline, storeError, write);
  }

  private warnForeign(provider: CloudProvider, detail: string): void {
    if (this.foreignLogged.get(provider) === detail) return;
    this.foreignLogged.set(provider, detail);
    this.logger.warn(
      `The cached ${provider} IP ranges are in a format this package does not fully understand (${detail}); ` +
        'leaving them untouched for their writer and using ranges fetched from the provider, kept in memory',
      { provider },
    );
  }

  /**
   * True when the cached `index` holds exactly the content in use and that content was last
   * verified (fetched, or first seen in the store) a whole refresh interval ago: the store keeps
   * serving the same set, maybe without a TTL, so it must be checked against the provider.
   */
  private stale(provider: CloudProvider, index: RangeIndex): boolean {
    const loaded = this.loaded.get(provider);
    if (loaded === undefined) return false;
    if (this.clock() - loaded.verifiedAt < this.config.cloudIpRefreshInterval * 1000) return false;
    const { added, removed } = diffCounts(loaded.index.cidrs(), index.cidrs());
    if (added > 0 || removed > 0) return false; // new content, written by another replica: adopt it
    this.logger.info(
      `Cached ${provider} IP ranges unchanged for ${this.config.cloudIpRefreshInterval} s; fetching them from the provider`,
    );
    return true;
  }

  private installCached(
    provider: CloudProvider,
    before: RangeIndex,
    index: RangeIndex,
    regions: ReadonlyMap<string, string>,
    source: RangeSource,
  ): ProviderRefreshReport {
    const { added, removed } = diffCounts(before.cidrs(), index.cidrs());
    const previous = this.loaded.get(provider);
    const unchanged = previous !== undefined && added === 0 && removed === 0;
    this.install(provider, index, regions, source, added, removed, unchanged ? previous.verifiedAt : this.clock());
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
    write: WriteMode,
  ): Promise<ProviderRefreshReport> {
    let built: BuiltRangeIndex;
    let skipped: number;
    const limits = this.config.cloudFeedLimits;
    const regions = new Map<string, string>();
    try {
      const feed = await fetchProviderRanges(provider, {
        http: this.http,
        url: this.feedUrls[provider],
        timeoutMs: this.config.cloudFeedTimeoutMs,
        logger: this.logger,
        maxBytes: limits.maxBytes,
        maxEntries: limits.maxEntries,
        regions,
      });
      built = RangeIndex.build(feed.ranges);
      skipped = feed.skipped + built.skipped.length;
    } catch (error) {
      return this.fail(provider, `fetch failed: ${errorText(error)}`, storeError);
    }
    if (this.closed) return this.fail(provider, CLOSED, storeError);
    if (built.index.size === 0) return this.fail(provider, 'the feed holds no valid prefix', storeError);
    const verdict = checkRangeSanity(built.index.cidrs(), baselineOf(baseline), limits);
    if (!verdict.ok) {
      return this.fail(provider, `feed rejected by the sanity rules (${verdict.rule}): ${verdict.detail}`, storeError);
    }
    const { added, removed } = diffCounts(baseline.cidrs(), built.index.cidrs());
    this.install(provider, built.index, regions, 'fetch', added, removed, this.clock());
    let stored = false;
    try {
      if (write !== 'none') {
        const cidrs = built.index.cidrs();
        const ttl = this.config.cloudIpRefreshInterval;
        stored = await writeCachedRanges(target, provider, cidrs, regions, write === 'regions', ttl);
      }
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
    if (error === CLOSED) return this.report(provider, kept, error, storeError);
    const text =
      `Failed to refresh ${provider} IP ranges (${error}); ` +
      (kept > 0 ? `keeping the ${kept} ranges already loaded` : 'no ranges loaded for it yet');
    // A poisoned feed is an incident worth an error; an unreachable one is routine.
    if (error.includes('sanity rules')) this.logger.error(text, { provider });
    else this.logger.warn(text);
    this.telemetry.emit({
      event_type: 'cloud_ip_refresh',
      action_taken: 'refresh_failed',
      reason: `Failed to refresh ${provider} IP ranges: ${error}`,
      metadata: { provider, entries_kept: kept, store_error: storeError },
    });
    return this.report(provider, kept, error, storeError);
  }

  private report(
    provider: CloudProvider,
    kept: number,
    error: string,
    storeError: string | null,
  ): ProviderRefreshReport {
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
    regions: ReadonlyMap<string, string>,
    source: RangeSource,
    added: number,
    removed: number,
    verifiedAt: number,
  ): void {
    const first = !this.loaded.has(provider);
    this.loaded.set(provider, { index, regions, source, at: this.clock(), verifiedAt });
    this.loadedMask |= PROVIDER_BIT.get(provider) ?? 0;
    this.combined = null;
    this.errors.delete(provider);
    if (added > 0 || removed > 0) {
      const from = source === 'fetch' ? 'feed' : source === 'store' ? 'store' : 'legacy cloud_ranges key';
      this.logger.info(
        `Cloud IP range update for ${provider}: +${added} added, -${removed} removed (${index.size} in use, from the ${from})`,
        { provider, added, removed, entries: index.size, source, first },
      );
      this.telemetry.emit({
        event_type: 'cloud_ip_refresh',
        action_taken: 'ranges_updated',
        reason: `Cloud IP range update for ${provider}: +${added} added, -${removed} removed`,
        metadata: { provider, added, removed, entries: index.size, source, first },
      });
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

  /** `match` plus the network's region, when known (details only: `isCloudIp` needs no region). */
  private withRegion(found: CloudMatch | null): CloudMatch | null {
    if (found === null) return null;
    const region = this.loaded.get(found.provider)?.regions.get(found.network);
    return region === undefined ? found : { ...found, region };
  }

  /** The selection mask of `providers`, validated without allocating (this runs once per request). */
  private maskOf(providers: Iterable<string> | undefined): number {
    if (providers === undefined) return this.defaultMask;
    if (typeof providers !== 'object' || providers === null || !(Symbol.iterator in providers)) {
      requireProviders(providers); // throws the usual error
    }
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
      const ranges = new Map<CloudProvider, RangeIndex | string[]>();
      for (const [provider, loaded] of this.loaded) {
        const carved = this.carveOuts.get(provider);
        // A carved-out region's networks are left out of the index, so a lookup falls through to
        // an enclosing network of a region still blocked — the original's "skip and keep scanning".
        ranges.set(
          provider,
          carved === undefined
            ? loaded.index
            : loaded.index.cidrs().filter((cidr) => !carved.has(loaded.regions.get(cidr) ?? '')),
        );
      }
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

/** Whether a fetched set is written to the cache: as `cidr|region` entries, plain CIDRs, or not at all. */
type WriteMode = 'regions' | 'plain' | 'none';

/** The set a new one is judged against for the shrink/growth rules: the one in use, if any. */
function baselineOf(index: RangeIndex): readonly string[] | null {
  return index.size > 0 ? index.cidrs() : null;
}

function requireStore(store: CloudIpStoreProtocol | null): CloudIpStoreProtocol | null {
  if (store === null) return null;
  const shape = store as unknown as Record<string, unknown>;
  if (typeof store !== 'object' || !['get', 'set', 'clear'].every((m) => typeof shape[m] === 'function')) {
    throw new GuardInputError('store', `expected a cloud-IP store (get, set, clear) or null, got ${describe(store)}`);
  }
  return store;
}
