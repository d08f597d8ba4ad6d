/**
 * The pure, I/O-free part of guard-core shared by the async and the sync API.
 */
export {
  GuardCoreError,
  GuardRedisError,
  GuardRedisDataError,
  GuardRedisClusterError,
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
  GuardPatternError,
  type PatternRefusal,
  type ConfigIssue,
  GUARD_ERROR_CODES,
  type GuardErrorCode,
} from './errors.js';
export {
  parseSecurityConfig,
  securityConfigSchema,
  type SecurityConfig,
  type SecurityConfigInput,
  type CloudIpStoreSetting,
  type CloudIpStoreShape,
} from './config.js';
export { defaultLogger, silentLogger, pinoLogger, type Logger, type ObjectFirstLogger } from './logger.js';
export {
  REDIS_EVENTS_CHANNEL,
  CLOUD_EVENTS_CHANNEL,
  SUBSYSTEM_EVENTS_CHANNEL,
  REDIS_COMMAND_TRACING_CHANNEL,
  TELEMETRY_CHANNELS,
  GUARD_EVENT_TYPES,
  type TelemetryChannelName,
  type GuardEventType,
  type TelemetryHandlerName,
  type TelemetryValue,
  type TelemetryMetadata,
  type SecurityEvent,
  type AgentHandler,
  type RedisCommandTraceContext,
} from './telemetry.js';
export { CLOUD_PROVIDERS, isCloudProvider, type CloudProvider } from './providers.js';
export { buildKey, escapeGlob } from './keys.js';
export { redactUrl } from './redact.js';
export { MAX_TTL_SECONDS } from './validate.js';
export type {
  RedisArg,
  RedisConnectionOptions,
  RedisReply,
  RedisScript,
  RedisSentinelOptions,
  ScanPage,
  SubscriptionBatch,
} from './redis-types.js';
export { SLIDING_WINDOW_HIT } from './redis/sliding-window.js';
export * from './cloud/index.js';
