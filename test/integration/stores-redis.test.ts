/**
 * RedisCloudIpStore on a real Redis: Python's exact bytes and key, TTL, copies, corrupt values,
 * clear() limited to its own keys — for each API under test.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import { silentLogger } from '../../src/index.js';
import { apisUnderTest, type ManagerUnderTest, type StoreUnderTest } from '../support/apis.js';
import { captureLogger } from '../support/logger.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { startPrivateRedis, type TestRedisServer } from '../support/redis-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(apisUnderTest)('RedisCloudIpStore with the default prefix ($name API)', (api) => {
  // The exact key `guard_core:cloud_ip:AWS` is only safe on a server no other test file uses.
  let server: TestRedisServer;
  let raw: Redis;
  let manager: ManagerUnderTest;
  let store: StoreUnderTest;

  beforeAll(async () => {
    server = await startPrivateRedis();
    raw = rawClient(server.url);
  });
  afterAll(async () => {
    raw.disconnect();
    await server.dispose();
  });
  beforeEach(async () => {
    manager = api.createManager({ redisUrl: server.url, logger: silentLogger });
    store = api.createRedisStore(manager);
  });
  afterEach(async () => {
    await manager.close();
    await raw.flushall();
  });

  test("set('AWS', …) writes exactly Python's bytes at guard_core:cloud_ip:AWS", async () => {
    await store.set('AWS', new Set(['3.5.140.0/22', '10.0.0.0/8']));
    expect(await raw.keys('*')).toEqual(['guard_core:cloud_ip:AWS']);
    const bytes = await raw.getBuffer('guard_core:cloud_ip:AWS');
    expect(bytes?.toString('latin1')).toBe('["10.0.0.0/8", "3.5.140.0/22"]');
    expect(await raw.pttl('guard_core:cloud_ip:AWS')).toBe(-1);
  });

  test('non-ASCII and IPv6/region entries: sorted by code point, ensure_ascii escapes', async () => {
    await store.set('Azure', ['2603:1000::/25|eastus', 'ä-region', '13.64.0.0/11|westus', '\u{1F600}', '\uffff']);
    const bytes = (await raw.getBuffer('guard_core:cloud_ip:Azure'))?.toString('latin1');
    expect(bytes).toBe(
      '["13.64.0.0/11|westus", "2603:1000::/25|eastus", "\\u00e4-region", "\\uffff", "\\ud83d\\ude00"]',
    );
    expect(await store.get('Azure')).toEqual(
      new Set(['2603:1000::/25|eastus', 'ä-region', '13.64.0.0/11|westus', '\u{1F600}', '\uffff']),
    );
  });
});

describe.each(apisUnderTest)('RedisCloudIpStore on the shared private Redis ($name API)', (api) => {
  const raw = rawClient();
  let prefix: string;
  let manager: ManagerUnderTest;
  let store: StoreUnderTest;
  let log: ReturnType<typeof captureLogger>;

  afterAll(() => raw.quit());
  beforeEach(() => {
    prefix = uniquePrefix('store');
    log = captureLogger();
    manager = api.createManager({ redisUrl: redisUrl(), redisPrefix: prefix, logger: log.logger });
    store = api.createRedisStore(manager);
  });
  afterEach(async () => {
    await manager.close();
    await deleteByPrefix(raw, prefix);
  });

  test('get of an unknown provider is null', async () => {
    expect(await store.get('AWS')).toBeNull();
  });

  test('round trip from a Set or an array; duplicates collapse', async () => {
    await store.set('AWS', new Set(['10.0.0.0/8', '3.5.140.0/22']));
    await store.set('GCP', ['34.0.0.0/8', '34.0.0.0/8']);
    expect(await store.get('AWS')).toEqual(new Set(['10.0.0.0/8', '3.5.140.0/22']));
    expect(await store.get('GCP')).toEqual(new Set(['34.0.0.0/8']));
  });

  test('an empty set reads back as an empty Set, not null', async () => {
    await store.set('Linode', new Set());
    expect(await raw.get(`${prefix}cloud_ip:Linode`)).toBe('[]');
    const got = await store.get('Linode');
    expect(got).toBeInstanceOf(Set);
    expect(got?.size).toBe(0);
  });

  test('the TTL shows in PTTL; a set without TTL clears an earlier TTL', async () => {
    await store.set('AWS', ['10.0.0.0/8'], 3600);
    const pttl = await raw.pttl(`${prefix}cloud_ip:AWS`);
    expect(pttl).toBeGreaterThan(3_500_000);
    expect(pttl).toBeLessThanOrEqual(3_600_000);
    await store.set('AWS', ['10.0.0.0/8']);
    expect(await raw.pttl(`${prefix}cloud_ip:AWS`)).toBe(-1);
  });

  test('an entry with a 1 s TTL reads as null after it', async () => {
    await store.set('Vultr', ['45.32.0.0/16'], 1);
    expect(await store.get('Vultr')).toEqual(new Set(['45.32.0.0/16']));
    await sleep(1100);
    expect(await store.get('Vultr')).toBeNull();
  });

  test('copies on read and on write', async () => {
    const input = new Set(['10.0.0.0/8']);
    await store.set('AWS', input);
    input.add('11.0.0.0/8');
    const first = (await store.get('AWS')) as Set<string>;
    first.add('12.0.0.0/8');
    expect(await store.get('AWS')).toEqual(new Set(['10.0.0.0/8']));
  });

  test.each([
    ['not JSON', 'definitely not json'],
    ['a JSON object', '{"ranges": ["10.0.0.0/8"]}'],
    ['a list of numbers', '[1, 2]'],
    ['the legacy comma-separated format', '10.0.0.0/8,11.0.0.0/8'],
  ])('a corrupt value (%s) reads as a miss, is logged, and is not thrown', async (_label, value) => {
    await raw.set(`${prefix}cloud_ip:AWS`, value);
    expect(await store.get('AWS')).toBeNull();
    expect(log.lines.some((l) => l.level === 'warn' && l.message.includes('cloud_ip:AWS'))).toBe(true);
    await store.set('AWS', ['10.0.0.0/8']); // and the next refresh repairs it
    expect(await store.get('AWS')).toEqual(new Set(['10.0.0.0/8']));
  });

  test('a value written by another client in compact JSON is read', async () => {
    await raw.set(`${prefix}cloud_ip:GCP`, '["35.0.0.0/8","34.0.0.0/8"]');
    expect(await store.get('GCP')).toEqual(new Set(['34.0.0.0/8', '35.0.0.0/8']));
  });

  test('a custom keyPrefix writes <redisPrefix><keyPrefix>:<provider>', async () => {
    const v2 = api.createRedisStore(manager, 'cloud_ip_v2');
    await v2.set('AWS', ['10.0.0.0/8']);
    expect(await raw.get(`${prefix}cloud_ip_v2:AWS`)).toBe('["10.0.0.0/8"]');
    expect(await store.get('AWS')).toBeNull();
  });

  test('clear() removes every provider of this store and nothing else', async () => {
    const v2 = api.createRedisStore(manager, 'cloud_ip_v2');
    for (const provider of ['AWS', 'GCP', 'Azure']) await store.set(provider, ['10.0.0.0/8']);
    await v2.set('AWS', ['10.0.0.0/8']);
    await manager.setKey('banned_ips', '1.2.3.4', '1');
    await store.clear();
    for (const provider of ['AWS', 'GCP', 'Azure']) expect(await store.get(provider)).toBeNull();
    expect(await v2.get('AWS')).toEqual(new Set(['10.0.0.0/8']));
    expect(await manager.getKey('banned_ips', '1.2.3.4')).toBe('1');
    await store.clear(); // clearing an empty store is fine
  });

  test('clear() on many providers (more than one SCAN page)', async () => {
    const pipeline = raw.pipeline();
    for (let i = 0; i < 700; i++) pipeline.set(`${prefix}cloud_ip:P${i}`, '[]');
    await pipeline.exec();
    await store.clear();
    expect(await manager.keys('cloud_ip:*')).toEqual([]);
  });
});
