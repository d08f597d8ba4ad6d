// An ESM script using the sync API from the installed tarball. Ends by itself (no close()).
import { GuardRedisError } from 'guard-core';
import { RedisCloudIpStore, RedisManager, silentLogger } from 'guard-core/sync';

const [redisUrl, prefix] = process.argv.slice(2);
const manager = new RedisManager({ redisUrl, redisPrefix: prefix, logger: silentLogger });
manager.initialize();
const set = manager.setKey('ns', 'k', 'from esm', 60);
const got = manager.getKey('ns', 'k');
const store = new RedisCloudIpStore(manager);
store.set('GCP', ['34.80.0.0/15'], 60);
const ranges = [...store.get('GCP')];
const removed = manager.deletePattern('*');
manager.close();
let closedError = null;
try {
  manager.getKey('ns', 'k');
} catch (error) {
  closedError = { sameClass: error instanceof GuardRedisError, status: error.statusCode };
}
process.stdout.write(`${JSON.stringify({ set, got, ranges, removed, closedError })}\n`);
