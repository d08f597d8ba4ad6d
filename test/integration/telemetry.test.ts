/**
 * Telemetry on a real (private) Redis, for each API: the agent events of the original's
 * RedisManager with redacted URLs, connection and operation failures, agents that fail, and the
 * diagnostics_channel events and per-command traces seen on the application's thread — for the
 * sync API too, whose Redis client runs in the bridge worker.
 */
import { channel, tracingChannel } from 'node:diagnostics_channel';
import { isMainThread } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as asyncApi from '../../src/index.js';
import {
  CLOUD_EVENTS_CHANNEL,
  GuardRedisError,
  REDIS_COMMAND_TRACING_CHANNEL,
  REDIS_EVENTS_CHANNEL,
  SUBSYSTEM_EVENTS_CHANNEL,
  type AgentHandler,
  type HttpClient,
  type RedisCommandTraceContext,
  type SecurityConfigInput,
  type SecurityEvent,
} from '../../src/index.js';
import * as syncApi from '../../src/sync.js';
import { apisUnderTest, captureFailure, type ApiUnderTest, type ManagerUnderTest } from '../support/apis.js';
import { captureLogger } from '../support/logger.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { freePort, startPrivateRedis, type TestRedisServer } from '../support/redis-server.js';

const PASSWORD = 'Tele-Metry-Secret-42';
const raw = rawClient();
afterAll(() => raw.quit());

/** Unsubscribes and closes what a test opened, even when it failed. */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A RedisManager of either API, with the telemetry method the shared interface leaves out. */
type TelemetryManager = ManagerUnderTest & { initializeAgent(agent: AgentHandler | null): void };

function managerOf(api: ApiUnderTest, config: SecurityConfigInput): TelemetryManager {
  const manager = api.createManager({ logger: captureLogger().logger, ...config }) as TelemetryManager;
  cleanups.push(() => manager.close());
  return manager;
}

