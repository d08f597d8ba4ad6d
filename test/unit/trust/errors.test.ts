/**
 * Issue 10 (trust), items 4, 6 and 7 at the unit level: a stable `code` on every error class that
 * survives the sync bridge's codec; data errors are not outages; one log line per outage; no
 * secret (however short) in a scrubbed error; lone surrogates refused before any I/O.
 */
import { inspect } from 'node:util';
import { ReplyError } from 'ioredis';
import { describe, expect, test } from 'vitest';
import * as core from '../../../src/core/errors.js';
import {
  GuardInputError,
  GuardRedisDataError,
  GuardRedisError,
  InMemoryCloudIpStore,
  RedisManager,
  parseSecurityConfig,
} from '../../../src/index.js';
import { decodeThrown, encodeThrown } from '../../../src/bridge/codec/error-codec.js';
import { redactUrl, scrubError, scrubSecrets } from '../../../src/core/redact.js';
import { RedisFailover } from '../../../src/async/support/redis-failover.js';
import { captureFailure } from '../../support/apis.js';
import { fakeOpener } from '../../support/fake-connection.js';
import { captureLogger } from '../../support/logger.js';

/** One instance of every error class guard-core exports, built with its real constructor. */
function everyError(): Error[] {
  return [
    new core.GuardCoreError('x'),
    new core.GuardRedisError(503, 'down'),
    new core.GuardRedisDataError('WRONGTYPE', 'p:k'),
    new core.GuardRedisClusterError('scan incomplete', ['127.0.0.1:7002'], ['10923-16383']),
    new core.GuardConfigError([{ field: 'a', message: 'b' }]),
    new core.GuardInputError('key', 'bad'),
    new core.GuardHttpError('http://x', null, 'failed'),
    new core.GuardFeedError('AWS', null, 'bad'),
    new core.GuardBridgeError('bridge'),
    new core.GuardBridgeStartError('start'),
    new core.GuardBridgeCrashError('crash', 'redis.get', 1),
    new core.GuardBridgeTimeoutError('slow', 'redis.get', 100),
    new core.GuardBridgeSerializationError('clone', 'redis.get', 'argument'),
    new core.GuardBridgeClosedError('closed'),
    ...('GuardPatternError' in core
      ? [
          new (core as unknown as { GuardPatternError: new (...a: unknown[]) => Error }).GuardPatternError(
            'pattern',
            '(',
            'syntax',
            'bad',
          ),
        ]
      : []),
  ];
}

describe('error codes', () => {
  test('every class has its own stable code string, listed in GUARD_ERROR_CODES', () => {
    const errors = everyError();
    const codes = errors.map((e) => (e as core.GuardCoreError).code);
    for (const [i, error] of errors.entries()) {
      expect(codes[i], error.name).toBe(core.GUARD_ERROR_CODES[error.name as keyof typeof core.GUARD_ERROR_CODES]);
      expect(codes[i]).toMatch(/^GUARD_[A-Z_]+$/);
    }
    expect(new Set(codes).size).toBe(codes.length);
    expect(new core.GuardRedisError(503, 'x').code).toBe('GUARD_REDIS_UNAVAILABLE');
    expect(new core.GuardRedisDataError('x').code).toBe('GUARD_REDIS_DATA');
    expect(new core.GuardRedisDataError('x').statusCode).toBe(500);
  });

  test('codes, classes and reasons survive the sync bridge codec', () => {
    for (const error of everyError()) {
      const copy = decodeThrown(structuredClone(encodeThrown(error))) as core.GuardCoreError;
      expect(copy.constructor, error.name).toBe(error.constructor);
      expect(copy.code).toBe((error as core.GuardCoreError).code);
      expect(copy.message).toBe(error.message);
    }
    const data = decodeThrown(structuredClone(encodeThrown(new core.GuardRedisDataError('WRONGTYPE x', 'p:k'))));
    expect(data).toMatchObject({ statusCode: 500, detail: 'WRONGTYPE x', key: 'p:k', code: 'GUARD_REDIS_DATA' });
    const cluster = decodeThrown(
      structuredClone(encodeThrown(new core.GuardRedisClusterError('incomplete', ['h:1'], ['0-5460']))),
    );
    expect(cluster).toBeInstanceOf(core.GuardRedisError);
    expect(cluster).toMatchObject({
      statusCode: 503,
      code: 'GUARD_REDIS_CLUSTER_INCOMPLETE',
      unreachable: ['h:1'],
      slots: ['0-5460'],
    });
  });
});

