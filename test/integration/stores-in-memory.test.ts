/**
 * InMemoryCloudIpStore: copies on read and write, TTL with an injected clock — for each API.
 */
import { describe, expect, test } from 'vitest';
import { GuardInputError } from '../../src/index.js';
import { apisUnderTest, captureFailure } from '../support/apis.js';

describe.each(apisUnderTest)('InMemoryCloudIpStore ($name API)', (api) => {
  function withClock(start = 1_000_000) {
    const clock = { now: start };
    return { clock, store: api.createInMemoryStore({ now: () => clock.now }) };
  }

  test('unknown provider → null; round trip; empty set stays an empty set', async () => {
    const store = api.createInMemoryStore();
    expect(await store.get('AWS')).toBeNull();
    await store.set('AWS', new Set(['10.0.0.0/8', '3.5.140.0/22']));
    expect(await store.get('AWS')).toEqual(new Set(['10.0.0.0/8', '3.5.140.0/22']));
    await store.set('GCP', []);
    const empty = await store.get('GCP');
    expect(empty).toBeInstanceOf(Set);
    expect(empty?.size).toBe(0);
  });

  test('copies on write: changing the caller’s set later changes nothing stored', async () => {
    const store = api.createInMemoryStore();
    const ranges = new Set(['10.0.0.0/8']);
    await store.set('AWS', ranges);
    ranges.add('11.0.0.0/8');
    ranges.delete('10.0.0.0/8');
    expect(await store.get('AWS')).toEqual(new Set(['10.0.0.0/8']));
  });

  test('copies on read: changing a returned set changes nothing stored', async () => {
    const store = api.createInMemoryStore();
    await store.set('AWS', ['10.0.0.0/8']);
    const first = (await store.get('AWS')) as Set<string>;
    first.clear();
    first.add('evil/0');
    const second = await store.get('AWS');
    expect(second).toEqual(new Set(['10.0.0.0/8']));
    expect(second).not.toBe(first);
  });

  test('TTL: valid until just before it ends, gone exactly at the end (as the Python original)', async () => {
    const { clock, store } = withClock(1_000_000);
    await store.set('AWS', ['10.0.0.0/8'], 60);
    clock.now += 59_999;
    expect(await store.get('AWS')).toEqual(new Set(['10.0.0.0/8']));
    clock.now += 1;
    expect(await store.get('AWS')).toBeNull();
    clock.now -= 10_000; // an expired entry was dropped, not just hidden
    expect(await store.get('AWS')).toBeNull();
  });

  test('a set without TTL clears an earlier TTL', async () => {
    const { clock, store } = withClock();
    await store.set('AWS', ['10.0.0.0/8'], 60);
    await store.set('AWS', ['11.0.0.0/8']);
    clock.now += 10 * 365 * 24 * 3600 * 1000;
    expect(await store.get('AWS')).toEqual(new Set(['11.0.0.0/8']));
  });

  test('a new set with a TTL restarts the clock', async () => {
    const { clock, store } = withClock();
    await store.set('AWS', ['10.0.0.0/8'], 60);
    clock.now += 50_000;
    await store.set('AWS', ['10.0.0.0/8'], 60);
    clock.now += 50_000;
    expect(await store.get('AWS')).toEqual(new Set(['10.0.0.0/8']));
  });

  test('providers are independent; clear() drops every entry and its expiry', async () => {
    const { clock, store } = withClock();
    await store.set('AWS', ['10.0.0.0/8'], 10);
    await store.set('GCP', ['34.0.0.0/8']);
    clock.now += 10_000;
    expect(await store.get('AWS')).toBeNull();
    expect(await store.get('GCP')).toEqual(new Set(['34.0.0.0/8']));
    await store.set('AWS', ['10.0.0.0/8'], 10);
    await store.clear();
    expect(await store.get('AWS')).toBeNull();
    expect(await store.get('GCP')).toBeNull();
    await store.set('AWS', ['10.0.0.0/8']);
    clock.now += 1_000_000;
    expect(await store.get('AWS')).toEqual(new Set(['10.0.0.0/8']));
  });

  test('two stores never share state', async () => {
    const a = api.createInMemoryStore();
    const b = api.createInMemoryStore();
    await a.set('AWS', ['10.0.0.0/8']);
    expect(await b.get('AWS')).toBeNull();
  });

  test('bad input is a GuardInputError naming the field, and the stored entry survives', async () => {
    const store = api.createInMemoryStore();
    await store.set('AWS', ['10.0.0.0/8']);
    const cases: Array<[() => unknown, string]> = [
      [() => store.set('AWS', ['x'], 0), 'ttl'],
      [() => store.set('AWS', ['x'], -5), 'ttl'],
      [() => store.set('AWS', ['x'], 1.5), 'ttl'],
      [() => store.set('AWS', 'x' as never), 'ranges'],
      [() => store.set('AWS', [null] as never), 'ranges'],
      [() => store.set('', ['x']), 'provider'],
      [() => store.get(7 as never), 'provider'],
    ];
    for (const [call, field] of cases) {
      const error = await captureFailure(call);
      expect(error).toBeInstanceOf(GuardInputError);
      expect((error as GuardInputError).field).toBe(field);
    }
    expect(await store.get('AWS')).toEqual(new Set(['10.0.0.0/8']));
  });

  test('the default clock is monotonic and real: a 1-second TTL is still valid right away', async () => {
    const store = api.createInMemoryStore();
    await store.set('AWS', ['10.0.0.0/8'], 1);
    expect(await store.get('AWS')).toEqual(new Set(['10.0.0.0/8']));
  });
});
