import { afterAll, expect, test } from 'vitest';
import { RedisCloudIpStore, RedisManager } from '../../src/index.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';

const raw = rawClient();
afterAll(() => raw.quit());

test('smoke: manager and store on a real Redis', async () => {
  const prefix = uniquePrefix();
  const m = new RedisManager({ redisUrl: redisUrl(), redisPrefix: prefix });
  await m.initialize();
  expect(await m.setKey('ns', 'k', 'v', 10)).toBe(true);
  expect(await m.getKey('ns', 'k')).toBe('v');
  expect(await m.incr('ns', 'c', 5)).toBe(1);
  expect(await raw.ttl(`${prefix}ns:c`)).toBe(5);
  const store = new RedisCloudIpStore(m);
  await store.set('AWS', new Set(['3.5.140.0/22', '10.0.0.0/8']), 60);
  expect(await raw.get(`${prefix}cloud_ip:AWS`)).toBe('["10.0.0.0/8", "3.5.140.0/22"]');
  expect((await m.keys('*'))?.sort()).toEqual([`${prefix}cloud_ip:AWS`, `${prefix}ns:c`, `${prefix}ns:k`]);
  await store.clear();
  expect(await m.deletePattern('*')).toBe(2);
  await m.close();
  await deleteByPrefix(raw, prefix);
});
