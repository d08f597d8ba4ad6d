/**
 * The kit's own contract: strict options (unknown keys and bad values throw a typed error naming
 * them), capability gaps reported as skipped (never passed), the four outcomes, and the kit's
 * per-run setup/teardown.
 */
import { describe, expect, test } from 'vitest';
import { GuardInputError, GuardRedisError, InMemoryCloudIpStore } from '../../src/index.js';
import {
  checkStoreConformance,
  createManualClock,
  formatConformanceReport,
  runStoreConformance,
  type ConformanceReport,
  type PropertyId,
  type StoreConformanceOptions,
} from '../../src/testing/index.js';
import { resolveOptions } from '../../src/testing/options.js';
import { SyncMemoryStore } from './support/sync-memory-store.js';
import { coreTarget, ReferenceCore } from './zoo/reference.js';

const TTL_IDS: PropertyId[] = ['P09', 'P10', 'P11', 'P12', 'P13', 'P27'];
const CONCURRENCY_IDS: PropertyId[] = ['P20', 'P21', 'P22', 'P23'];

function statusOf(report: ConformanceReport, id: PropertyId) {
  const result = report.results.find((r) => r.id === id);
  if (result === undefined) throw new Error(`no result for ${id}`);
  return result;
}

async function inputError(run: () => unknown): Promise<GuardInputError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(GuardInputError);
    return error as GuardInputError;
  }
  throw new Error('expected a GuardInputError');
}

describe('options are validated strictly', () => {
  const store = new InMemoryCloudIpStore();
  const cases: [string, unknown, string, RegExp][] = [
    ['an unknown option key', { seeed: 1 }, 'options.seeed', /unknown key "seeed"; known keys: name, mode/],
    ['an unknown capability key', { capabilities: { tll: false } }, 'capabilities.tll', /unknown key "tll"/],
    [
      'an unknown ttl key',
      { capabilities: { ttl: { resolution: 5 } } },
      'capabilities.ttl.resolution',
      /known keys: resolutionMs/,
    ],
    ['a bad mode', { mode: 'maybe' }, 'options.mode', /one of auto, sync, async/],
    ['a fractional seed', { seed: 1.5 }, 'options.seed', /whole number/],
    ['zero runs', { numRuns: 0 }, 'options.numRuns', /from 1/],
    ['an unknown property id', { only: ['P99'] }, 'options.only', /unknown property "P99"/],
    ['a path without a single `only`', { path: '3:1' }, 'options.path', /exactly one property/],
    [
      'a clock without advance',
      { capabilities: { clock: { now: () => 0 } } },
      'capabilities.clock.advance',
      /function/,
    ],
    ['prefixes on a bare instance', { capabilities: { prefixes: true } }, 'capabilities.prefixes', /pass a factory/],
    ['a bad emptySet', { capabilities: { emptySet: 'null' } }, 'capabilities.emptySet', /preserved, absent/],
  ];
  for (const [what, options, field, message] of cases) {
    test(`${what} throws GuardInputError naming ${field}`, async () => {
      const thrown = await inputError(() => runStoreConformance(store, options as StoreConformanceOptions));
      expect(thrown.field).toBe(field);
      expect(thrown.message).toMatch(message);
      // The report API refuses the same options (as a rejection, before touching the store).
      const rejected = await inputError(() => checkStoreConformance(store, options as StoreConformanceOptions));
      expect(rejected.field).toBe(field);
    });
  }

  test('environment variables are validated and named', () => {
    const env = (vars: Record<string, string>) => () => resolveOptions({}, false, vars);
    expect(env({ GUARD_CONFORMANCE_SEED: 'abc' })).toThrow(/Invalid GUARD_CONFORMANCE_SEED/);
    expect(env({ GUARD_CONFORMANCE_RUNS: '0' })).toThrow(/Invalid GUARD_CONFORMANCE_RUNS/);
    expect(env({ GUARD_CONFORMANCE_ONLY: 'P04,P77' })).toThrow(
      /Invalid GUARD_CONFORMANCE_ONLY: unknown property "P77"/,
    );
    const resolved = resolveOptions({}, false, {
      GUARD_CONFORMANCE_SEED: '-42',
      GUARD_CONFORMANCE_RUNS: '7',
      GUARD_CONFORMANCE_ONLY: 'p04',
      GUARD_CONFORMANCE_PATH: '3:1',
    });
    expect([resolved.seed, resolved.numRuns, resolved.only, resolved.path]).toEqual([-42, 7, ['P04'], '3:1']);
    // An explicit option wins over the environment.
    expect(resolveOptions({ seed: 5 }, false, { GUARD_CONFORMANCE_SEED: '9' }).seed).toBe(5);
  });

  test('what is not a store or a factory is refused', async () => {
    expect((await inputError(() => runStoreConformance(null as never))).field).toBe('store');
    const noClear = { get: () => null, set: () => undefined };
    expect((await inputError(() => runStoreConformance(noClear as never))).message).toMatch(/no clear\(\) method/);
    const both = { make: () => new SyncMemoryStore(), get: () => null, set: () => undefined, clear: () => undefined };
    expect((await inputError(() => runStoreConformance(both as never))).message).toMatch(/ambiguous/);
    const halfStore = { make: () => ({ get: () => null }) as never };
    // Probing the mode (auto) opens a store at once; a declared mode meets it in the first run.
    expect((await inputError(() => checkStoreConformance(halfStore))).field).toBe('factory.make() result');
    const report = await checkStoreConformance(halfStore, { mode: 'sync', only: ['P01'] });
    expect(statusOf(report, 'P01').status).toBe('failed');
    expect(statusOf(report, 'P01').reason).toMatch(/factory.make\(\) result: the store has no set\(\) method/);
  });
});

