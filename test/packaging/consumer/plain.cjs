// The async API through require().
const guard = require('guard-core');
const asyncEntry = require('guard-core/async');

const [redisUrl, prefix] = process.argv.slice(2);
(async () => {
  const manager = new guard.RedisManager({ redisUrl, redisPrefix: prefix });
  await manager.initialize();
  await manager.setKey('ns', 'k', 'async cjs');
  const got = await manager.getKey('ns', 'k');
  await manager.deletePattern('*');
  await manager.close();
  process.stdout.write(
    `${JSON.stringify({ got, sameEntry: asyncEntry.RedisManager === guard.RedisManager, hasStore: typeof guard.RedisCloudIpStore })}\n`,
  );
})();
