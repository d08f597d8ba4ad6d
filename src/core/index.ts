/**
 * The pure, I/O-free part of guard-core shared by the async and the sync API.
 */
export {
  GuardCoreError,
  GuardRedisError,
  GuardConfigError,
  GuardInputError,
  GuardHttpError,
  GuardFeedError,
  GuardBridgeError,
  GuardBridgeStartError,
  GuardBridgeCrashError,
  GuardBridgeTimeoutError,
  GuardBridgeSerializationError,
  GuardBridgeClosedError,
  type ConfigIssue,
} from './errors.js';
export {
  parseSecurityConfig,
  securityConfigSchema,
  type SecurityConfig,
  type SecurityConfigInput,
  type CloudIpStoreSetting,
  type CloudIpStoreShape,
} from './config.js';
export { defaultLogger, silentLogger, type Logger } from './logger.js';
export { CLOUD_PROVIDERS, isCloudProvider, type CloudProvider } from './providers.js';
export { buildKey, escapeGlob } from './keys.js';
export { redactUrl } from './redact.js';
export { MAX_TTL_SECONDS } from './validate.js';
export type { RedisConnectionOptions, ScanPage } from './redis-types.js';
export * from './cloud/index.js';
