import { describe, expect, test } from 'vitest';
import { LocalBans, type BanEntry } from '../../../src/core/bans/local-bans.js';
import { parseBanAddress, parseBanTarget, type BanNetwork } from '../../../src/core/bans/target.js';

const ip = (target: string, expiresAt = 100): BanEntry => ({ target, kind: 'ip', expiresAt });
const net = (target: string, expiresAt = 100): [BanEntry, BanNetwork] => {
  const parsed = parseBanTarget(target)!;
  return [{ target: parsed.key, kind: 'network', expiresAt }, parsed];
};
const find = (bans: LocalBans, address: string) => {
  const a = parseBanAddress(address)!;
  return bans.findNetwork(a.family, [a.w0, a.w1, a.w2, a.w3])?.target;
};

describe('LocalBans', () => {
  test('exact bans are an LRU: an eviction makes the set incomplete; clear() makes it complete again', () => {
    const bans = new LocalBans(2);
    bans.set(ip('1.1.1.1'));
    bans.set(ip('1.1.1.2'));
    expect(bans.complete).toBe(true);
    bans.set(ip('1.1.1.3'));
    expect(bans.complete).toBe(false);
    expect(bans.get('1.1.1.1')).toBeUndefined();
    expect(bans.size.exact).toBe(2);
    bans.clear();
    expect(bans.complete).toBe(true);
  });

  test('networks are found by containment, most specific first, and never evicted', () => {
    const bans = new LocalBans(2);
    expect(bans.set(...net('10.0.0.0/8'))).toBe(true);
    expect(bans.set(...net('10.1.0.0/16'))).toBe(true);
    expect(bans.set(...net('192.168.0.0/16'))).toBe(false); // beyond the bound: refused, nothing evicted
    expect(bans.canHoldNetwork('10.0.0.0/8')).toBe(true);
    expect(find(bans, '10.1.2.3')).toBe('10.1.0.0/16');
    expect(find(bans, '10.2.0.0')).toBe('10.0.0.0/8');
    expect(find(bans, '11.0.0.0')).toBeUndefined();
    expect(find(bans, '::ffff:10.9.9.9')).toBe('10.0.0.0/8');
    expect(bans.delete('10.1.0.0/16')).toBe(true);
    expect(find(bans, '10.1.2.3')).toBe('10.0.0.0/8');
    expect(bans.delete('10.0.0.0/8')).toBe(true);
    expect(find(bans, '10.1.2.3')).toBeUndefined();
    expect(bans.delete('10.0.0.0/8')).toBe(false);
  });

  test('IPv6 networks match IPv6 addresses only', () => {
    const bans = new LocalBans(10);
    bans.set(...net('2001:db8::/32'));
    bans.set(...net('0.0.0.0/0'));
    expect(find(bans, '2001:db8:ffff::1')).toBe('2001:db8::/32');
    expect(find(bans, '2001:db9::1')).toBeUndefined();
    expect(find(bans, '8.8.8.8')).toBe('0.0.0.0/0');
  });

  test('entries() lists what has not expired, networks and addresses', () => {
    const bans = new LocalBans(10);
    bans.set(ip('1.1.1.1', 50));
    bans.set(ip('1.1.1.2', 150));
    bans.set(...net('10.0.0.0/8', 200));
    expect(bans.entries(100).map((e) => e.target)).toEqual(['10.0.0.0/8', '1.1.1.2']);
  });
});
