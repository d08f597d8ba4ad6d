/**
 * Telemetry: the agent events of the Python original (`redis_connection`, `redis_error`, the
 * subsystem events) and their publication on `node:diagnostics_channel`, so that APM tools see
 * them without any configuration. Shared by both APIs: the managers run on the caller's thread in
 * the sync API too, so everything here is published on the application's thread, never only in
 * the bridge worker.
 *
 * Three rules, each tested:
 * - Free when unused: with no agent and no subscriber an event costs one `hasSubscribers` check
 *   (nothing is built); a command trace costs five.
 * - Never in the caller's way: an agent that throws or rejects is logged once (per agent) as a
 *   warning and ignored; the agent's promise is never awaited.
 * - Never a secret: every URL in an event (its `reason`, its metadata) is redacted with
 *   {@link redactUrl}.
 */
import { channel, tracingChannel, type Channel } from 'node:diagnostics_channel';
import { GuardInputError } from './errors.js';
import type { Logger } from './logger.js';
import { redactUrl } from './redact.js';
import { describe } from './validate.js';

/**
 * The `diagnostics_channel` name of the Redis connection events (`redis_connection`,
 * `redis_error`). Each message is a frozen {@link SecurityEvent}.
 */
export const REDIS_EVENTS_CHANNEL = 'guard-core:redis';

/** The `diagnostics_channel` name of the cloud-IP events (`cloud_ip_refresh`); messages are {@link SecurityEvent}s. */
export const CLOUD_EVENTS_CHANNEL = 'guard-core:cloud';

/**
 * The `diagnostics_channel` name of the subsystem events (`ip_banned`, `ip_unbanned`,
 * `pattern_added`, `pattern_removed`, `rate_limited`); messages are {@link SecurityEvent}s.
 */
export const SUBSYSTEM_EVENTS_CHANNEL = 'guard-core:subsystem';

/**
 * The name of the `diagnostics_channel.tracingChannel` that traces every `RedisManager` operation
 * (one Redis round trip, or a SCAN loop): its channels are `tracing:guard-core:redis:command:start`,
 * `…:end`, `…:asyncStart`, `…:asyncEnd` and `…:error`, and each message is a
 * {@link RedisCommandTraceContext}. The async API publishes the `tracePromise` sequence (start,
 * end, then asyncStart and asyncEnd when the reply is in); the sync API the `traceSync` one
 * (start, end) — on the caller's thread, although the sync API's Redis client runs in a worker.
 */
export const REDIS_COMMAND_TRACING_CHANNEL = 'guard-core:redis:command';

/** Every event channel by the name of the part that publishes on it. */
export const TELEMETRY_CHANNELS = {
  redis: REDIS_EVENTS_CHANNEL,
  cloud: CLOUD_EVENTS_CHANNEL,
  subsystem: SUBSYSTEM_EVENTS_CHANNEL,
} as const;

/** The name of one event channel (a value of {@link TELEMETRY_CHANNELS}). */
export type TelemetryChannelName = (typeof TELEMETRY_CHANNELS)[keyof typeof TELEMETRY_CHANNELS];

/** Every `event_type` guard-core emits (the Python original's names, plus `cloud_ip_refresh`). */
export const GUARD_EVENT_TYPES = [
  'redis_connection',
  'redis_error',
  'cloud_ip_refresh',
  'ip_banned',
  'ip_unbanned',
  'pattern_added',
  'pattern_removed',
  'rate_limited',
] as const;

/** One `event_type` of {@link GUARD_EVENT_TYPES}. */
export type GuardEventType = (typeof GUARD_EVENT_TYPES)[number];

/** Which part emitted an event (`handler_name`), named as in the Python original. */
export type TelemetryHandlerName = 'redis' | 'cloud' | 'ip_ban' | 'sus_patterns' | 'rate_limit';

/** A metadata value: JSON-safe, so an agent can forward an event as is. */
export type TelemetryValue = string | number | boolean | null | readonly string[];

/** The `metadata` of an event: flat, JSON-safe, keys in snake_case as in the original. */
export type TelemetryMetadata = Readonly<Record<string, TelemetryValue>>;

/**
 * One event, shaped like the original's `SecurityEvent` (snake_case field names, so it serialises
 * to the JSON a guard agent expects). Frozen; the same object goes to the agent and to every
 * `diagnostics_channel` subscriber.
 */
export interface SecurityEvent {
  /** What happened, e.g. `redis_connection` (see {@link GUARD_EVENT_TYPES}). */
  readonly event_type: GuardEventType;
  /** The outcome, e.g. `connection_established`, `banned`, `request_blocked`. */
  readonly action_taken: string;
  /** Human-readable detail, secret-free. */
  readonly reason: string;
  /** The client address the event is about, or `system` for events about guard-core itself. */
  readonly ip_address: string;
  /** The part that emitted it (`redis`, `cloud`, `ip_ban`, `sus_patterns`, `rate_limit`). */
  readonly handler_name: TelemetryHandlerName;
  /** When it happened. */
  readonly timestamp: Date;
  /** Event-specific fields (README, "Telemetry"). */
  readonly metadata: TelemetryMetadata;
}