/** The classes of one API; the sync ones return plain values, which `await` passes through. */
function libraryOf(api: ApiUnderTest): typeof asyncApi {
  return (api.name === 'async' ? asyncApi : syncApi) as unknown as typeof asyncApi;
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

interface Heard {
  readonly event: SecurityEvent;
  readonly onMainThread: boolean;
}

function listen(name: string): Heard[] {
  const heard: Heard[] = [];
  const onMessage = (message: unknown): void => {
    heard.push({ event: message as SecurityEvent, onMainThread: isMainThread });
  };
  channel(name).subscribe(onMessage);
  cleanups.push(() => channel(name).unsubscribe(onMessage));
  return heard;
}

interface Traced {
  readonly phase: string;
  readonly operation: string;
  readonly key: string | null;
  readonly script: string | null;
  readonly result: unknown;
  readonly error: unknown;
  readonly onMainThread: boolean;
}

function listenTraces(): Traced[] {
  const seen: Traced[] = [];
  const trace = tracingChannel<unknown, RedisCommandTraceContext>(REDIS_COMMAND_TRACING_CHANNEL);
  const at =
    (phase: string) =>
    (c: RedisCommandTraceContext): void => {
      seen.push({ phase, ...c, result: c.result, error: c.error, onMainThread: isMainThread });
    };
  const handlers = {
    start: at('start'),
    end: at('end'),
    asyncStart: at('asyncStart'),
    asyncEnd: at('asyncEnd'),
    error: at('error'),
  };
  trace.subscribe(handlers);
  cleanups.push(() => trace.unsubscribe(handlers));
  return seen;
}

const actions = (events: readonly SecurityEvent[]): string[] => events.map((e) => `${e.event_type}/${e.action_taken}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(apisUnderTest)('Telemetry of RedisManager ($name API)', (api) => {
  let authServer: TestRedisServer;

  beforeAll(async () => {
    authServer = await startPrivateRedis(['--requirepass', PASSWORD]);
  });
  afterAll(async () => {
    await authServer.dispose();
  });

  test('the agent gets connection_established and connection_closed, the URL redacted, the password nowhere', async () => {
    const agent = recordingAgent();
    const heard = listen(REDIS_EVENTS_CHANNEL);
    const manager = managerOf(api, {
      redisUrl: `redis://:${PASSWORD}@127.0.0.1:${authServer.port}/0`,
      redisPrefix: uniquePrefix('tel'),
    });
    manager.initializeAgent(agent);
    await manager.initialize();
    expect(await manager.setKey('ns', 'k', 'v', 10)).toBe(true);
    await manager.close();
    expect(actions(agent.events)).toEqual([
      'redis_connection/connection_established',
      'redis_connection/connection_closed',
    ]);
    expect(agent.events[0]).toMatchObject({
      ip_address: 'system',
      handler_name: 'redis',
      reason: 'Redis connection established',
      metadata: { redis_url: `redis://127.0.0.1:${authServer.port}/0` },
    });
    expect(agent.events[1]?.metadata).toEqual({});
    // The same events, the same objects, on the channel, on this thread.
    expect(heard.map((h) => h.event)).toEqual(agent.events);
    expect(heard.every((h) => h.onMainThread)).toBe(true);
    expect(JSON.stringify(agent.events)).not.toContain(PASSWORD);
  });

  test('connection_failed (error_type connection_error) on a refused port, without the password', async () => {
    const agent = recordingAgent();
    const port = await freePort();
    const manager = managerOf(api, {
      redisUrl: `redis://admin:${PASSWORD}@127.0.0.1:${port}/0?password=${PASSWORD}`,
      redisConnectTimeoutMs: 500,
      redisCommandTimeoutMs: 500,
    });
    manager.initializeAgent(agent);
    const error = await captureFailure(() => manager.initialize());
    expect(error).toBeInstanceOf(GuardRedisError);
    expect(actions(agent.events)).toEqual(['redis_error/connection_failed']);
    const [failed] = agent.events as [SecurityEvent];
    expect(failed.metadata).toEqual({
      redis_url: `redis://127.0.0.1:${port}/0?password=REDACTED`,
      error_type: 'connection_error',
    });
    expect(failed.reason).toContain('Redis connection failed');
    expect(JSON.stringify(agent.events)).not.toContain(PASSWORD);
    expect(JSON.stringify(agent.events)).not.toContain('admin');
  });

  test('operation_failed (error_type operation_error) during an outage; back, the connection is reported again', async () => {
    const server = await startPrivateRedis();
    cleanups.push(() => server.dispose());
    const agent = recordingAgent();
    const manager = managerOf(api, {
      redisUrl: `redis://127.0.0.1:${server.port}`,
      redisPrefix: uniquePrefix('tel-out'),
      redisConnectTimeoutMs: 500,
      redisCommandTimeoutMs: 500,
    });
    manager.initializeAgent(agent);
    await manager.initialize();
    await server.stop();
    expect(await captureFailure(() => manager.getKey('ns', 'k'))).toBeInstanceOf(GuardRedisError);
    const failed = agent.events.find((e) => e.action_taken === 'operation_failed');
    expect(failed).toMatchObject({
      event_type: 'redis_error',
      ip_address: 'system',
      metadata: { operation: 'getKey', error_type: 'operation_error', status_code: 503 },
    });
    await server.start();
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await manager.getKey('ns', 'k');
        break;
      } catch (error) {
        if (!(error instanceof GuardRedisError) || Date.now() > deadline) throw error;
        await sleep(100);
      }
    }
    const afterOutage = actions(agent.events.slice(agent.events.indexOf(failed as SecurityEvent)));
    expect(
      afterOutage.some(
        (a) => a === 'redis_connection/connection_restored' || a === 'redis_connection/connection_established',
      ),
    ).toBe(true);
    // A closed manager's refusals say so.
    await manager.close();
    await captureFailure(() => manager.getKey('ns', 'k'));
    expect(agent.events.at(-1)?.metadata).toMatchObject({ operation: 'getKey', error_type: 'connection_closed' });
  });

  test('an agent that throws, or one that rejects, never breaks an operation and is logged once', async () => {
    for (const sendEvent of [
      () => {
        throw new Error('agent exploded');
      },
      async () => Promise.reject(new Error('agent rejected')),
    ]) {
      const log = captureLogger();
      const prefix = uniquePrefix('tel-bad');
      cleanups.push(() => deleteByPrefix(raw, prefix));
      const manager = managerOf(api, { redisUrl: redisUrl(), redisPrefix: prefix, logger: log.logger });
      manager.initializeAgent({ sendEvent });
      await manager.initialize();
      expect(await manager.setKey('ns', 'k', 'v', 10)).toBe(true);
      expect(await manager.getKey('ns', 'k')).toBe('v');
      await manager.close();
      // The failure of an operation is still the operation's own error, not the agent's.
      const error = await captureFailure(() => manager.getKey('ns', 'k'));
      expect(error).toBeInstanceOf(GuardRedisError);
      await sleep(10);
      const warnings = log.lines.filter((l) => l.message.startsWith('Telemetry agent failed'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.level).toBe('warn');
    }
  });

  test('diagnostics_channel on the main thread sees the events and a trace of every operation', async () => {
    const heard = listen(REDIS_EVENTS_CHANNEL);
    const traces = listenTraces();
    const prefix = uniquePrefix('tel-trace');
    cleanups.push(() => deleteByPrefix(raw, prefix));
    const manager = managerOf(api, { redisUrl: redisUrl(), redisPrefix: prefix });
    await manager.initialize();
    await manager.setKey('ns', 'k', 'v', 10);
    expect(await manager.getKey('ns', 'k')).toBe('v');
    expect(await manager.incr('ns', 'n', 10)).toBe(1);
    const now = Date.now() / 1000;
    expect(await manager.recordSlidingWindowHit('ns', 'w', now, now - 60, 60)).toBe(1);
    await manager.close();

    expect(heard.map((h) => `${h.event.event_type}/${h.event.action_taken}`)).toEqual([
      'redis_connection/connection_established',
      'redis_connection/connection_closed',
    ]);
    expect(traces.every((t) => t.onMainThread)).toBe(true);
    const phases = api.name === 'async' ? ['start', 'end', 'asyncStart', 'asyncEnd'] : ['start', 'end'];
    const byOperation = (operation: string) => traces.filter((t) => t.operation === operation);
    for (const operation of ['setKey', 'getKey', 'incr', 'recordSlidingWindowHit']) {
      expect(byOperation(operation).map((t) => t.phase)).toEqual(phases);
    }
    const getKeyDone = byOperation('getKey').at(-1);
    expect(getKeyDone).toMatchObject({ key: `${prefix}ns:k`, script: null, result: 'v', error: undefined });
    expect(byOperation('recordSlidingWindowHit').at(-1)).toMatchObject({ key: `${prefix}ns:w`, result: 1 });
    expect(byOperation('recordSlidingWindowHit')[0]?.script).toEqual(expect.any(String));
  });

  test('a failed operation is traced with its error (start, error, end…) on the main thread', async () => {
    const traces = listenTraces();
    const manager = managerOf(api, { redisUrl: redisUrl(), redisPrefix: uniquePrefix('tel-err') });
    await manager.initialize();
    await manager.close();
    expect(await captureFailure(() => manager.getKey('ns', 'k'))).toBeInstanceOf(GuardRedisError);
    const phases = traces.filter((t) => t.operation === 'getKey').map((t) => t.phase);
    expect(phases).toEqual(
      api.name === 'async' ? ['start', 'end', 'error', 'asyncStart', 'asyncEnd'] : ['start', 'error', 'end'],
    );
    expect(traces.find((t) => t.phase === 'error')?.error).toBeInstanceOf(GuardRedisError);
    expect(traces.every((t) => t.onMainThread)).toBe(true);
  });
});

