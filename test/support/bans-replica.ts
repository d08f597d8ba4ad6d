/**
 * A ban-manager replica in its own process, for the cross-process replica test:
 *   node --import tsx test/support/bans-replica.ts <redisUrl> <prefix> ban <target> <seconds>
 *   node --import tsx test/support/bans-replica.ts <redisUrl> <prefix> unban <target>
 * Prints the method's result (`true`/`false`) and exits.
 */
import { IPBanManager, RedisManager, silentLogger } from '../../src/index.js';

const [url, prefix, op, target, seconds] = process.argv.slice(2);
if (url === undefined || prefix === undefined || target === undefined || (op !== 'ban' && op !== 'unban')) {
  console.error('usage: bans-replica.ts <redisUrl> <prefix> ban|unban <target> [seconds]');
  process.exit(2);
}
const config = { redisUrl: url, redisPrefix: prefix, logger: silentLogger };
const redis = new RedisManager(config);
const bans = new IPBanManager(config);
await bans.initializeRedis(redis);
const result = op === 'ban' ? await bans.banIp(target, Number(seconds)) : await bans.unbanIp(target);
console.log(String(result));
await bans.close();
await redis.close();
