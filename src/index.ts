/**
 * guard-core: the distributed-state layer of a web guard. This entry point is the async API;
 * `guard-core/sync` offers the same classes for code that cannot await.
 */
export * from './async/index.js';
// Async only: the sync API reaches Redis from its bridge worker, where the caller's client cannot go.
export {
  useIoredisClient,
  type UseIoredisClientOptions,
  type AbortableOpenRedisConnection,
} from './async/seams/ioredis-connection.js';