describe('a missing capability is skipped, never passed', () => {
  test('ttl: false skips every TTL property and is listed as a relaxation', async () => {
    const report = await checkStoreConformance(() => new InMemoryCloudIpStore(), { capabilities: { ttl: false } });
    for (const id of TTL_IDS) {
      expect(statusOf(report, id)).toMatchObject({ status: 'skipped', reason: 'the store declares ttl: false' });
    }
    expect(report.relaxations).toContain('ttl: false');
    expect(report.ok).toBe(true);
    expect(report.counts.skipped).toBe(TTL_IDS.length);
  });

  test('a bare instance skips the prefix-isolation properties; so does a factory declaring prefixes: false', async () => {
    const clock = createManualClock();
    const instance = await checkStoreConformance(new InMemoryCloudIpStore({ now: clock.now }), {
      capabilities: { clock },
      only: ['P14', 'P15', 'P16'],
    });
    expect(statusOf(instance, 'P14').status).toBe('passed');
    for (const id of ['P15', 'P16'] as const) {
      expect(statusOf(instance, id).status).toBe('skipped');
      expect(statusOf(instance, id).reason).toMatch(/needs a factory/);
    }
    const declined = await checkStoreConformance(() => new InMemoryCloudIpStore(), {
      capabilities: { prefixes: false, ttl: false },
      only: ['P15'],
    });
    expect(statusOf(declined, 'P15').status).toBe('skipped');
    expect(declined.relaxations).toContain('prefixes: false');
  });

  test('concurrency: none and sync stores skip the overlapping-call properties', async () => {
    const none = await checkStoreConformance(() => new InMemoryCloudIpStore(), {
      capabilities: { concurrency: 'none', ttl: false },
      only: CONCURRENCY_IDS,
    });
    for (const id of CONCURRENCY_IDS) expect(statusOf(none, id).reason).toBe('the store declares concurrency: none');
    const syncStore = await checkStoreConformance(() => new SyncMemoryStore(), {
      capabilities: { ttl: false },
      only: CONCURRENCY_IDS,
    });
    expect(syncStore.mode).toBe('sync');
    for (const id of CONCURRENCY_IDS) expect(statusOf(syncStore, id).reason).toBe('a sync store: calls cannot overlap');
  });

  test('only and exclude report the rest as skipped with the reason', async () => {
    const report = await checkStoreConformance(() => new InMemoryCloudIpStore(), {
      only: ['P01', 'P02'],
      exclude: ['P02'],
      capabilities: { ttl: false },
    });
    expect(statusOf(report, 'P01').status).toBe('passed');
    expect(statusOf(report, 'P02').reason).toBe('excluded by options.exclude');
    expect(statusOf(report, 'P04').reason).toBe('not selected (only: P01, P02)');
    expect(report.counts.passed).toBe(1);
  });

  test('emptySet: absent is a declared relaxation: it accepts null for ∅ and nothing else', async () => {
    class EmptyAsAbsent extends ReferenceCore {
      override set(name: string, ranges: Iterable<string>, ttl?: number | null): void {
        const list = [...ranges];
        if (list.length === 0) this.backend.entries.delete(this.keyOf(name));
        else super.set(name, list, ttl);
      }
    }
    const run = (emptySet: 'absent' | 'preserved') => {
      const { factory, clock } = coreTarget(EmptyAsAbsent, 'async');
      return checkStoreConformance(factory, {
        seed: 1,
        capabilities: { clock, emptySet },
        only: ['P03', 'P04', 'P24'],
      });
    };
    const relaxed = await run('absent');
    expect(relaxed.ok, formatConformanceReport(relaxed)).toBe(true);
    expect(relaxed.relaxations).toContain('emptySet: absent');
    const strict = await run('preserved');
    expect(statusOf(strict, 'P03').status).toBe('failed');
  });
});