function setup() {
  const opener = fakeOpener();
  const log = captureLogger();
  const manager = new RedisManager(
    { redisUrl: 'redis://:Zq@127.0.0.1:6390', redisPrefix: 'p:', logger: log.logger },
    { openConnection: opener.open },
  );
  return { opener, log, manager };
}

describe('Redis failures say why, once', () => {
  test('WRONGTYPE and non-integer replies are GuardRedisDataError (500) naming the key and the reason', async () => {
    const { opener, manager } = setup();
    await manager.initialize();
    opener.opened[0]!.failWith = new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value');
    const error = (await captureFailure(() => manager.getKey('ns', 'k'))) as GuardRedisDataError;
    expect(error).toBeInstanceOf(GuardRedisDataError);
    expect(error).toBeInstanceOf(GuardRedisError); // still a Redis failure for broad catches
    expect(error.statusCode).toBe(500);
    expect(error.code).toBe('GUARD_REDIS_DATA');
    expect(error.key).toBe('p:ns:k');
    expect(error.detail).toMatch(/WRONGTYPE/);
    expect(error.detail).toContain('p:ns:k');
  });

  test.each([
    "READONLY You can't write against a read only replica.",
    'NOPERM this user has no permissions',
    'LOADING Redis is loading',
    'OOM command not allowed',
  ])('%s is an outage (503) with the reason in the detail', async (reply) => {
    const { opener, manager } = setup();
    await manager.initialize();
    opener.opened[0]!.failWith = new ReplyError(reply);
    const error = (await captureFailure(() => manager.setKey('ns', 'k', 'v'))) as GuardRedisError;
    expect(error.statusCode).toBe(503);
    expect(error.code).toBe('GUARD_REDIS_UNAVAILABLE');
    expect(error.detail).toContain(reply.split(' ')[0]);
  });

  test('an outage is logged once, however many calls fail, and its end once', async () => {
    const { opener, manager, log } = setup();
    await manager.initialize();
    const before = log.lines.length;
    opener.opened[0]!.failWith = new Error('socket hang up');
    for (let i = 0; i < 500; i++) await captureFailure(() => manager.getKey('ns', `k${i}`));
    opener.opened[0]!.failWith = null;
    await manager.getKey('ns', 'k');
    await manager.getKey('ns', 'k');
    const lines = log.lines.slice(before);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(lines.filter((l) => l.message.startsWith('Redis answers again'))).toHaveLength(1);
  });

  test('a data error does not switch a subsystem to memory: it propagates; an outage does', async () => {
    const { opener, manager } = setup();
    await manager.initialize();
    const failover = new RedisFailover({ name: 'test', logger: captureLogger().logger, failOpen: true });
    failover.attach(manager);
    opener.opened[0]!.failWith = new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(await captureFailure(() => failover.run((r) => r.getKey('ns', 'k')))).toBeInstanceOf(GuardRedisDataError);
    expect(failover.mode).toBe('redis');
    opener.opened[0]!.failWith = new Error('socket hang up');
    expect(await failover.run((r) => r.getKey('ns', 'k'))).toEqual({ source: 'memory' });
    expect(failover.mode).toBe('memory');
  });
});

