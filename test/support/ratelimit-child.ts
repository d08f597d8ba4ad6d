/**
 * A child process for the rate-limit concurrency test: connects, says `ready`, waits for `go` on
 * stdin, fires N concurrent checks for one client and prints how many were admitted (JSON).
 * Run from source: `node --import tsx test/support/ratelimit-child.ts <redisUrl> <prefix> <ip> <limit> <n>`.
 */
import { once } from 'node:events';
import { RateLimitManager, RedisManager, silentLogger } from '../../src/index.js';

const [redisUrl, redisPrefix, ip, limitText, countText] = process.argv.slice(2);
const config = {
  redisUrl: redisUrl!,
  redisPrefix: redisPrefix!,
  logger: silentLogger,
  rateLimit: Number(limitText),
  rateLimitWindow: 60,
};
const redis = new RedisManager(config);
await redis.initialize();
const limiter = new RateLimitManager(config);
await limiter.initializeRedis(redis);
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const decisions = await Promise.all(Array.from({ length: Number(countText) }, () => limiter.check(ip!)));
const summary = {
  admitted: decisions.filter((d) => d.allowed).length,
  sources: [...new Set(decisions.map((d) => d.source))],
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
await redis.close();
process.exit(0);
