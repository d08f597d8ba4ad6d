/**
 * Key isolation between apps sharing one Redis: prefixes full of glob metacharacters never
 * see or delete each other's keys, through keys(), deletePattern() or a store's clear().
 */
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { silentLogger } from '../../src/index.js';
import { apisUnderTest, type ManagerUnderTest } from '../support/apis.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';

const raw = rawClient();
afterAll(() => raw.quit());

// Each pair: (a) would match (b)'s keys if the prefix were not escaped.
const SUFFIXES = ['app[1]:', 'app1:', 'a*', 'a?', 'a\\', 'a[b-z]:', 'ab:'] as const;

describe.each(apisUnderTest)('key isolation between prefixes ($name API)', (api) => {
  // A unique root keeps runs apart; everything after it is the prefix under test.
  const root = uniquePrefix('iso');
  const prefixes = SUFFIXES.map((s) => `${root}${s}`);
  const managers: ManagerUnderTest[] = [];

  function managerFor(prefix: string): ManagerUnderTest {
    const m = api.createManager({ redisUrl: redisUrl(), redisPrefix: prefix, logger: silentLogger });
    managers.push(m);
    return m;
  }

  async function populate(prefix: string): Promise<string[]> {
    const m = managerFor(prefix);
    await m.setKey('ns', 'k1', 'v');
    await m.setKey('ns', 'k2', 'v');
    await m.incr('rate', 'ip', 60);
    await api.createRedisStore(m).set('AWS', ['10.0.0.0/8']);
    return [`${prefix}ns:k1`, `${prefix}ns:k2`, `${prefix}rate:ip`, `${prefix}cloud_ip:AWS`].sort();
  }

  async function rawKeys(): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, page] = await raw.scan(cursor, 'MATCH', `${root.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 500);
      keys.push(...page);
      cursor = next;
    } while (cursor !== '0');
    return keys.sort();
  }

  afterEach(async () => {
    for (const m of managers.splice(0)) await m.close();
    await deleteByPrefix(raw, root);
  });

  test('keys("*") on each prefix lists exactly its own keys', async () => {
    const expected = new Map<string, string[]>();
    for (const p of prefixes) expected.set(p, await populate(p));
    for (const p of prefixes) {
      const m = managerFor(p);
      expect(((await m.keys('*')) as string[]).sort()).toEqual(expected.get(p));
    }
  });

  test.each(SUFFIXES.map((s, i) => [s, i] as const))(
    'deletePattern("*") under %s deletes only its own keys',
    async (_suffix, index) => {
      const all = new Map<string, string[]>();
      for (const p of prefixes) all.set(p, await populate(p));
      const target = prefixes[index] as string;
      expect(await managerFor(target).deletePattern('*')).toBe(4);
      const survivors = prefixes.filter((p) => p !== target).flatMap((p) => all.get(p) as string[]);
      expect(await rawKeys()).toEqual(survivors.sort());
    },
  );

  test.each(SUFFIXES.map((s, i) => [s, i] as const))(
    'RedisCloudIpStore.clear() under %s deletes only its own cloud keys',
    async (_suffix, index) => {
      const all = new Map<string, string[]>();
      for (const p of prefixes) all.set(p, await populate(p));
      const target = prefixes[index] as string;
      await api.createRedisStore(managerFor(target)).clear();
      const expected = prefixes
        .flatMap((p) => all.get(p) as string[])
        .filter((k) => k !== `${target}cloud_ip:AWS`)
        .sort();
      expect(await rawKeys()).toEqual(expected);
    },
  );

  test('property: for random prefixes made of glob characters, one never sees or deletes the other', async () => {
    const alphabet = fc.constantFrom('a', 'b', '1', ':', '*', '?', '[', ']', '\\', '-', '^');
    const prefix = fc.array(alphabet, { minLength: 1, maxLength: 6 }).map((cs) => cs.join(''));
    // Neither may be a prefix of the other: `app` and `app1` overlap by the key layout itself.
    const pair = fc.tuple(prefix, prefix).filter(([a, b]) => !a.startsWith(b) && !b.startsWith(a));
    await fc.assert(
      fc.asyncProperty(pair, async ([a, b]) => {
        const ma = managerFor(`${root}${a}|`);
        const mb = managerFor(`${root}${b}|`);
        try {
          await ma.setKey('ns', 'x', '1');
          await mb.setKey('ns', 'y', '2');
          expect(await ma.keys('*')).toEqual([`${root}${a}|ns:x`]);
          expect(await mb.keys('*')).toEqual([`${root}${b}|ns:y`]);
          expect(await ma.deletePattern('*')).toBe(1);
          expect(await mb.getKey('ns', 'y')).toBe('2');
        } finally {
          await deleteByPrefix(raw, root);
        }
      }),
      { numRuns: 40 },
    );
  });
});
