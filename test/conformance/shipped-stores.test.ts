/**
 * The kit over every async store the package ships, registered with runStoreConformance as a
 * user would: the in-memory store (injected clock), RedisCloudIpStore on the private real Redis
 * (real TTL waits) exactly as the README shows it, and RedisCloudIpStore over ioredis-mock.
 */
import RedisMock from 'ioredis-mock';
import { afterAll } from 'vitest';
import { InMemoryCloudIpStore, RedisCloudIpStore, RedisManager, silentLogger } from '../../src/index.js';
import { connectionFromClient } from '../../src/async/seams/ioredis-connection.js';
import { createManualClock, encodePrefix, runStoreConformance } from '../../src/testing/index.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { hexKeyPrefix, keysUnder } from './support/key-prefix.js';

const clock = createManualClock();
runStoreConformance(() => new InMemoryCloudIpStore({ now: clock.now }), {
  name: 'InMemoryCloudIpStore',
  mode: 'async',
  capabilities: { clock },
});

// One connection for every store; each run gets its own keyPrefix under this file's redisPrefix.
// A keyPrefix may not contain ':' (the namespace/provider separator): encodePrefix maps the kit's
// prefixes one to one onto ones without it, as the README tells users to.
const realPrefix = uniquePrefix('conf');
const real = new RedisManager({ redisUrl: redisUrl(), redisPrefix: realPrefix, logger: silentLogger });
runStoreConformance(({ prefix }) => new RedisCloudIpStore(real, encodePrefix(prefix, ':')), {
  name: 'RedisCloudIpStore on Redis',
  mode: 'async',
  capabilities: { ttl: { resolutionMs: 50 } },
});

const mockPrefix = uniquePrefix('conf-mock');
const mock = new RedisManager(
  { redisUrl: 'redis://ioredis-mock:6379', redisPrefix: mockPrefix, logger: silentLogger },
  { openConnection: async (options) => connectionFromClient(new RedisMock(), options) },
);
// ioredis-mock ignores backslash escapes in SCAN MATCH (real Redis does not), so the mock gets
// prefixes without glob characters; escaping is checked on the real Redis above.
runStoreConformance(
  { make: ({ prefix }) => new RedisCloudIpStore(mock, hexKeyPrefix(prefix)) },
  { name: 'RedisCloudIpStore on ioredis-mock', mode: 'async', capabilities: { ttl: { resolutionMs: 50 } } },
);

afterAll(async () => {
  await Promise.all([real.close(), mock.close()]);
  const raw = rawClient();
  try {
    // The kit clears every store it made; anything left is a cleanup bug (checked, then removed).
    const left = await keysUnder(raw, realPrefix);
    await deleteByPrefix(raw, realPrefix);
    if (left.length > 0) throw new Error(`conformance runs left ${left.length} keys behind, e.g. ${left[0]}`);
  } finally {
    await raw.quit();
  }
});