describe('settle', () => {
  /** Writes land in a queue that only flush() applies, as with a replica that lags its primary. */
  class LaggingStore extends SyncMemoryStore {
    private readonly pending: [string, string[]][] = [];
    override set(provider: string, ranges: Iterable<string>): void {
      this.pending.push([provider, [...ranges]]);
    }
    override clear(): void {
      this.pending.length = 0;
      super.clear();
    }
    flush(): void {
      for (const [provider, ranges] of this.pending.splice(0)) super.set(provider, ranges);
    }
  }

  test('is called before every read, so an eventually consistent store can catch up', async () => {
    const options: StoreConformanceOptions = {
      mode: 'sync',
      seed: 4,
      capabilities: { ttl: false },
      only: ['P02', 'P24'],
    };
    const lagging = new LaggingStore();
    const without = await checkStoreConformance(lagging, options);
    expect(statusOf(without, 'P02').status).toBe('failed');
    const settled = await checkStoreConformance(lagging, {
      ...options,
      capabilities: { ttl: false, settle: () => lagging.flush() },
    });
    expect(settled.ok, formatConformanceReport(settled)).toBe(true);
  });
});

describe('modes', () => {
  test('auto probes the store: async for promises, sync for values', async () => {
    const options: StoreConformanceOptions = { capabilities: { ttl: false }, only: ['P01'] };
    expect((await checkStoreConformance(() => new InMemoryCloudIpStore(), options)).mode).toBe('async');
    expect((await checkStoreConformance(() => new SyncMemoryStore(), options)).mode).toBe('sync');
  });

  test('a store of mixed kinds (sync get, async set) fails P25 under auto', async () => {
    const mixed = () => {
      const inner = new SyncMemoryStore();
      return {
        get: (n: string) => inner.get(n),
        set: async (n: string, r: Iterable<string>) => inner.set(n, r),
        clear: () => inner.clear(),
      };
    };
    const report = await checkStoreConformance(mixed as never, { capabilities: { ttl: false }, seed: 3 });
    expect(report.mode).toBe('sync');
    expect(statusOf(report, 'P25').status).toBe('failed');
    expect(statusOf(report, 'P25').reason).toMatch(/set\(\) returned a promise: a sync store must return its value/);
  });
});

