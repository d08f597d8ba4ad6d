/**
 * The telemetry core (src/core/telemetry.ts): events built only when someone listens, sent to the
 * agent and to diagnostics_channel, never thrown into the caller, never carrying a secret; the
 * command trace publishing the tracePromise / traceSync sequences with bound stores active.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { channel, tracingChannel } from 'node:diagnostics_channel';
import { afterEach, describe, expect, test } from 'vitest';
import {
  CLOUD_EVENTS_CHANNEL,
  GuardInputError,
  GuardRedisError,
  REDIS_COMMAND_TRACING_CHANNEL,
  REDIS_EVENTS_CHANNEL,
  RedisManager,
  SUBSYSTEM_EVENTS_CHANNEL,
  TELEMETRY_CHANNELS,
  type AgentHandler,
  type RedisCommandTraceContext,
  type SecurityEvent,
} from '../../src/index.js';
import {
  Telemetry,
  emit,
  redisCommandTraced,
  requireAgent,
  traceRedisCommand,
  type TelemetryMetadata,
} from '../../src/core/telemetry.js';
import { FakeConnection } from '../support/fake-connection.js';
import { captureLogger } from '../support/logger.js';

/** Unsubscribes everything a test subscribed, even when it failed. */
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function listen(name: string): SecurityEvent[] {
  const seen: SecurityEvent[] = [];
  const onMessage = (message: unknown): void => {
    seen.push(message as SecurityEvent);
  };
  channel(name).subscribe(onMessage);
  cleanups.push(() => channel(name).unsubscribe(onMessage));
  return seen;
}

interface TraceRecord {
  readonly phase: 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error';
  readonly context: RedisCommandTraceContext;
  readonly result: unknown;
  readonly error: unknown;
}

function listenTraces(): TraceRecord[] {
  const seen: TraceRecord[] = [];
  const trace = tracingChannel<unknown, RedisCommandTraceContext>(REDIS_COMMAND_TRACING_CHANNEL);
  const record =
    (phase: TraceRecord['phase']) =>
    (context: RedisCommandTraceContext): void => {
      seen.push({ phase, context, result: context.result, error: context.error });
    };
  const handlers = {
    start: record('start'),
    end: record('end'),
    asyncStart: record('asyncStart'),
    asyncEnd: record('asyncEnd'),
    error: record('error'),
  };
  trace.subscribe(handlers);
  cleanups.push(() => trace.unsubscribe(handlers));
  return seen;
}

