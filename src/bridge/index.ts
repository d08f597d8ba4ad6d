/**
 * The sync bridge's public controls, re-exported by `guard-core/sync`.
 */
export { closeSyncBridge, configureSyncBridge, type SyncBridgeOptions } from './runtime.js';
