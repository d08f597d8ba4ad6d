/**
 * What crosses the bridge (reference/sync-bridge.md §(a)): values that cannot be cloned (5, 6),
 * errors with their class and fields (7), large payloads (15), and a sync call made while an
 * async call is pending (19).
 */
import { createRequire } from 'node:module';
import { ReplyError } from 'ioredis';
import { afterAll, describe, expect, test } from 'vitest';
import {
  GuardBridgeSerializationError,
  GuardConfigError,
  GuardCoreError,
  GuardHttpError,
  GuardInputError,
  GuardRedisError,
} from '../../src/core/errors.js';
import { RedisManager } from '../../src/index.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { testChannel, thrownBy } from './support.js';

const MaxRetriesPerRequestError = (
  createRequire(import.meta.url)('ioredis/built/errors/MaxRetriesPerRequestError.js') as { default: typeof Error }
).default;
const bridge = testChannel('test-service.mjs');
afterAll(() => bridge.close());

const callsSoFar = (): number => (bridge.call('stats', [], 5_000) as { calls: number }).calls;

describe('(5)/(6) values that cannot be cloned', () => {
  test('an argument that cannot be cloned throws GuardBridgeSerializationError before anything is sent', () => {
    expect(bridge.call('echo', ['warm'], 5_000)).toBe('warm');
    const before = callsSoFar();
    const thrown = thrownBy(() => bridge.call('echo', [() => 1], 5_000));
    expect(thrown).toBeInstanceOf(GuardBridgeSerializationError);
    expect((thrown as GuardBridgeSerializationError).direction).toBe('argument');
    expect((thrown as Error).message).toMatch(/an argument of echo cannot be copied/);
    expect(callsSoFar()).toBe(before); // the worker never saw it
    expect(bridge.call('echo', ['next'], 5_000)).toBe('next');
  });

  test.each([
    ['a function', 'returnFunction'],
    ['a symbol', 'returnSymbol'],
  ])('a result that is %s throws GuardBridgeSerializationError; the worker stays healthy', (_what, op) => {
    const generation = bridge.generation;
    const thrown = thrownBy(() => bridge.call(op, [], 5_000));
    expect(thrown).toBeInstanceOf(GuardBridgeSerializationError);
    expect((thrown as GuardBridgeSerializationError).direction).toBe('result');
    expect((thrown as Error).message).toMatch(new RegExp(`the result of ${op} cannot be copied back`));
    expect(bridge.call('echo', [{ a: [1, 2] }], 5_000)).toEqual({ a: [1, 2] });
    expect(bridge.generation).toBe(generation);
  });
});

