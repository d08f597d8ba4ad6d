/**
 * guard-core's async API (also the package's main entry point).
 */
export * from '../core/index.js';
export { RedisManager, type RedisManagerOptions } from './redis/manager.js';
export type { RedisHandlerProtocol, RedisLease } from './redis/handler-protocol.js';
export type { RedisConnection, OpenRedisConnection } from './seams/redis.js';
export type { CloudIpStoreProtocol, CloudIpStoreFactory } from './cloud/store-protocol.js';
export { InMemoryCloudIpStore, type InMemoryCloudIpStoreOptions } from './cloud/in-memory-store.js';
export { RedisCloudIpStore, DEFAULT_CLOUD_IP_KEY_PREFIX } from './cloud/redis-store.js';
export { fetchProviderRanges, type FeedFetchOptions } from './cloud/feeds.js';
