// A legacy CommonJS script: the same classes, no async anywhere. It may simply end.
const { RedisManager, RedisCloudIpStore } = require('guard-core/sync');

const redis = new RedisManager({
  redisUrl: process.env.REDIS_URL ?? 'redis://localhost:6379',
  redisPrefix: 'readme-sync:',
});
redis.setKey('notes', 'greeting', 'hello', 60);
console.log(redis.getKey('notes', 'greeting')); // 'hello'
const store = new RedisCloudIpStore(redis);
store.set('AWS', new Set(['3.5.140.0/22']), 3600);
console.log(store.get('AWS')); // Set(1) { '3.5.140.0/22' }
redis.deletePattern('*');
// No close needed: the bridge worker is unref'd. closeSyncBridge() shuts it down explicitly.