describe.each(apisUnderTest)('Telemetry of HandlerInitializer and the subsystems ($name API)', (api) => {
  const lib = libraryOf(api);

  test('the agent of the options reaches every manager: bans, patterns, rate limit, cloud', async () => {
    const agent = recordingAgent();
    const subsystemHeard = listen(SUBSYSTEM_EVENTS_CHANNEL);
    const cloudHeard = listen(CLOUD_EVENTS_CHANNEL);
    const http = {
      getText: (url: string) => ({ status: 503, url, body: '' }),
    } as unknown as HttpClient;
    const init = new lib.HandlerInitializer(
      {
        enableRedis: false,
        blockCloudProviders: ['AWS'],
        lazyInit: false,
        rateLimit: 1,
        logger: captureLogger().logger,
      },
      { agent, http },
    );
    cleanups.push(() => init.close());
    await init.initializeRedisHandlers();
    expect(await init.ipBans.banIp('203.0.113.9', 60, 'threshold_exceeded')).toBe(true);
    expect(await init.ipBans.unbanIp('203.0.113.9')).toBe(true);
    expect(await init.ipBans.unbanIp('203.0.113.9')).toBe(false); // nothing lifted: no event
    expect(await init.patterns.addPattern('evil[0-9]+payload')).toBe(true);
    expect(await init.patterns.removePattern('evil[0-9]+payload')).toBe(true);
    expect((await init.rateLimiter.check('198.51.100.4')).allowed).toBe(true);
    expect((await init.rateLimiter.check('198.51.100.4')).allowed).toBe(false);

    expect(actions(agent.events)).toEqual([
      'cloud_ip_refresh/refresh_failed',
      'ip_banned/banned',
      'ip_unbanned/unbanned',
      'pattern_added/pattern_added',
      'pattern_removed/pattern_removed',
      'rate_limited/request_blocked',
    ]);
    const byType = (type: string) => agent.events.find((e) => e.event_type === type);
    expect(byType('cloud_ip_refresh')).toMatchObject({
      handler_name: 'cloud',
      ip_address: 'system',
      metadata: { provider: 'AWS', entries_kept: 0 },
    });
    expect(byType('ip_banned')).toMatchObject({
      handler_name: 'ip_ban',
      ip_address: '203.0.113.9',
      reason: 'threshold_exceeded',
      metadata: { duration: 60, kind: 'ip', source: 'memory' },
    });
    expect(byType('ip_unbanned')).toMatchObject({ handler_name: 'ip_ban', ip_address: '203.0.113.9' });
    expect(byType('pattern_added')).toMatchObject({
      handler_name: 'sus_patterns',
      ip_address: 'system',
      metadata: { pattern: 'evil[0-9]+payload', pattern_type: 'custom', total_patterns: 1 },
    });
    expect(byType('pattern_removed')?.metadata).toMatchObject({ total_patterns: 0 });
    expect(byType('rate_limited')).toMatchObject({
      handler_name: 'rate_limit',
      ip_address: '198.51.100.4',
      metadata: { request_count: 1, rate_limit: 1, window: 60, endpoint: null, source: 'memory' },
    });
    expect(cloudHeard.map((h) => h.event)).toEqual(agent.events.slice(0, 1));
    expect(subsystemHeard.map((h) => h.event)).toEqual(agent.events.slice(1));
    expect([...cloudHeard, ...subsystemHeard].every((h) => h.onMainThread)).toBe(true);
  });

  test("with Redis, the initializer's own RedisManager reports its first connection to the agent", async () => {
    const agent = recordingAgent();
    const init = new lib.HandlerInitializer(
      { redisUrl: redisUrl(), redisPrefix: uniquePrefix('tel-init'), logger: captureLogger().logger },
      { agent },
    );
    await init.initializeRedisHandlers();
    await init.close();
    expect(actions(agent.events)).toEqual([
      'redis_connection/connection_established',
      'redis_connection/connection_closed',
    ]);
  });
});
