import { describe, expect, test } from 'vitest';
import {
  canonicalIp,
  LOOPBACK_NETWORKS,
  networkContains,
  networksOf,
  networksOverlap,
  parseBanTarget,
  PRIVATE_NETWORKS,
} from '../../../src/core/bans/target.js';

describe('canonicalIp (the original key rules)', () => {
  test.each([
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:0102:0304', '1.2.3.4'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['1.2.3.4', '1.2.3.4'],
    ['fe80::1%eth0', 'fe80::1'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });

  test('anything that is not an address is null', () => {
    for (const bad of ['', 'x', '1.2.3', '01.2.3.4', '1.2.3.4/32', ' 1.2.3.4', '[1.2.3.4']) {
      expect(canonicalIp(bad), bad).toBeNull();
    }
  });
});

describe('parseBanTarget', () => {
  test('an address is an ip target keyed by its canonical text', () => {
    expect(parseBanTarget('2001:DB8::1')).toMatchObject({ kind: 'ip', key: '2001:db8::1', family: 6, prefix: 128 });
  });

  test('a network masks host bits, as ip_network(x, strict=False) does', () => {
    expect(parseBanTarget('10.1.2.3/8')).toMatchObject({ kind: 'network', key: '10.0.0.0/8', prefix: 8 });
    expect(parseBanTarget('2001:db8::1/32')?.key).toBe('2001:db8::/32');
    expect(parseBanTarget('[2001:db8::]/48')?.key).toBe('2001:db8::/48');
    expect(parseBanTarget('1.2.3.4/32')).toMatchObject({ kind: 'network', key: '1.2.3.4/32' });
    expect(parseBanTarget('0.0.0.0/0')?.key).toBe('0.0.0.0/0');
  });

  test('IPv4-mapped networks are unmapped inside ::ffff:0:0/96 (a documented difference from Python)', () => {
    expect(parseBanTarget('::ffff:10.0.0.0/104')?.key).toBe('10.0.0.0/8');
    expect(parseBanTarget('::ffff:1.2.3.4/64')).toMatchObject({ family: 6, key: '::/64' });
  });

  test('invalid prefixes and addresses are null', () => {
    for (const bad of [
      '1.2.3.4/33',
      '2001:db8::/129',
      '1.2.3.4/',
      '1.2.3.4/x',
      '1.2.3.4/-1',
      'x/8',
      'fe80::%eth0/64',
      '',
    ]) {
      expect(parseBanTarget(bad), bad).toBeNull();
    }
  });
});

describe('containment and overlap', () => {
  const n = (text: string) => parseBanTarget(text)!;

  test('a network contains its first, last and middle address, not the one after', () => {
    const net = n('192.0.2.0/24');
    for (const inside of ['192.0.2.0', '192.0.2.255', '192.0.2.128'])
      expect(networkContains(net, n(inside))).toBe(true);
    expect(networkContains(net, n('192.0.3.0'))).toBe(false);
    expect(networkContains(net, n('2001:db8::1'))).toBe(false);
  });

  test('loopback and private sets catch what they should', () => {
    const overlapsAny = (list: typeof LOOPBACK_NETWORKS, text: string) => list.some((x) => networksOverlap(x, n(text)));
    expect(overlapsAny(LOOPBACK_NETWORKS, '127.0.0.1')).toBe(true);
    expect(overlapsAny(LOOPBACK_NETWORKS, '::1')).toBe(true);
    expect(overlapsAny(LOOPBACK_NETWORKS, '0.0.0.0/0')).toBe(true);
    expect(overlapsAny(LOOPBACK_NETWORKS, '::/0')).toBe(true);
    expect(overlapsAny(LOOPBACK_NETWORKS, '::ffff:127.0.0.5')).toBe(true);
    expect(overlapsAny(LOOPBACK_NETWORKS, '8.8.8.8')).toBe(false);
    expect(overlapsAny(PRIVATE_NETWORKS, '10.9.9.9')).toBe(true);
    expect(overlapsAny(PRIVATE_NETWORKS, 'fd00::1')).toBe(true);
    expect(overlapsAny(PRIVATE_NETWORKS, '8.8.8.8')).toBe(false);
  });

  test('networksOf reads the config trustedProxies texts', () => {
    const [proxy] = networksOf(['203.0.113.7/32']);
    expect(networksOverlap(proxy!, n('203.0.113.0/24'))).toBe(true);
    expect(networksOverlap(proxy!, n('203.0.113.8'))).toBe(false);
  });
});