/**
 * An agent that receives guard-core's events (the Python original's `agent_handler`). `sendEvent`
 * is called synchronously on the thread that made the event and is never awaited: return quickly
 * (queue, batch, send later). A throw or a rejected promise is logged once as a warning and
 * ignored; it never fails the operation that made the event.
 */
export interface AgentHandler {
  /** Takes one event. */
  sendEvent(event: SecurityEvent): void | PromiseLike<void>;
}

/**
 * The message of every channel of {@link REDIS_COMMAND_TRACING_CHANNEL}. One object per
 * operation: `result` is set before `end` (sync API) or `asyncStart` (async API), `error` (a
 * secret-free `GuardRedisError`) before the `error` event.
 */
export interface RedisCommandTraceContext {
  /** The `RedisManager` operation: `getKey`, `setKey`, `incr`, `runScript`, `keys`… */
  readonly operation: string;
  /** The script's name for `runScript` (and `recordSlidingWindowHit`), else `null`. */
  readonly script: string | null;
  /** The full key (prefix included) of a single-key operation, else `null`. */
  readonly key: string | null;
  /** The manager's `redisPrefix`. */
  readonly prefix: string;
  /** The operation's result (set once it succeeded). */
  result?: unknown;
  /** What the operation threw (set when it failed). */
  error?: unknown;
}

/** What an emitter passes for one event; the rest (`handler_name`, `timestamp`) is filled in. */
export interface SecurityEventInit {
  /** See {@link SecurityEvent.event_type}. */
  readonly event_type: GuardEventType;
  /** See {@link SecurityEvent.action_taken}. */
  readonly action_taken: string;
  /** See {@link SecurityEvent.reason}; URLs in it are redacted by {@link emit}. */
  readonly reason: string;
  /** The client address the event is about; default `system`. */
  readonly ip_address?: string;
  /** Event-specific fields; default `{}`. URLs in string values are redacted by {@link emit}. */
  readonly metadata?: TelemetryMetadata;
}

/** Where one {@link emit} goes: the emitter's agent (if any) and its channel, and who logs a failing agent. */
export interface TelemetryTarget {
  /** The `handler_name` of the events. */
  readonly handlerName: TelemetryHandlerName;
  /** The channel the events are published on. */
  readonly channelName: TelemetryChannelName;
  /** The agent that also receives them, or `null`. */
  readonly agent: AgentHandler | null;
  /** Where a failing agent is reported (once). */
  readonly logger: Logger;
}

// Module-level references: diagnostics_channel keeps channels by name behind weak references, and
// a channel looked up once here is the one every subscriber of that name gets.
const eventChannels: Readonly<Record<TelemetryChannelName, Channel>> = {
  [REDIS_EVENTS_CHANNEL]: channel(REDIS_EVENTS_CHANNEL),
  [CLOUD_EVENTS_CHANNEL]: channel(CLOUD_EVENTS_CHANNEL),
  [SUBSYSTEM_EVENTS_CHANNEL]: channel(SUBSYSTEM_EVENTS_CHANNEL),
};

const commandTrace = tracingChannel<unknown, RedisCommandTraceContext>(REDIS_COMMAND_TRACING_CHANNEL);

/** Agents whose failure was logged already: one warning per agent, whichever manager saw it. */
const agentsWarned = new WeakSet<object>();

const NO_METADATA: TelemetryMetadata = Object.freeze({});

/** A URL with a scheme, as it may appear inside free text (an error message, a detail). */
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s'"<>()[\]{}]+/gi;

/** True when `target` has an agent or its channel has a subscriber: only then is an event built. */
export function telemetryWanted(target: TelemetryTarget): boolean {
  return target.agent !== null || eventChannels[target.channelName].hasSubscribers;
}

/**
 * Emits one event to the target's agent and channel. Does nothing (beyond one `hasSubscribers`
 * check) without an agent or subscriber; never throws; redacts every URL in the event.
 */
export function emit(target: TelemetryTarget, init: SecurityEventInit): void {
  const events = eventChannels[target.channelName];
  const agent = target.agent;
  if (agent === null && !events.hasSubscribers) return;
  const event = buildEvent(target.handlerName, init);
  if (events.hasSubscribers) {
    try {
      events.publish(event);
    } catch {
      // diagnostics_channel reports a subscriber's error itself (as an uncaught exception on the
      // next tick); nothing of it may reach the operation that made the event.
    }
  }
  if (agent !== null) sendToAgent(agent, event, target.logger);
}

/**
 * The per-manager telemetry state: its agent, channel and logger. {@link Telemetry.emit} is the
 * module's {@link emit}; {@link Telemetry.wanted} lets a hot path skip building metadata.
 */
export class Telemetry implements TelemetryTarget {
  /** The agent, or `null`. */
  agent: AgentHandler | null = null;

