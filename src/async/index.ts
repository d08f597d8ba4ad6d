/**
 * The public surface of guard-core's API: managers, stores, protocols, the cloud-IP lookup and
 * the shared core. The async source is canonical; `src/sync/index.ts` is its generated twin.
 */
export * from '../core/index.js';
export { RedisManager, type RedisManagerOptions, type RedisConnectionOpener } from './redis/manager.js';
export type { RedisHandlerProtocol, RedisLease } from './redis/handler-protocol.js';
export type { RedisConnection, OpenRedisConnection, RedisSubscription } from './seams/redis.js';
export {
  RedisFailover,
  DEFAULT_RETRY_AFTER_MS,
  markOutageReported,
  isOutageReported,
  type RedisFailoverOptions,
  type FailoverResult,
  type StateMode,
  type StateSource,
} from './support/redis-failover.js';
export type { CloudIpStoreProtocol, CloudIpStoreFactory, CloudIpStoreRead } from './cloud/store-protocol.js';
export { InMemoryCloudIpStore, type InMemoryCloudIpStoreOptions } from './cloud/in-memory-store.js';
export {
  RedisCloudIpStore,
  DEFAULT_CLOUD_IP_KEY_PREFIX,
  PYTHON_V2_CLOUD_IP_KEY_PREFIX,
  cloudIpKeyPrefixOf,
} from './cloud/redis-store.js';
export { fetchProviderRanges, type FeedFetchOptions } from './cloud/feeds.js';
export { fetchHttpClient, type HttpClient, type HttpResponse, type HttpRequestOptions } from './seams/http.js';
export { CloudManager, type CloudManagerOptions, type RefreshOptions } from './cloud/manager.js';
export type {
  CloudStatus,
  CloudProviderStatus,
  ProviderRefreshReport,
  RefreshOutcome,
  RangeSource,
} from '../core/cloud/status.js';
export {
  LEGACY_CLOUD_RANGES_NAMESPACE,
  LEGACY_CLOUD_RANGES_V2_NAMESPACE,
  legacyNamespaceOf,
  migrateLegacyCloudRanges,
  readLegacyRanges,
  type LegacyMigrationEntry,
  type LegacyMigrationOptions,
  type LegacyMigrationOutcome,
  type LegacyRanges,
} from './cloud/legacy.js';
export {
  HandlerInitializer,
  type HandlerInitializerOptions,
  type InitializationResult,
  type InitializationStatus,
  type RedisState,
  type CloudLoadMode,
} from './init/handler-initializer.js';
export type { SubsystemManager } from './support/subsystem.js';
export * from './ratelimit/index.js';
export * from './behavior/index.js';
export * from './bans/index.js';
export * from './patterns/index.js';
export * from './headers/index.js';
export { resolveCloudIpStore, type StoreOrigin, type StoreResolution } from './init/store-resolution.js';
