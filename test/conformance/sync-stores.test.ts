/**
 * The kit in sync mode: the generated sync twins of the shipped stores (guard-core/sync; the
 * Redis one talks to the private Redis through the worker bridge, so `dist/` must be built),
 * and a hand-written sync store, declared and probed (`mode: 'auto'`).
 *
 * A sync store cannot interleave calls, so the concurrency properties (P20–P23) do not apply to
 * it and the kit reports them skipped. These runs go through `checkStoreConformance` and assert
 * the whole report — every other property passed, exactly those four skipped with their reason —
 * instead of registering tests that would show up as skipped in this suite.
 */
import { afterAll, expect, test } from 'vitest';
import * as sync from '../../src/sync.js';
import {
  checkStoreConformance,
  createManualClock,
  encodePrefix,
  formatConformanceReport,
  type ConformanceStore,
  type StoreConformanceOptions,
  type StoreTarget,
} from '../../src/testing/index.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { keysUnder } from './support/key-prefix.js';
import { SyncMemoryStore } from './support/sync-memory-store.js';

const CONCURRENCY = ['P20', 'P21', 'P22', 'P23'];

async function expectSyncConformance<S extends ConformanceStore>(
  target: StoreTarget<S>,
  options: StoreConformanceOptions,
): Promise<void> {
  const report = await checkStoreConformance(target, options);
  const text = formatConformanceReport(report);
  expect(report.mode, text).toBe('sync');
  expect(report.ok, text).toBe(true);
  const skipped = report.results.filter((r) => r.status === 'skipped');
  expect(
    skipped.map((r) => r.id),
    text,
  ).toEqual(CONCURRENCY);
  for (const r of skipped) expect(r.reason, text).toMatch(/sync/i);
  expect(report.counts.passed, text).toBe(report.results.length - CONCURRENCY.length);
}

test('InMemoryCloudIpStore (guard-core/sync) conforms', { timeout: 60_000 }, async () => {
  const clock = createManualClock();
  await expectSyncConformance(() => new sync.InMemoryCloudIpStore({ now: clock.now }), {
    name: 'InMemoryCloudIpStore (guard-core/sync)',
    mode: 'sync',
    capabilities: { clock },
  });
});

const realPrefix = uniquePrefix('conf-sync');
const real = new sync.RedisManager({ redisUrl: redisUrl(), redisPrefix: realPrefix, logger: sync.silentLogger });

test('RedisCloudIpStore (guard-core/sync) on Redis conforms, TTL in real time', { timeout: 90_000 }, async () => {
  await expectSyncConformance(
    { make: ({ prefix }) => new sync.RedisCloudIpStore(real, encodePrefix(prefix, ':')) },
    { name: 'RedisCloudIpStore (guard-core/sync) on Redis', mode: 'sync', capabilities: { ttl: { resolutionMs: 50 } } },
  );
});

test('a hand-written sync store conforms when its mode is declared', { timeout: 60_000 }, async () => {
  const clock = createManualClock();
  await expectSyncConformance(() => new SyncMemoryStore(clock.now), {
    name: 'hand-written SyncMemoryStore',
    mode: 'sync',
    capabilities: { clock },
  });
});

test('a hand-written sync store is probed as sync when its mode is not declared', { timeout: 60_000 }, async () => {
  const clock = createManualClock();
  await expectSyncConformance(() => new SyncMemoryStore(clock.now), {
    name: 'hand-written SyncMemoryStore, mode probed',
    capabilities: { clock },
  });
});

afterAll(async () => {
  real.close();
  const raw = rawClient();
  try {
    const left = await keysUnder(raw, realPrefix);
    await deleteByPrefix(raw, realPrefix);
    if (left.length > 0) throw new Error(`conformance runs left ${left.length} keys behind, e.g. ${left[0]}`);
  } finally {
    await raw.quit();
  }
});
