/**
 * Concurrency on a real Redis: 4 processes × 250 concurrent checks of one client with limit 100
 * admit exactly 100 in total (one atomic script per decision); checks sharing one timestamp all
 * count (unique members) — for each API.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/index.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { windowApisUnderTest } from '../support/ratelimit-apis.js';

const raw = rawClient();
const prefixes: string[] = [];
afterAll(async () => {
  await deleteByPrefix(raw, ...prefixes);
  await raw.quit();
});

/** Starts a child and resolves with it and a reader of its stdout lines once it says `ready`. */
async function startChild(
  args: string[],
): Promise<{ child: ChildProcessWithoutNullStreams; lines: AsyncIterator<string> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/ratelimit-child.ts', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.value !== 'ready') throw new Error(`child did not start: ${String(first.value)} ${stderr}`);
  return { child, lines };
}

describe('4 processes × 250 concurrent checks, limit 100', () => {
  test('admit exactly 100', { timeout: 60_000 }, async () => {
    const prefix = uniquePrefix('conc');
    prefixes.push(prefix);
    const children = await Promise.all(
      Array.from({ length: 4 }, () => startChild([redisUrl(), prefix, '10.1.2.3', '100', '250'])),
    );
    for (const { child } of children) child.stdin.write('go\n');
    const summaries = await Promise.all(
      children.map(async ({ child, lines }) => {
        const line = await lines.next();
        await once(child, 'exit');
        return JSON.parse(String(line.value)) as { admitted: number; sources: string[] };
      }),
    );
    expect(summaries.flatMap((s) => s.sources)).toEqual(['redis', 'redis', 'redis', 'redis']);
    expect(summaries.reduce((sum, s) => sum + s.admitted, 0)).toBe(100);
    expect(await raw.zcard(`${prefix}rate_limit:rate:10.1.2.3`)).toBe(100);
  });
});

describe.each(windowApisUnderTest)('one identical timestamp ($name API)', (api) => {
  test('50 concurrent checks with one `now` count 50', async () => {
    const prefix = uniquePrefix('same');
    prefixes.push(prefix);
    const config = { redisUrl: redisUrl(), redisPrefix: prefix, logger: silentLogger, rateLimit: 1000 };
    const handler = api.createManager(config);
    await handler.initialize();
    try {
      const limiter = api.createLimiter(config, { now: () => 1_796_173_053.38 });
      await limiter.initializeRedis(handler);
      const decisions = await Promise.all(Array.from({ length: 50 }, () => limiter.check('10.9.9.9')));
      expect(decisions.every((d) => d.allowed && d.source === 'redis')).toBe(true);
      expect(decisions.map((d) => d.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(await raw.zcard(`${prefix}rate_limit:rate:10.9.9.9`)).toBe(50);
      const tracker = api.createTracker(config, { now: () => 1_796_173_053.38 });
      await tracker.initializeRedis(handler);
      const rule = { type: 'usage' as const, threshold: 100, windowSeconds: 60 };
      const counts = await Promise.all(
        Array.from({ length: 50 }, () => tracker.trackEndpointUsage('/x', '10.9.9.9', rule)),
      );
      expect(Math.max(...counts.map((c) => c.count))).toBe(50);
    } finally {
      await handler.close();
    }
  });
});
