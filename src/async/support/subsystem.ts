/**
 * The shape every subsystem manager (rate limiter, behaviour tracker, IP bans, patterns,
 * security headers) shares, so that `HandlerInitializer` can wire, report and recover them all
 * the same way.
 */
import type { AgentHandler } from '../../core/telemetry.js';
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';
import type { StateMode } from './redis-failover.js';

/** A manager whose state lives in Redis with an in-memory fallback. */
export interface SubsystemManager {
  /** Name used in status reports and log lines. */
  readonly subsystem: string;
  /** Where the state lives right now (`redis`, `memory` while Redis is down, `disabled` without Redis). */
  readonly mode: StateMode;
  /**
   * Attaches the Redis handler (or `null` to run in memory) and loads what lives there (restored
   * patterns, the ban mirror…). Never throws because Redis is down: the manager starts in memory
   * and returns to Redis by itself.
   */
  initializeRedis(handler: RedisHandlerProtocol | null): Promise<void>;
  /**
   * Checks Redis now, ignoring the retry pause; on success switches back to Redis and writes back
   * what was decided in memory during the outage. True when Redis answered.
   */
  probe(): Promise<boolean>;
  /** Stops background work and subscriptions; the manager keeps answering from memory. */
  close(): Promise<void>;
  /**
   * Optional: sets the agent that receives the manager's events (`null` removes it). Managers
   * without events (behaviour tracker, security headers) leave it out; `HandlerInitializer`
   * calls it, when present, with the agent of its options.
   */
  initializeAgent?(agent: AgentHandler | null): void;
}