function recordingAgent(): AgentHandler & { readonly events: SecurityEvent[] } {
  const events: SecurityEvent[] = [];
  return {
    events,
    sendEvent(event) {
      events.push(event);
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('channel names', () => {
  test('are the documented constants', () => {
    expect(REDIS_EVENTS_CHANNEL).toBe('guard-core:redis');
    expect(CLOUD_EVENTS_CHANNEL).toBe('guard-core:cloud');
    expect(SUBSYSTEM_EVENTS_CHANNEL).toBe('guard-core:subsystem');
    expect(REDIS_COMMAND_TRACING_CHANNEL).toBe('guard-core:redis:command');
    expect(Object.values(TELEMETRY_CHANNELS).sort()).toEqual([
      'guard-core:cloud',
      'guard-core:redis',
      'guard-core:subsystem',
    ]);
  });
});

describe('emit', () => {
  test('builds nothing when there is neither an agent nor a subscriber', () => {
    let reads = 0;
    const metadata = {
      get provider(): string {
        reads++;
        return 'AWS';
      },
    } as TelemetryMetadata;
    const log = captureLogger();
    const telemetry = new Telemetry('cloud', CLOUD_EVENTS_CHANNEL, log.logger);
    expect(telemetry.wanted).toBe(false);
    telemetry.emit({ event_type: 'cloud_ip_refresh', action_taken: 'ranges_updated', reason: 'r', metadata });
    expect(reads).toBe(0);
    const seen = listen(CLOUD_EVENTS_CHANNEL);
    expect(telemetry.wanted).toBe(true);
    telemetry.emit({ event_type: 'cloud_ip_refresh', action_taken: 'ranges_updated', reason: 'r', metadata });
    expect(reads).toBe(1);
    expect(seen).toHaveLength(1);
  });

  test('the agent and every subscriber get the same frozen event, shaped like the original', () => {
    const agent = recordingAgent();
    const seen = listen(SUBSYSTEM_EVENTS_CHANNEL);
    const telemetry = new Telemetry('ip_ban', SUBSYSTEM_EVENTS_CHANNEL, captureLogger().logger);
    telemetry.setAgent(agent);
    const before = Date.now();
    telemetry.emit({
      event_type: 'ip_banned',
      action_taken: 'banned',
      reason: 'threshold_exceeded',
      ip_address: '203.0.113.7',
      metadata: { duration: 60, kind: 'ip' },
    });
    expect(agent.events).toHaveLength(1);
    expect(seen).toEqual(agent.events);
    const [event] = agent.events as [SecurityEvent];
    expect(seen[0]).toBe(event);
    expect(event).toMatchObject({
      event_type: 'ip_banned',
      action_taken: 'banned',
      reason: 'threshold_exceeded',
      ip_address: '203.0.113.7',
      handler_name: 'ip_ban',
      metadata: { duration: 60, kind: 'ip' },
    });
    expect(event.timestamp).toBeInstanceOf(Date);
    expect(event.timestamp.getTime()).toBeGreaterThanOrEqual(before);
    expect(Object.isFrozen(event)).toBe(true);
    expect(Object.isFrozen(event.metadata)).toBe(true);
  });

  test('ip_address defaults to "system" and metadata to {}', () => {
    const agent = recordingAgent();
    emit(
      { handlerName: 'redis', channelName: REDIS_EVENTS_CHANNEL, agent, logger: captureLogger().logger },
      {
        event_type: 'redis_connection',
        action_taken: 'connection_closed',
        reason: 'Redis connection closed',
      },
    );
    expect(agent.events[0]).toMatchObject({ ip_address: 'system', metadata: {} });
  });

  test('every URL in the reason and the metadata is redacted', () => {
    const agent = recordingAgent();
    const seen = listen(REDIS_EVENTS_CHANNEL);
    const telemetry = new Telemetry('redis', REDIS_EVENTS_CHANNEL, captureLogger().logger);
    telemetry.setAgent(agent);
    telemetry.emit({
      event_type: 'redis_error',
      action_taken: 'connection_failed',
      reason: 'Redis connection failed (redis://admin:Hunter2Secret@db.internal:6380/0): refused',
      metadata: {
        redis_url: 'redis://:Hunter2Secret@db.internal:6380/0?password=QuerySecret9',
        redis_cluster_nodes: ['redis://u:Hunter2Secret@n1:7000', 'rediss://n2:7001?token=QuerySecret9'],
        error_type: 'connection_error',
      },
    });
    const text = JSON.stringify([agent.events, seen]);
    expect(text).not.toContain('Hunter2Secret');
    expect(text).not.toContain('QuerySecret9');
    expect(text).not.toContain('admin');
    const [event] = agent.events as [SecurityEvent];
    expect(event.reason).toBe('Redis connection failed (redis://db.internal:6380/0): refused');
    expect(event.metadata.redis_url).toBe('redis://db.internal:6380/0?password=REDACTED');
    expect(event.metadata.redis_cluster_nodes).toEqual(['redis://n1:7000', 'rediss://n2:7001?token=REDACTED']);
    expect(event.metadata.error_type).toBe('connection_error');
  });

  test('an agent that throws never reaches the caller and is logged once', () => {
    const log = captureLogger();
    let calls = 0;
    const agent: AgentHandler = {
      sendEvent() {
        calls++;
        throw new Error('agent down (https://user:AgentSecret1@agent.example/ingest)');
      },
    };
    const telemetry = new Telemetry('redis', REDIS_EVENTS_CHANNEL, log.logger);
    telemetry.setAgent(agent);
    for (let i = 0; i < 3; i++) {
      expect(() =>
        telemetry.emit({ event_type: 'redis_connection', action_taken: 'connection_closed', reason: 'closed' }),
      ).not.toThrow();
    }
    expect(calls).toBe(3);
    const warnings = log.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('Telemetry agent failed to take a redis_connection event (agent down');
    expect(warnings[0]?.meta).toEqual({ event_type: 'redis_connection', action_taken: 'connection_closed' });
    expect(log.text()).not.toContain('AgentSecret1');
  });

  test('an agent that rejects leaves no unhandled rejection and is logged once', async () => {
    const log = captureLogger();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    cleanups.push(() => process.off('unhandledRejection', onUnhandled));
    const agent: AgentHandler = { sendEvent: async () => Promise.reject(new Error('queue full')) };
    const telemetry = new Telemetry('rate_limit', SUBSYSTEM_EVENTS_CHANNEL, log.logger);
    telemetry.setAgent(agent);
    telemetry.emit({ event_type: 'rate_limited', action_taken: 'request_blocked', reason: 'r' });
    telemetry.emit({ event_type: 'rate_limited', action_taken: 'request_blocked', reason: 'r' });
    await tick();
    await tick();
    expect(unhandled).toEqual([]);
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      expect.stringContaining('(queue full)'),
    ]);
  });

  test('a logger that throws while reporting a failing agent does not reach the caller either', () => {
    const throwing = captureLogger().logger;
    throwing.warn = () => {
      throw new Error('logger broken');
    };
    const telemetry = new Telemetry('cloud', CLOUD_EVENTS_CHANNEL, throwing);
    telemetry.setAgent({
      sendEvent() {
        throw new Error('agent broken');
      },
    });
    expect(() => telemetry.emit({ event_type: 'cloud_ip_refresh', action_taken: 'x', reason: 'r' })).not.toThrow();
  });

  test('setAgent / initializeAgent refuse something that is not an agent, and accept null', () => {
    expect(() => requireAgent({} as AgentHandler)).toThrow(GuardInputError);
    expect(() => requireAgent('agent' as unknown as AgentHandler)).toThrow(GuardInputError);
    expect(requireAgent(null)).toBeNull();
    const manager = new RedisManager({ enableRedis: false });
    expect(() => manager.initializeAgent({ send: () => undefined } as unknown as AgentHandler)).toThrow(
      GuardInputError,
    );
    expect(() => manager.initializeAgent(null)).not.toThrow();
  });
});

describe('traceRedisCommand', () => {
  const context = (): RedisCommandTraceContext => ({ operation: 'getKey', script: null, key: 'p:ns:k', prefix: 'p:' });

  test('redisCommandTraced is false without a subscriber, true with one on any of the five channels', () => {
    expect(redisCommandTraced()).toBe(false);
    const onError = (): void => undefined;
    const trace = tracingChannel(REDIS_COMMAND_TRACING_CHANNEL);
    trace.error.subscribe(onError);
    try {
      expect(redisCommandTraced()).toBe(true);
    } finally {
      trace.error.unsubscribe(onError);
    }
    expect(redisCommandTraced()).toBe(false);
  });

  test('a sync function: start, end (traceSync), with the result set', () => {
    const seen = listenTraces();
    expect(traceRedisCommand(context(), () => 'value')).toBe('value');
    expect(seen.map((r) => r.phase)).toEqual(['start', 'end']);
    expect(seen[1]?.result).toBe('value');
  });

  test('a sync function that throws: start, error, end, and the error is rethrown', () => {
    const seen = listenTraces();
    const failure = new GuardRedisError(503, 'down');
    expect(() =>
      traceRedisCommand(context(), () => {
        throw failure;
      }),
    ).toThrow(failure);
    expect(seen.map((r) => r.phase)).toEqual(['start', 'error', 'end']);
    expect(seen[1]?.error).toBe(failure);
  });

  test('a promise: start, end, then asyncStart and asyncEnd with the result (tracePromise)', async () => {
    const seen = listenTraces();
    const pending = traceRedisCommand(context(), async () => 'value');
    expect(seen.map((r) => r.phase)).toEqual(['start', 'end']);
    expect(await pending).toBe('value');
    expect(seen.map((r) => r.phase)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(seen[3]?.result).toBe('value');
  });

  test('a rejected promise: start, end, error, asyncStart, asyncEnd, and the rejection is passed on', async () => {
    const seen = listenTraces();
    const failure = new GuardRedisError(503, 'down');
    await expect(traceRedisCommand(context(), async () => Promise.reject(failure))).rejects.toBe(failure);
    expect(seen.map((r) => r.phase)).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    expect(seen[2]?.error).toBe(failure);
  });

  test('a store bound to the start channel (an APM span) is active while the operation runs', async () => {
    const storage = new AsyncLocalStorage<string>();
    const trace = tracingChannel<string, RedisCommandTraceContext>(REDIS_COMMAND_TRACING_CHANNEL);
    trace.start.bindStore(storage, (ctx) => `span:${ctx.operation}`);
    cleanups.push(() => trace.start.unbindStore(storage));
    expect(redisCommandTraced()).toBe(true); // a bound store counts as a subscriber
    expect(traceRedisCommand(context(), () => storage.getStore())).toBe('span:getKey');
    expect(await traceRedisCommand(context(), async () => storage.getStore())).toBe('span:getKey');
    expect(storage.getStore()).toBeUndefined();
  });
});

describe('RedisManager over a fake connection', () => {
  test('traces each operation with its name, full key and prefix; nothing when nobody listens', async () => {
    const fake = new FakeConnection();
    const manager = new RedisManager(
      { redisUrl: 'redis://fake:6379', redisPrefix: 'app:', logger: captureLogger().logger },
      { openConnection: async () => fake },
    );
    await manager.initialize();
    await manager.setKey('ns', 'quiet', 'v');
    const seen = listenTraces();
    await manager.setKey('ns', 'k', 'v');
    expect(await manager.getKey('ns', 'k')).toBe('v');
    expect(await manager.keys('ns:*')).toEqual(expect.arrayContaining(['app:ns:k']));
    const ends = seen.filter((r) => r.phase === 'asyncEnd');
    expect(ends.map((r) => [r.context.operation, r.context.key, r.context.prefix, r.context.script])).toEqual([
      ['setKey', 'app:ns:k', 'app:', null],
      ['getKey', 'app:ns:k', 'app:', null],
      ['keys', null, 'app:', null],
    ]);
    expect(ends[1]?.result).toBe('v');
    expect(seen.filter((r) => r.phase === 'start')).toHaveLength(3);
    await manager.close();
  });

  test('a failed operation is traced with the secret-free GuardRedisError, and reported as operation_failed', async () => {
    const fake = new FakeConnection();
    const agent = recordingAgent();
    const manager = new RedisManager(
      { redisUrl: 'redis://:TraceSecret7@fake:6379', logger: captureLogger().logger },
      { openConnection: async () => fake },
    );
    manager.initializeAgent(agent);
    await manager.initialize();
    const seen = listenTraces();
    fake.failWith = new Error('connect ECONNRESET (password TraceSecret7)');
    await expect(manager.getKey('ns', 'k')).rejects.toBeInstanceOf(GuardRedisError);
    const error = seen.find((r) => r.phase === 'error')?.error;
    expect(error).toBeInstanceOf(GuardRedisError);
    expect((error as GuardRedisError).statusCode).toBe(503);
    expect(String((error as Error).message)).not.toContain('TraceSecret7');
    const failed = agent.events.filter((e) => e.action_taken === 'operation_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.metadata).toEqual({ operation: 'getKey', error_type: 'operation_error', status_code: 503 });
    expect(JSON.stringify(agent.events)).not.toContain('TraceSecret7');
    await manager.close();
  });
});
