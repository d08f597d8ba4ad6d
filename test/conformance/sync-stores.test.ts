/**
 * The kit in sync mode: the generated sync twins of the shipped stores (guard-core/sync; the
 * Redis one talks to the private Redis through the worker bridge, so `dist/` must be built),
 * and a hand-written sync store, declared and probed (`mode: 'auto'`).
 */
import { afterAll } from 'vitest';
import * as sync from '../../src/sync.js';
import { createManualClock, runStoreConformance } from '../../src/testing/index.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { keysUnder, redisKeyPrefix } from './support/key-prefix.js';
import { SyncMemoryStore } from './support/sync-memory-store.js';

const clock = createManualClock();
runStoreConformance(() => new sync.InMemoryCloudIpStore({ now: clock.now }), {
  name: 'InMemoryCloudIpStore (guard-core/sync)',
  mode: 'sync',
  capabilities: { clock },
});

const realPrefix = uniquePrefix('conf-sync');
const real = new sync.RedisManager({ redisUrl: redisUrl(), redisPrefix: realPrefix, logger: sync.silentLogger });
runStoreConformance(
  { make: ({ prefix }) => new sync.RedisCloudIpStore(real, redisKeyPrefix(prefix)) },
  { name: 'RedisCloudIpStore (guard-core/sync) on Redis', mode: 'sync', capabilities: { ttl: { resolutionMs: 50 } } },
);

const handClock = createManualClock();
runStoreConformance(() => new SyncMemoryStore(handClock.now), {
  name: 'hand-written SyncMemoryStore',
  mode: 'sync',
  capabilities: { clock: handClock },
});

// Probed: the store is found to be sync at run time, so the concurrency properties skip then.
const probedClock = createManualClock();
runStoreConformance(() => new SyncMemoryStore(probedClock.now), {
  name: 'hand-written SyncMemoryStore, mode probed',
  capabilities: { clock: probedClock },
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