describe('secrets', () => {
  test('short secrets (1–2 characters) are scrubbed where they stand alone', () => {
    expect(scrubSecrets('AUTH Zq failed', 'redis://:Zq@h:1')).toBe('AUTH *** failed');
    expect(scrubSecrets('AUTH ¤ failed', 'redis://:%C2%A4@h:1')).toBe('AUTH *** failed');
    expect(scrubSecrets('connect to redis://:k@h:1/?password=k', 'redis://:k@h:1/?password=k')).not.toMatch(/[:=]k\b/);
    expect(scrubSecrets('Zqx stays', 'redis://:Zq@h:1')).toBe('Zqx stays'); // inside a word: not a leak of Zq alone
  });

  test("scrubError drops AUTH's arguments and scrubs every field and cause", () => {
    const reply = new ReplyError('WRONGPASS invalid username-password pair');
    Object.assign(reply, { command: { name: 'auth', args: ['admin', 'Zq'] } });
    const outer = new Error('failed for Zq', { cause: reply });
    Object.assign(outer, { extra: { note: 'password Zq here' } });
    scrubError(outer, ['redis://admin:Zq@h:1']);
    expect(inspect(outer, { depth: Infinity })).not.toMatch(/\bZq\b/);
    expect((reply as unknown as { command: { args: unknown } }).command.args).toEqual(['***']);
  });

  test('util.inspect and JSON of a config, a manager and a store never show a URL secret', async () => {
    const config = parseSecurityConfig({
      redisUrl: 'redis://admin:S3cretPw@127.0.0.1:6390/?password=Qu3ry',
      cloudFeedUrls: { AWS: 'https://u:FeedPw@mirror.example/aws.json' },
    });
    const { opener } = setup();
    const manager = new RedisManager(config, { openConnection: opener.open });
    await manager.initialize();
    const texts = [
      inspect(config, { depth: Infinity }),
      JSON.stringify(config),
      inspect(manager, { depth: Infinity, showHidden: false }),
      inspect({ nested: { manager, config } }, { depth: Infinity }),
      inspect(new InMemoryCloudIpStore(), { depth: Infinity }),
    ].join('\n');
    for (const secret of ['S3cretPw', 'Qu3ry', 'FeedPw']) expect(texts).not.toContain(secret);
    expect(config.redisUrl).toContain('S3cretPw'); // the code that connects still has it
    expect(redactUrl(config.redisUrl)).not.toContain('S3cretPw');
  });
});

describe('lone surrogates are refused before any I/O', () => {
  test('every RedisManager method that builds a key or stores a string', async () => {
    const { opener, manager } = setup();
    await manager.initialize();
    const calls = () => opener.opened[0]!.calls.length;
    const before = calls();
    const bad = '\ud800';
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['namespace', () => manager.getKey(bad, 'k')],
      ['key', () => manager.getKey('ns', `a${bad}`)],
      ['key', () => manager.setKey('ns', '\udc00', 'v')],
      ['value', () => manager.setKey('ns', 'k', `v${bad}`)],
      ['key', () => manager.incr('ns', bad)],
      ['key', () => manager.exists('ns', bad)],
      ['key', () => manager.delete('ns', bad)],
      ['pattern', () => manager.keys(`*${bad}`)],
      ['pattern', () => manager.deletePattern(bad)],
      ['key', () => manager.recordSlidingWindowHit('ns', bad, 2, 1, 10)],
      ['key', () => manager.runScript({ name: 't', lua: 'return 1' }, 'ns', [bad], [])],
      ['args', () => manager.runScript({ name: 't', lua: 'return 1' }, 'ns', ['k'], [bad])],
      ['channel', () => manager.publish(bad, 'm')],
      ['message', () => manager.publish('c', bad)],
      ['channel', () => manager.subscribe(bad)],
    ];
    for (const [field, call] of attempts) {
      const error = await captureFailure(call);
      expect(error, field).toBeInstanceOf(GuardInputError);
      expect((error as GuardInputError).field).toBe(field);
      expect((error as GuardInputError).code).toBe('GUARD_INPUT');
    }
    expect(calls()).toBe(before);
    // A well-formed surrogate pair is an ordinary character.
    expect(await manager.setKey('ns', 'emoji-\ud83d\ude00', 'v-\ud83d\ude00')).toBe(true);
  });

  test('stores refuse them in provider names and ranges', async () => {
    const store = new InMemoryCloudIpStore();
    expect(await captureFailure(() => store.set('\udc00', ['1.2.3.0/24']))).toBeInstanceOf(GuardInputError);
    expect(await captureFailure(() => store.set('AWS', ['1.2.3.0/24\ud800']))).toBeInstanceOf(GuardInputError);
    expect(await captureFailure(() => store.get('\ud800'))).toBeInstanceOf(GuardInputError);
  });
});
