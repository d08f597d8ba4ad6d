/**
 * IPBanManager on a real Redis, both APIs: every method, the original's key layout and value
 * bytes (Python float text, integer strings, canonical keys, CIDR keys, TTLs), the stored expiry
 * winning over the TTL, the start-up migration of non-canonical keys, input errors and refusals.
 */
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { GuardInputError, pythonFloatText, silentLogger, type SecurityConfigInput } from '../../src/index.js';
import { banApis, type BanManagerUnderTest, type BanTestOptions, type HandlerUnderTest } from '../support/bans-apis.js';
import { captureFailure } from '../support/apis.js';
import { captureLogger } from '../support/logger.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';

const raw = rawClient();
afterAll(() => raw.quit());

describe.each(banApis)('IPBanManager on a real Redis ($name API)', (api) => {
  let prefix: string;
  const handlers: HandlerUnderTest[] = [];
  const managers: BanManagerUnderTest[] = [];

  /** A manager attached to a fresh handler on the run's Redis, with this test's prefix. */
  async function start(extra: SecurityConfigInput = {}, options: BanTestOptions = {}): Promise<BanManagerUnderTest> {
    const config: SecurityConfigInput = { redisUrl: redisUrl(), redisPrefix: prefix, logger: silentLogger, ...extra };
    const handler = api.createHandler(config);
    const bans = api.createBans(config, options);
    handlers.push(handler);
    managers.push(bans);
    await bans.initializeRedis(handler);
    return bans;
  }
  const key = (ns: string, k: string) => `${prefix}${ns}:${k}`;

  beforeEach(() => {
    prefix = uniquePrefix('bans');
  });
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.close();
    for (const h of handlers.splice(0)) await h.close();
    await deleteByPrefix(raw, prefix);
  });

  test('banIp writes the original bytes: canonical key, Python float expiry, EX duration', async () => {
    const nowMs = 1_796_176_799_777.2214;
    const bans = await start({}, { now: () => nowMs });
    expect(bans.mode).toBe('redis');
    expect(await bans.banIp('2001:DB8::1', 60, 'scanner')).toBe(true);
    const value = await raw.get(key('banned_ips', '2001:db8::1'));
    expect(value).toBe(pythonFloatText(nowMs / 1000 + 60));
    expect(value).toMatch(/^1796176859\.\d+$/);
    const pttl = await raw.pttl(key('banned_ips', '2001:db8::1'));
    expect(pttl).toBeGreaterThan(58_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
    expect(await bans.isIpBanned('2001:db8::1')).toBe(true);
    expect(await bans.isIpBanned('[2001:DB8::1]')).toBe(true);
    expect(await bans.isIpBanned('2001:db8::2')).toBe(false);
  });

  test('an integral expiry is written with .0, as Python writes a float', async () => {
    const bans = await start({}, { now: () => 1_796_176_800_000 });
    await bans.banIp('::ffff:198.51.100.7', 59);
    expect(await raw.get(key('banned_ips', '198.51.100.7'))).toBe('1796176859.0');
    expect(await bans.isIpBanned('198.51.100.7')).toBe(true);
  });

  test("reads bans in the original's bytes: a Python float, an integer string, a network key", async () => {
    const nowMs = 1_796_176_000_000;
    await raw.set(key('banned_ips', '203.0.113.1'), '1796176859.7772214', 'EX', 3600);
    await raw.set(key('banned_ips', '203.0.113.2'), '1796176859', 'EX', 3600);
    await raw.set(key('banned_networks', '198.51.100.0/24'), '1796176859.5', 'EX', 3600);
    const bans = await start({}, { now: () => nowMs });
    expect(await bans.isIpBanned('203.0.113.1')).toBe(true);
    expect(await bans.isIpBanned('203.0.113.2')).toBe(true);
    expect(await bans.isIpBanned('198.51.100.200')).toBe(true);
    const listed = (await bans.listBans()).sort((a, b) => a.target.localeCompare(b.target));
    expect(listed).toEqual([
      { target: '198.51.100.0/24', kind: 'network', expiresAt: 1796176859.5 },
      { target: '203.0.113.1', kind: 'ip', expiresAt: 1796176859.7772214 },
      { target: '203.0.113.2', kind: 'ip', expiresAt: 1796176859 },
    ]);
  });

  test('the stored expiry wins over the TTL: a past expiry is no ban and its key is deleted', async () => {
    const nowMs = 1_796_176_900_000; // after 1796176859.77
    await raw.set(key('banned_ips', '203.0.113.9'), '1796176859.7772214', 'EX', 3600);
    const bans = await start({}, { now: () => nowMs });
    expect(await bans.isIpBanned('203.0.113.9')).toBe(false);
    expect(await raw.exists(key('banned_ips', '203.0.113.9'))).toBe(0);
  });

  test('CIDR bans: host bits masked, network key, every address inside banned, none outside', async () => {
    const bans = await start();
    expect(await bans.banIp('192.0.2.77/24', 120, 'botnet')).toBe(true);
    expect(await raw.get(key('banned_networks', '192.0.2.0/24'))).toMatch(/^\d+\.\d+$/);
    expect(await raw.pttl(key('banned_networks', '192.0.2.0/24'))).toBeGreaterThan(118_000);
    for (const inside of ['192.0.2.0', '192.0.2.255', '192.0.2.128', '::ffff:192.0.2.1']) {
      expect(await bans.isIpBanned(inside), inside).toBe(true);
    }
    expect(await bans.isIpBanned('192.0.3.0')).toBe(false);
    expect(await bans.isIpBanned('192.0.1.255')).toBe(false);
    expect(await bans.banIp('2001:db8:abcd::/48', 120)).toBe(true);
    expect(await raw.exists(key('banned_networks', '2001:db8:abcd::/48'))).toBe(1);
    expect(await bans.isIpBanned('2001:db8:abcd:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(await bans.isIpBanned('2001:db8:abce::')).toBe(false);
    expect(await bans.listBans()).toEqual(
      expect.arrayContaining([expect.objectContaining({ target: '192.0.2.0/24', kind: 'network', reason: 'botnet' })]),
    );
  });

  test('unbanIp removes an exact or a network ban, here and in Redis; true only when there was one', async () => {
    const bans = await start();
    await bans.banIp('203.0.113.5', 60);
    await bans.banIp('198.51.100.0/24', 60);
    expect(await bans.unbanIp('203.0.113.5')).toBe(true);
    expect(await bans.unbanIp('198.51.100.9/24')).toBe(true);
    expect(await raw.exists(key('banned_ips', '203.0.113.5'), key('banned_networks', '198.51.100.0/24'))).toBe(0);
    expect(await bans.isIpBanned('203.0.113.5')).toBe(false);
    expect(await bans.isIpBanned('198.51.100.9')).toBe(false);
    expect(await bans.unbanIp('203.0.113.5')).toBe(false);
  });

  test('unbanIp lifts a ban written by another writer (found in Redis only)', async () => {
    const bans = await start();
    await raw.set(key('banned_ips', '203.0.113.6'), String(Date.now() / 1000 + 60), 'EX', 60);
    expect(await bans.unbanIp('203.0.113.6')).toBe(true);
    expect(await raw.exists(key('banned_ips', '203.0.113.6'))).toBe(0);
  });

  test("reset() removes every ban of this prefix (exact and network), and nobody else's", async () => {
    const bans = await start();
    const other = `${prefix}x:`; // another app whose prefix starts with ours
    await raw.set(`${other}banned_ips:203.0.113.1`, '1796176859.0', 'EX', 60);
    await bans.banIp('203.0.113.1', 60);
    await bans.banIp('10.0.0.0/8', 60);
    await raw.set(key('banned_ips', '203.0.113.2'), '1796176859.0', 'EX', 60); // a Python replica's
    await bans.reset();
    expect(await raw.keys(`${prefix}banned_*`)).toEqual([]);
    expect(await raw.exists(`${other}banned_ips:203.0.113.1`)).toBe(1);
    expect(await bans.isIpBanned('203.0.113.1')).toBe(false);
    expect(await bans.isIpBanned('10.1.1.1')).toBe(false);
    expect(await bans.listBans()).toEqual([]);
  });

  test('listBans reports target, kind, expiry in epoch seconds and the reason known here', async () => {
    const nowMs = 1_796_000_000_000;
    const bans = await start({}, { now: () => nowMs });
    await bans.banIp('203.0.113.8', 30, 'abuse');
    await bans.banIp('2001:db8::/32', 40);
    const listed = (await bans.listBans()).sort((a, b) => a.target.localeCompare(b.target));
    expect(listed).toEqual([
      { target: '2001:db8::/32', kind: 'network', expiresAt: 1_796_000_040 },
      { target: '203.0.113.8', kind: 'ip', expiresAt: 1_796_000_030, reason: 'abuse' },
    ]);
  });

  test('start-up migration: non-canonical keys move to the canonical key; a key without TTL is kept via its value', async () => {
    const nowMs = Date.now();
    const future = String(nowMs / 1000 + 600);
    await raw.set(key('banned_ips', '2001:DB8::1'), future, 'EX', 300); // TTL shorter than the value says
    await raw.set(key('banned_ips', '::ffff:203.0.113.3'), future); // no TTL: the original deleted it
    await raw.set(key('banned_ips', '2001:DB8::2'), String(nowMs / 1000 - 5)); // no TTL, ended
    await raw.set(key('banned_ips', '2001:DB8::3'), 'garbage'); // no TTL, no readable expiry: left alone
    await raw.set(key('banned_ips', '2001:db8::4'), future, 'EX', 900); // canonical with a longer TTL
    await raw.set(key('banned_ips', '2001:DB8::4'), future, 'EX', 100);
    const bans = await start();
    expect(await raw.get(key('banned_ips', '2001:db8::1'))).toBe(future);
    expect(await raw.pttl(key('banned_ips', '2001:db8::1'))).toBeGreaterThan(295_000);
    expect(await raw.get(key('banned_ips', '203.0.113.3'))).toBe(future);
    const migratedTtl = await raw.pttl(key('banned_ips', '203.0.113.3'));
    expect(migratedTtl).toBeGreaterThan(590_000);
    expect(migratedTtl).toBeLessThanOrEqual(600_000);
    expect(await raw.pttl(key('banned_ips', '2001:db8::4'))).toBeGreaterThan(800_000);
    for (const old of ['2001:DB8::1', '::ffff:203.0.113.3', '2001:DB8::2', '2001:DB8::4']) {
      expect(await raw.exists(key('banned_ips', old)), old).toBe(0);
    }
    expect(await raw.exists(key('banned_ips', '2001:db8::2'))).toBe(0);
    expect(await raw.get(key('banned_ips', '2001:DB8::3'))).toBe('garbage');
    expect(await bans.isIpBanned('2001:db8::1')).toBe(true);
    expect(await bans.isIpBanned('203.0.113.3')).toBe(true);
    expect(await bans.isIpBanned('2001:db8::2')).toBe(false);
  });

  test('a mirror smaller than the ban list asks Redis on a local miss', async () => {
    const bans = await start({ inMemoryMaxKeys: 3 });
    const expiry = String(Date.now() / 1000 + 60);
    for (let i = 1; i <= 8; i++) await raw.set(key('banned_ips', `203.0.113.${i}`), expiry, 'EX', 60);
    await bans.listBans(); // resync: 8 exact bans, 3 held
    for (let i = 1; i <= 8; i++) expect(await bans.isIpBanned(`203.0.113.${i}`), String(i)).toBe(true);
    expect(await bans.isIpBanned('203.0.113.9')).toBe(false);
    expect(await bans.listBans()).toHaveLength(8);
  });

  test('input errors are GuardInputError naming the field, and nothing is stored', async () => {
    const bans = await start();
    for (const duration of [0, -1, NaN, Infinity]) {
      const error = await captureFailure(() => bans.banIp('203.0.113.1', duration));
      expect(error, String(duration)).toBeInstanceOf(GuardInputError);
      expect((error as GuardInputError).field).toBe('durationSeconds');
    }
    for (const bad of ['not-an-ip', '1.2.3.4/33', '', '999.1.1.1']) {
      const error = await captureFailure(() => bans.banIp(bad, 60));
      expect((error as GuardInputError).field, bad).toBe('ip');
    }
    expect(((await captureFailure(() => bans.isIpBanned('10.0.0.0/8'))) as GuardInputError).field).toBe('ip');
    expect(((await captureFailure(() => bans.unbanIp('nope'))) as GuardInputError).field).toBe('ip');
    expect(await raw.keys(`${prefix}*`)).toEqual([]);
    expect(await bans.listBans()).toEqual([]);
  });

  test('refuses (false, one warning) bans covering loopback or a trusted proxy; warns for private targets', async () => {
    const captured = captureLogger();
    const bans = await start({ logger: captured.logger, trustedProxies: ['203.0.113.0/28'] });
    for (const target of [
      '127.0.0.1',
      '127.1.2.3/16',
      '::1',
      '::ffff:127.0.0.1',
      '0.0.0.0/0',
      '203.0.113.4',
      '203.0.112.0/23',
    ]) {
      const before = captured.lines.filter((l) => l.level === 'warn').length;
      expect(await bans.banIp(target, 60), target).toBe(false);
      expect(captured.lines.filter((l) => l.level === 'warn').length - before, target).toBe(1);
    }
    expect(await raw.keys(`${prefix}*`)).toEqual([]);
    expect(await bans.banIp('203.0.113.16', 60)).toBe(true); // just outside the proxy network
    const before = captured.lines.filter((l) => l.level === 'warn').length;
    expect(await bans.banIp('10.0.0.5', 60)).toBe(true);
    expect(captured.lines.filter((l) => l.level === 'warn').length - before).toBe(1);
    expect(await bans.isIpBanned('10.0.0.5')).toBe(true);
  });

  test('without Redis (initializeRedis(null)) every method works in memory, with real expiries', async () => {
    let nowMs = 1_796_000_000_000;
    const bans = api.createBans({ enableRedis: false, logger: silentLogger }, { now: () => nowMs });
    managers.push(bans);
    await bans.initializeRedis(null);
    expect(bans.mode).toBe('disabled');
    expect(await bans.banIp('203.0.113.1', 7200)).toBe(true); // not shortened to 3600 s
    expect(await bans.banIp('10.0.0.0/8', 10)).toBe(true);
    expect(await bans.isIpBanned('10.200.0.1')).toBe(true);
    nowMs += 3_700_000;
    expect(await bans.isIpBanned('203.0.113.1')).toBe(true);
    expect(await bans.isIpBanned('10.200.0.1')).toBe(false);
    expect((await bans.listBans()).map((b) => b.target)).toEqual(['203.0.113.1']);
    expect(await bans.unbanIp('203.0.113.1')).toBe(true);
    expect(await bans.isIpBanned('203.0.113.1')).toBe(false);
    await bans.banIp('203.0.113.2', 60);
    await bans.reset();
    expect(await bans.listBans()).toEqual([]);
  });
});
