/**
 * A flood of 1,000,000 distinct client addresses through the in-memory limiter: the number of
 * windows kept stays at `inMemoryMaxKeys` (10,000 by default; each window holds at most `limit`
 * scores), so memory does not grow with the flood. RSS before and after is printed for the
 * report; only the retained-entry bound is asserted (RSS depends on the GC's mood).
 */
import { expect, test } from 'vitest';
import { RateLimitManager, silentLogger } from '../../../src/index.js';
import { formatIpv4 } from '../../../src/core/cloud/ip.js';

test('1,000,000 distinct IPs keep at most inMemoryMaxKeys windows', { timeout: 120_000 }, async () => {
  const limiter = new RateLimitManager({ enableRedis: false, logger: silentLogger }, { now: () => 1_796_173_053.38 });
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  const before = process.memoryUsage();
  let admitted = 0;
  let maxWindows = 0;
  for (let i = 0; i < 1_000_000; i++) {
    if ((await limiter.check(formatIpv4(0x0a000000 + i))).allowed) admitted++;
    if ((i & 0xffff) === 0) maxWindows = Math.max(maxWindows, limiter.memoryWindowCount);
  }
  const after = process.memoryUsage();
  maxWindows = Math.max(maxWindows, limiter.memoryWindowCount);
  console.log(
    `[ratelimit-memory] 1,000,000 IPs: windows kept ${limiter.memoryWindowCount} (max seen ${maxWindows}); ` +
      `RSS ${mb(before.rss)} → ${mb(after.rss)} MB, heap used ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB`,
  );
  expect(admitted).toBe(1_000_000);
  expect(maxWindows).toBeLessThanOrEqual(10_000);
  expect(limiter.memoryWindowCount).toBe(10_000);
});
