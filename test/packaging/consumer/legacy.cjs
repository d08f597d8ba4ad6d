// A legacy CommonJS script using the sync API from the installed tarball. Ends by itself (no close()).
const {
  RedisManager,
  RedisCloudIpStore,
  GuardRedisError: SyncGuardRedisError,
  silentLogger,
} = require('guard-core/sync');
const { GuardRedisError } = require('guard-core');

const [redisUrl, prefix] = process.argv.slice(2);
const manager = new RedisManager({ redisUrl, redisPrefix: prefix, logger: silentLogger });
manager.initialize();
const set = manager.setKey('ns', 'k', 'from cjs', 60);
const got = manager.getKey('ns', 'k');
const store = new RedisCloudIpStore(manager);
store.set('AWS', new Set(['3.5.140.0/22', '10.0.0.0/8']), 60);
const ranges = [...store.get('AWS')].sort();
const removed = manager.deletePattern('*');
manager.close();
let closedError = null;
try {
  manager.getKey('ns', 'k');
} catch (error) {
  closedError = {
    sameClass: error instanceof GuardRedisError && SyncGuardRedisError === GuardRedisError,
    status: error.statusCode,
  };
}
// An error raised in the bridge worker (connection refused) comes back as the same class, reason kept.
let bridgedError = null;
try {
  new RedisManager({ redisUrl: 'redis://127.0.0.1:1', redisConnectTimeoutMs: 500, logger: silentLogger }).initialize();
} catch (error) {
  bridgedError = {
    name: error.name,
    sameClass: error instanceof GuardRedisError,
    reason: /ECONNREFUSED/.test(error.message),
  };
}
const className = require('guard-core').GuardConfigError.name;
process.stdout.write(`${JSON.stringify({ set, got, ranges, removed, closedError, bridgedError, className })}\n`);