  /** A target without an agent: events go to `channelName`'s subscribers until {@link setAgent}. */
  constructor(
    readonly handlerName: TelemetryHandlerName,
    readonly channelName: TelemetryChannelName,
    readonly logger: Logger,
  ) {}

  /** Sets (or, with `null`, removes) the agent. Throws `GuardInputError` for something without `sendEvent`. */
  setAgent(agent: AgentHandler | null): void {
    this.agent = requireAgent(agent);
  }

  /** True when an event would go anywhere (an agent is set, or the channel has a subscriber). */
  get wanted(): boolean {
    return telemetryWanted(this);
  }

  /** {@link emit} to this target. */
  emit(init: SecurityEventInit): void {
    emit(this, init);
  }
}

/** Checks that `agent` is `null` or has a `sendEvent` method. */
export function requireAgent(agent: AgentHandler | null): AgentHandler | null {
  if (agent === null) return null;
  if (typeof agent !== 'object' || typeof (agent as { sendEvent?: unknown }).sendEvent !== 'function') {
    throw new GuardInputError(
      'agent',
      `expected null or an object with a sendEvent(event) method, got ${describe(agent)}`,
    );
  }
  return agent;
}

/**
 * True when the command tracing channel has a subscriber on any of its five channels (checked
 * one by one: `TracingChannel.hasSubscribers` is younger than Node 20.4).
 */
export function redisCommandTraced(): boolean {
  return (
    commandTrace.start.hasSubscribers ||
    commandTrace.end.hasSubscribers ||
    commandTrace.asyncStart.hasSubscribers ||
    commandTrace.asyncEnd.hasSubscribers ||
    commandTrace.error.hasSubscribers
  );
}

/**
 * Runs `fn` as one traced Redis operation on {@link REDIS_COMMAND_TRACING_CHANNEL}, the way
 * `tracePromise` does when `fn` returns a promise (async API) and `traceSync` does otherwise
 * (sync API): `fn` runs inside `start.runStores(context, …)`, so stores bound by an APM tool
 * (its span) are active during the operation. Call it only when {@link redisCommandTraced} is true.
 */
export function traceRedisCommand<T>(context: RedisCommandTraceContext, fn: () => T): T {
  const { start, end, asyncStart, asyncEnd, error } = commandTrace;
  return start.runStores(context, () => {
    let result: T;
    try {
      result = fn();
    } catch (thrown) {
      context.error = thrown;
      error.publish(context);
      end.publish(context);
      throw thrown;
    }
    if (!(result instanceof Promise)) {
      context.result = result;
      end.publish(context);
      return result;
    }
    const settled: Promise<unknown> = result.then(
      (value: unknown) => {
        context.result = value;
        asyncStart.publish(context);
        asyncEnd.publish(context);
        return value;
      },
      (failure: unknown) => {
        context.error = failure;
        error.publish(context);
        asyncStart.publish(context);
        asyncEnd.publish(context);
        throw failure;
      },
    );
    end.publish(context);
    return settled as T;
  });
}

function buildEvent(handlerName: TelemetryHandlerName, init: SecurityEventInit): SecurityEvent {
  const metadata = init.metadata === undefined ? NO_METADATA : redactMetadata(init.metadata);
  return Object.freeze({
    event_type: init.event_type,
    action_taken: init.action_taken,
    reason: redactText(init.reason),
    ip_address: init.ip_address ?? 'system',
    handler_name: handlerName,
    timestamp: new Date(),
    metadata,
  });
}

function redactMetadata(metadata: TelemetryMetadata): TelemetryMetadata {
  const out: Record<string, TelemetryValue> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value === 'string') out[key] = redactText(value);
    else if (Array.isArray(value)) out[key] = Object.freeze(value.map((v: string) => redactText(String(v))));
    else out[key] = value;
  }
  return Object.freeze(out);
}

/** Every URL inside `text` with its user info and secret query values removed. */
function redactText(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url) ?? url);
}

function sendToAgent(agent: AgentHandler, event: SecurityEvent, logger: Logger): void {
  let sent: void | PromiseLike<void>;
  try {
    sent = agent.sendEvent(event);
  } catch (error) {
    warnAgentFailure(agent, event, error, logger);
    return;
  }
  if (isThenable(sent)) {
    try {
      sent.then(undefined, (error: unknown) => warnAgentFailure(agent, event, error, logger));
    } catch (error) {
      warnAgentFailure(agent, event, error, logger); // a thenable whose then() throws
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<void> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function warnAgentFailure(agent: AgentHandler, event: SecurityEvent, error: unknown, logger: Logger): void {
  if (agentsWarned.has(agent)) return;
  agentsWarned.add(agent);
  let detail: string;
  try {
    detail = redactText(error instanceof Error ? error.message : String(error));
  } catch {
    detail = 'an unprintable error';
  }
  try {
    logger.warn(
      `Telemetry agent failed to take a ${event.event_type} event (${detail}); the event was dropped, and further agent failures are not logged`,
      { event_type: event.event_type, action_taken: event.action_taken },
    );
  } catch {
    // A logger that throws cannot be told about it either.
  }
}