describe('outcomes', () => {
  test('a transport error (GuardRedisError) is indeterminate, not passed or failed', async () => {
    const down = {
      get: async () => {
        throw new GuardRedisError(503, 'Redis connection failed');
      },
      set: async () => undefined,
      clear: async () => undefined,
    };
    const report = await checkStoreConformance(down, { capabilities: { ttl: false }, only: ['P02'] });
    expect(statusOf(report, 'P02')).toMatchObject({ status: 'indeterminate' });
    expect(statusOf(report, 'P02').reason).toMatch(/GuardRedisError: Redis connection failed/);
    expect(report.ok).toBe(false);
  });

  test('isIndeterminate decides which errors mean "could not check"', async () => {
    const throttled = {
      get: async () => {
        throw Object.assign(new Error('slow down'), { code: 'Throttled' });
      },
      set: async () => undefined,
      clear: async () => undefined,
    };
    const options: StoreConformanceOptions = { capabilities: { ttl: false }, only: ['P02'] };
    const plain = await checkStoreConformance(throttled, options);
    expect(statusOf(plain, 'P02').status).toBe('failed');
    const classified = await checkStoreConformance(throttled, {
      ...options,
      isIndeterminate: (e) => (e as { code?: string }).code === 'Throttled',
    });
    expect(statusOf(classified, 'P02').status).toBe('indeterminate');
  });

  test('running out of time is indeterminate, with the number of runs done', async () => {
    const slow = new SyncMemoryStore();
    const store = {
      get: async (n: string) => {
        await new Promise((r) => setTimeout(r, 20));
        return slow.get(n);
      },
      set: async (n: string, r: Iterable<string>) => slow.set(n, r),
      clear: async () => slow.clear(),
    };
    const report = await checkStoreConformance(store, {
      capabilities: { ttl: false },
      only: ['P02'],
      timeLimitMs: 100,
    });
    expect(statusOf(report, 'P02').status).toBe('indeterminate');
    expect(statusOf(report, 'P02').reason).toMatch(/time limit \(100 ms\) reached after \d+ of 100 runs/);
  });

  test('a time limit that stops the very first run is indeterminate, never a failure of a correct store', async () => {
    // P09 waits past a TTL in its first run: a 300 ms limit stops it there (fast-check then
    // reports "failed" with no counterexample and no error).
    const report = await checkStoreConformance(() => new InMemoryCloudIpStore(), {
      seed: 1,
      numRuns: 5,
      timeLimitMs: 300,
      only: ['P09'],
    });
    expect(statusOf(report, 'P09').status).toBe('indeterminate');
    expect(statusOf(report, 'P09').reason).toMatch(/time limit \(300 ms\) reached after 0 of \d+ runs/);
  });

  test("mode 'auto': the mode probe never hangs on, nor rejects for, a store that misbehaves only there", async () => {
    // Each factory misbehaves on the probe's store (the first one made) and works afterwards, so a
    // check that gets past the probe passes P01.
    type Misbehaviour = 'get never settles' | 'factory throws' | 'dispose throws';
    const factoryFor = (what: Misbehaviour) => {
      let made = 0;
      const firsts = new WeakSet<object>();
      return {
        make: () => {
          made++;
          if (what === 'factory throws' && made === 1) throw new Error('factory failed once');
          const inner = new InMemoryCloudIpStore();
          const stuck = made === 1 && what === 'get never settles';
          const store = {
            get: (n: string) => (stuck ? new Promise<never>(() => undefined) : inner.get(n)),
            set: (n: string, r: Iterable<string>, ttl?: number | null) => inner.set(n, r, ttl),
            clear: () => inner.clear(),
          };
          if (made === 1) firsts.add(store);
          return store;
        },
        dispose: async (store: object) => {
          if (what === 'dispose throws' && firsts.has(store)) throw new Error('dispose failed once');
        },
      };
    };
    for (const what of ['get never settles', 'factory throws', 'dispose throws'] as const) {
      const report = await checkStoreConformance(factoryFor(what), { capabilities: { ttl: false }, only: ['P01'] });
      expect({ what, status: statusOf(report, 'P01').status }).toEqual({ what, status: 'passed' });
    }
  }, 20_000);

  test('a failure that does not come back on replay is flagged non-deterministic', async () => {
    let calls = 0;
    const inner = new SyncMemoryStore();
    const flaky = {
      get: (n: string) => (++calls === 10 ? new Set(['203.0.113.0/24']) : inner.get(n)),
      set: (n: string, r: Iterable<string>) => inner.set(n, r),
      clear: () => inner.clear(),
    };
    const report = await checkStoreConformance(flaky, {
      mode: 'sync',
      seed: 11,
      capabilities: { ttl: false },
      only: ['P02'],
    });
    const result = statusOf(report, 'P02');
    expect(result.status).toBe('failed');
    expect(result.reproduced).toBe(false);
    expect(formatConformanceReport(report)).toMatch(/NON-DETERMINISTIC/);
  });
});

describe('the kit owns setup and teardown', () => {
  test('every store a factory made is cleared and disposed; an instance is left empty', async () => {
    const made: SyncMemoryStore[] = [];
    const disposed = new Set<SyncMemoryStore>();
    const sizes: number[] = [];
    const report = await checkStoreConformance(
      {
        make: () => {
          const store = new SyncMemoryStore();
          made.push(store);
          return store;
        },
        dispose: (store) => {
          sizes.push((store as unknown as { entries: Map<string, unknown> }).entries.size);
          disposed.add(store);
        },
      },
      { capabilities: { ttl: false }, seed: 5 },
    );
    expect(report.ok, formatConformanceReport(report)).toBe(true);
    expect(made.length).toBeGreaterThan(100);
    expect(disposed.size).toBe(made.length);
    expect(sizes.every((n) => n === 0)).toBe(true);

    const instance = new SyncMemoryStore();
    await checkStoreConformance(instance, { capabilities: { ttl: false }, only: ['P02', 'P24'], seed: 5 });
    expect((instance as unknown as { entries: Map<string, unknown> }).entries.size).toBe(0);
  });

  test('a leftover from an earlier run cannot leak into the next (fresh prefix per run)', async () => {
    // A store that ignores clear() and shares one map across every prefix would leak between runs;
    // the kit's runs stay independent only because each gets a fresh prefix that this store honours.
    const shared = new Map<string, Set<string>>();
    const store = ({ prefix }: { prefix: string }) => ({
      get: (n: string) => (shared.has(`${prefix}\u0000${n}`) ? new Set(shared.get(`${prefix}\u0000${n}`)) : null),
      set: (n: string, r: Iterable<string>) => void shared.set(`${prefix}\u0000${n}`, new Set(r)),
      clear: () => undefined,
    });
    const report = await checkStoreConformance(store, {
      capabilities: { ttl: false },
      only: ['P02', 'P04', 'P14'],
      seed: 2,
    });
    expect(statusOf(report, 'P02').status).toBe('passed');
    expect(statusOf(report, 'P04').status).toBe('passed');
    expect(statusOf(report, 'P14').status).toBe('failed'); // the no-op clear() itself is caught
  });
});
