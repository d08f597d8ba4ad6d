// The async API from plain JavaScript (ESM, no TypeScript, no `await using`): runs on Node 20 as is.
import { RedisCloudIpStore, RedisManager } from 'guard-core';

const redis = new RedisManager({
  redisUrl: process.env.REDIS_URL ?? 'redis://localhost:6379',
  redisPrefix: 'readme-async:', // one prefix per app sharing a Redis
});
await redis.initialize(); // connect + PING; GuardRedisError (503) when Redis is unreachable
try {
  await redis.setKey('notes', 'greeting', 'hello', 60); // SET readme-async:notes:greeting hello EX 60
  console.log(await redis.getKey('notes', 'greeting')); // 'hello'
  console.log(await redis.incr('counters', 'visits', 60)); // 1 — one atomic round trip; TTL set when created
  console.log(await redis.keys('notes:*')); // [ 'readme-async:notes:greeting' ] — SCAN, never KEYS

  const lease = await redis.getConnection(); // the raw seam, for commands not listed above
  console.log(await lease.connection.call('TTL', 'readme-async:notes:greeting')); // 60

  const store = new RedisCloudIpStore(redis); // keys readme-async:cloud_ip:<provider>
  await store.set('AWS', new Set(['3.5.140.0/22', '52.94.76.0/22']), 3600);
  console.log(await store.get('AWS')); // Set(2) { '3.5.140.0/22', '52.94.76.0/22' }
  await store.clear();
  await redis.deletePattern('*'); // SCAN + batched UNLINK of this prefix's keys only
} finally {
  await redis.close(); // later calls reject with GuardRedisError until initialize() is called again
}
