/**
 * guard-core: the distributed-state layer of a web guard. This entry point is the async API;
 * `guard-core/sync` offers the same classes for code that cannot await.
 */
export * from './async/index.js';