describe('(7) errors keep their identity across the bridge', () => {
  const fromWorker = (kind: string): unknown => thrownBy(() => bridge.call('throw', [kind], 5_000));

  test('GuardRedisError keeps its class, statusCode, detail and cause; the stack shows both threads', () => {
    const error = fromWorker('redis') as GuardRedisError;
    expect(error).toBeInstanceOf(GuardRedisError);
    expect(error).toBeInstanceOf(GuardCoreError);
    expect(error.name).toBe('GuardRedisError');
    expect(error.statusCode).toBe(503);
    expect(error.detail).toBe('Redis command timed out (redis://127.0.0.1:1)');
    expect(error.message).toBe('Redis command timed out (redis://127.0.0.1:1) (status 503)');
    expect((error.cause as Error).message).toBe('socket');
    expect(error.stack).toContain('test-service.mjs'); // the worker's frames
    expect(error.stack).toContain('guard-core sync bridge');
    expect(error.stack).toContain('channel-data.test.ts'); // the caller's frame
    expect(Object.keys(error).sort()).toEqual(['code', 'detail', 'name', 'statusCode']);
    expect(error.code).toBe('GUARD_REDIS_UNAVAILABLE');
  });

  test('GuardHttpError, GuardInputError and GuardConfigError keep their fields', () => {
    const http = fromWorker('http') as GuardHttpError;
    expect(http).toBeInstanceOf(GuardHttpError);
    expect([http.url, http.status]).toEqual(['https://feed.example/x', 502]);
    const input = fromWorker('input') as GuardInputError;
    expect(input).toBeInstanceOf(GuardInputError);
    expect([input.field, input.message]).toEqual(['ttl', 'Invalid ttl: must be positive']);
    const config = fromWorker('config') as GuardConfigError;
    expect(config).toBeInstanceOf(GuardConfigError);
    expect(config.field).toBe('redisPrefix');
    expect(config.issues).toEqual([{ field: 'redisPrefix', message: 'too long' }]);
  });

  test('TypeError and RangeError keep their class and own fields', () => {
    const type = fromWorker('type') as TypeError & { code: string };
    expect(type).toBeInstanceOf(TypeError);
    expect([type.name, type.message, type.code]).toEqual(['TypeError', 'bad type', 'ERR_BAD']);
    expect(fromWorker('range')).toBeInstanceOf(RangeError);
  });

  test('ioredis ReplyError and MaxRetriesPerRequestError are rebuilt as the ioredis classes', () => {
    const reply = fromWorker('reply') as Error & { command: unknown };
    expect(reply).toBeInstanceOf(ReplyError);
    expect(reply.name).toBe('ReplyError');
    expect(reply.message).toMatch(/^WRONGTYPE/);
    expect(reply.command).toEqual({ name: 'get', args: ['k'] });
    const retries = fromWorker('maxretries');
    expect(retries).toBeInstanceOf(MaxRetriesPerRequestError);
    expect((retries as Error).name).toBe('MaxRetriesPerRequestError');
  });

  test('an AbortError DOMException stays a DOMException named AbortError', () => {
    const abort = fromWorker('abort') as DOMException;
    expect(abort).toBeInstanceOf(DOMException);
    expect(abort.name).toBe('AbortError');
    expect(abort.message).toBe('This operation was aborted');
  });

  test('AggregateError keeps its inner errors, each rebuilt', () => {
    const aggregate = fromWorker('aggregate') as AggregateError;
    expect(aggregate).toBeInstanceOf(AggregateError);
    expect(aggregate.message).toBe('two failures');
    expect(aggregate.errors).toHaveLength(2);
    expect(aggregate.errors[0]).toBeInstanceOf(TypeError);
    expect(aggregate.errors[1]).toBeInstanceOf(GuardInputError);
  });

  test('a 3-level cause chain survives', () => {
    const top = fromWorker('cause3') as Error;
    const second = top.cause as Error;
    const third = second.cause as Error;
    expect([top.message, second.message, third.message]).toEqual(['level 1', 'level 2', 'level 3']);
    expect(third).toBeInstanceOf(RangeError);
  });

  test('an unknown class comes back as an Error with its name and cloneable fields; a function field is described', () => {
    const weird = fromWorker('custom') as Error & { extra: number; callback: unknown };
    expect(weird).toBeInstanceOf(Error);
    expect([weird.name, weird.message, weird.extra]).toEqual(['WeirdError', 'weird', 42]);
    expect(weird.callback).toBe('[function anonymous]');
  });

  test.each([
    ['string', 'plain string'],
    ['number', 42],
    ['undefined', undefined],
  ])('a thrown %s stays a primitive', (kind, value) => {
    const thrown = fromWorker(kind);
    expect(typeof thrown).toBe(typeof value);
    expect(thrown).toBe(value);
  });

  test('a thrown symbol stays a symbol with its description', () => {
    const thrown = fromWorker('symbol');
    expect(typeof thrown).toBe('symbol');
    expect((thrown as symbol).description).toBe('thrown symbol');
  });
});

describe('(15) large payloads', () => {
  test('a 4 MB string and a 10 000-element array round-trip intact', () => {
    const big = 'guard-core'.repeat(400_000);
    expect(bridge.call('echo', [big], 10_000)).toBe(big);
    const cidrs = Array.from({ length: 10_000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.0/24`);
    expect(bridge.call('echo', [cidrs], 10_000)).toEqual(cidrs);
  });
});

describe('(19) a sync call while an async call is pending', () => {
  const raw = rawClient();
  afterAll(() => raw.quit());

  test('the sync call completes, then the pending async call settles once, correctly', async () => {
    const prefix = uniquePrefix('bridge19');
    const manager = new RedisManager({ redisUrl: redisUrl(), redisPrefix: prefix });
    await manager.initialize();
    await manager.setKey('ns', 'k', 'async value');
    let settled = 0;
    const pending = manager.getKey('ns', 'k').then((value) => {
      settled++;
      return value;
    });
    const timer = new Promise<string>((resolve) => setTimeout(() => resolve('timer'), 5));
    expect(bridge.call('echoLater', ['sync value', 50], 5_000)).toBe('sync value');
    expect(await pending).toBe('async value');
    expect(await timer).toBe('timer');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(1);
    await manager.close();
    await deleteByPrefix(raw, prefix);
  });
});
