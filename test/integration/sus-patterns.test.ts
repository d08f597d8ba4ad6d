/**
 * SusPatternsManager on a real Redis, for each API: every method, the bytes at
 * `patterns:custom` as a Python replica writes and reads them, lossless restore of patterns the
 * original corrupts (commas), refusal of unsafe patterns, and two replicas agreeing.
 */
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import * as asyncApi from '../../src/index.js';
import { GuardInputError, GuardPatternError, silentLogger, type SecurityConfigInput } from '../../src/index.js';
import { apisUnderTest, captureFailure, eventually, type Awaitable } from '../support/apis.js';
import { createPatterns, type PatternsUnderTest } from './patterns-api.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';

const raw = rawClient();
afterAll(() => raw.quit());

const TRICKY = ['a{1,3}b', 'x,y', `say "hi" and 'bye'`, 'é+☃\\u00e9', 'back\\\\slash', 'a{2,}c,d'];

describe.each(apisUnderTest)('SusPatternsManager on a real Redis ($name API)', (api) => {
  let prefix: string;
  const closers: Array<{ close(): Awaitable<void> }> = [];
  const config = (extra: SecurityConfigInput = {}): SecurityConfigInput => ({
    redisUrl: redisUrl(),
    redisPrefix: prefix,
    logger: silentLogger,
    ...extra,
  });
  /** A replica: its own RedisManager and patterns manager, initialised. */
  const replica = async (extra: SecurityConfigInput = {}): Promise<PatternsUnderTest> => {
    const redis = api.createManager(config(extra));
    await redis.initialize();
    const patterns = createPatterns(api.name, config(extra));
    closers.push(patterns, redis);
    await patterns.initializeRedis(redis);
    return patterns;
  };
  const commaKey = () => `${prefix}patterns:custom`;
  const listKey = () => `${prefix}patterns:custom_list:{${prefix}patterns:custom}`;

  beforeEach(() => {
    prefix = uniquePrefix('pat');
  });
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c.close();
    await deleteByPrefix(raw, prefix);
  });

  test('add: mode redis, listed, persisted at patterns:custom with the bytes Python writes', async () => {
    const m = await replica();
    expect(m.mode).toBe('redis');
    expect(await m.addPattern('union\\s+select')).toBe(true);
    expect(await m.addPattern('union\\s+select')).toBe(false);
    expect(await m.getCustomPatterns()).toEqual(['union\\s+select']);
    // Python: ",".join({"union\\s+select"})
    expect(await raw.get(commaKey())).toBe('union\\s+select');
    expect(await m.addPattern('<script[^>]*>')).toBe(true);
    expect(await m.addPattern('\\.\\./')).toBe(true);
    const value = (await raw.get(commaKey()))!;
    expect(new Set(value.split(','))).toEqual(new Set(['union\\s+select', '<script[^>]*>', '\\.\\./']));
    expect(await raw.ttl(commaKey())).toBe(-1); // no TTL, as the original
    const all = await m.getAllPatterns();
    expect(all.slice(-3)).toEqual(['<script[^>]*>', '\\.\\./', 'union\\s+select']);
    expect(all.length).toBe(asyncApi.BUILTIN_PATTERNS.length + 3);
  });

  test('a{1,3}b, commas, quotes and unicode survive a restart; the comma key holds only comma-free ones', async () => {
    const a = await replica();
    for (const p of TRICKY) expect(await a.addPattern(p)).toBe(true);
    await a.close();
    const b = await replica(); // a "restart": a new manager restores from the same Redis
    expect(new Set(await b.getCustomPatterns())).toEqual(new Set(TRICKY));
    const comma = (await raw.get(commaKey()))!;
    expect(new Set(comma.split(','))).toEqual(new Set(TRICKY.filter((p) => !p.includes(','))));
    expect((await b.matchContent('xx a{1,3}b aab')).matched).toContain('a{1,3}b');
    expect((await b.matchContent('SAY "HI" AND \'BYE\'')).matched).toContain(TRICKY[2]);
  });

  test('a Python replica: its patterns are restored, its later additions merged, fragments and removed ones ignored', async () => {
    await raw.set(commaKey(), 'p1,eval\\(');
    const a = await replica({ patternSyncIntervalMs: 100 });
    expect(await a.getCustomPatterns()).toEqual(['eval\\(', 'p1']);
    await a.addPattern('a{1,3}b');
    await a.removePattern('p1');
    expect(await raw.get(commaKey())).toBe('eval\\(');
    // Python restarts, reads "eval\\(", adds p2 and rewrites with a stale p1 and our fragment-like split:
    await raw.set(commaKey(), 'eval\\(,p1,p2,a{1,3}b');
    await eventually(async () => expect(await a.getCustomPatterns()).toEqual(['a{1,3}b', 'eval\\(', 'p2']), 3000);
    expect(new Set((await raw.get(commaKey()))!.split(','))).toEqual(new Set(['eval\\(', 'p2']));
  });

  test('refused patterns throw GuardPatternError and store nothing', async () => {
    const m = await replica({ patternMaxLength: 50, patternMaxCount: 2 });
    for (const [pattern, reason] of [
      ['(a+)+$', 'unsafe'],
      ['(a|a)*$', 'unsafe'],
      ['(\\w+\\s?)*$', 'unsafe'],
      ['[', 'syntax'],
      ['x'.repeat(51), 'too-long'],
      ['', 'empty'],
    ] as const) {
      const error = await captureFailure(() => m.addPattern(pattern));
      expect(error, pattern).toBeInstanceOf(GuardPatternError);
      expect(error, pattern).toBeInstanceOf(GuardInputError);
      expect((error as GuardPatternError).reason, pattern).toBe(reason);
      expect((error as GuardPatternError).pattern, pattern).toBe(pattern);
      expect((error as GuardPatternError).field, pattern).toBe('pattern');
    }
    expect(await raw.exists(commaKey(), listKey())).toBe(0);
    await m.addPattern('a');
    await m.addPattern('b');
    const tooMany = await captureFailure(() => m.addPattern('c'));
    expect((tooMany as GuardPatternError).reason).toBe('too-many');
    expect(await m.addPattern('a')).toBe(false); // re-adding a known one is not "one more"
    expect(await m.getCustomPatterns()).toEqual(['a', 'b']);
  });

  test('matchContent: built-in and custom matches, bounded input', async () => {
    const m = await replica({ patternMaxContentLength: 64 });
    expect((await m.matchContent('hello world')).matched).toEqual([]);
    const xss = await m.matchContent('<SCRIPT>alert(1)</script>');
    expect(xss.matched).toEqual(['<script\\b']);
    expect(xss.truncated).toBe(false);
    expect((await m.matchContent("name=' OR 1=1 --")).matched).toHaveLength(1);
    await m.addPattern('secret-token');
    expect((await m.matchContent('a SECRET-TOKEN here')).matched).toEqual(['secret-token']);
    const long = await m.matchContent('x'.repeat(64) + 'secret-token');
    expect(long).toEqual({ matched: [], truncated: true });
    const error = await captureFailure(() => m.matchContent(42 as unknown as string));
    expect((error as GuardInputError).field).toBe('text');
  });

  test('removePattern and reset, here and on Redis; built-ins stay', async () => {
    const m = await replica();
    await m.addPattern('one');
    await m.addPattern('t,wo');
    expect(await m.removePattern('one')).toBe(true);
    expect(await m.removePattern('one')).toBe(false);
    expect(await raw.get(commaKey())).toBe(''); // what Python writes for an empty list
    expect(await m.getCustomPatterns()).toEqual(['t,wo']);
    await m.reset();
    expect(await m.getCustomPatterns()).toEqual([]);
    expect(await raw.exists(listKey())).toBe(0);
    expect(await m.getAllPatterns()).toEqual(asyncApi.BUILTIN_PATTERNS.map((b) => b.pattern));
    const error = await captureFailure(() => m.removePattern(''));
    expect(error).toBeInstanceOf(GuardInputError);
  });

  test('two replicas: concurrent adds both survive; a change on one is seen by the other on its next calls', async () => {
    const a = await replica();
    const b = await replica();
    await Promise.all([a.addPattern('from-a'), b.addPattern('from-b')]);
    expect(new Set(await raw.smembers(listKey()))).toEqual(new Set(['from-a', 'from-b']));
    // announced on patterns_events: picked up on the next calls, well before the 5 s re-read
    await eventually(async () => expect(await a.getCustomPatterns()).toEqual(['from-a', 'from-b']), 2000, 20);
    await eventually(async () => expect(await b.getCustomPatterns()).toEqual(['from-a', 'from-b']), 2000, 20);
    await a.removePattern('from-b');
    await eventually(async () => expect(await b.getCustomPatterns()).toEqual(['from-a']), 2000, 20);
    expect((await b.matchContent('from-b')).matched).toEqual([]);
  });

  test('probe answers true on a live Redis; close() leaves memory only; without Redis the manager is disabled and works in memory', async () => {
    const m = await replica();
    expect(await m.probe()).toBe(true);
    await m.addPattern('kept');
    await m.close(); // stops the subscription and Redis traffic; keeps answering from memory
    expect(m.mode).toBe('disabled');
    expect(await m.addPattern('after-close')).toBe(true);
    expect(await m.getCustomPatterns()).toEqual(['after-close', 'kept']);
    expect(await raw.get(commaKey())).toBe('kept');
    const local = createPatterns(api.name, config());
    closers.push(local);
    await local.initializeRedis(null);
    expect(local.mode).toBe('disabled');
    expect(await local.probe()).toBe(false);
    await local.addPattern('only-here');
    expect(await local.getCustomPatterns()).toEqual(['only-here']);
    expect((await local.matchContent('ONLY-HERE')).matched).toEqual(['only-here']);
    expect(await raw.get(commaKey())).toBe('kept'); // neither the closed nor the Redis-less manager wrote
  });
});
