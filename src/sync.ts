/**
 * `guard-core/sync`: the same classes as `guard-core`, with sync signatures, for code that
 * cannot await (legacy scripts). Generated from the async source (`src/sync/`); the I/O runs on a
 * worker thread that the caller blocks on (`src/bridge/`).
 */
export * from './sync/index.js';
export { closeSyncBridge, configureSyncBridge, type SyncBridgeOptions } from './bridge/index.js';
