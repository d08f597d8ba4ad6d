import { describe, expect, it } from 'vitest';
import { canonicalCidr, parseCidr } from '../../../src/core/cloud/cidr.js';
import { parseIp } from '../../../src/core/cloud/ip.js';
import { RangeIndex } from '../../../src/core/cloud/range-index.js';

const find = (index: RangeIndex, address: string) => index.find(parseIp(address)!);

describe('parseCidr', () => {
  it('returns canonical text for valid networks', () => {
    expect(canonicalCidr('10.0.0.0/8')).toBe('10.0.0.0/8');
    expect(canonicalCidr('2600:1F14:0000::/35')).toBe('2600:1f14::/35');
    expect(canonicalCidr('2600:3c12:0b00::/40')).toBe('2600:3c12:b00::/40');
    expect(canonicalCidr('0.0.0.0/0')).toBe('0.0.0.0/0');
    expect(canonicalCidr('::/0')).toBe('::/0');
    expect(canonicalCidr('10.0.0.0/08')).toBe('10.0.0.0/8');
  });

  it('reads a bare address as a host network', () => {
    expect(canonicalCidr('1.2.3.4')).toBe('1.2.3.4/32');
    expect(canonicalCidr('2001:db8::1')).toBe('2001:db8::1/128');
  });

  it('unmaps IPv4-mapped networks of /96 and longer', () => {
    expect(canonicalCidr('::ffff:10.0.0.0/104')).toBe('10.0.0.0/8');
    expect(canonicalCidr('::ffff:0:0/96')).toBe('0.0.0.0/0');
    expect(canonicalCidr('::ffff:1.2.3.4/128')).toBe('1.2.3.4/32');
    expect(parseCidr('::ffff:0:0/95')).toEqual({ ok: false, reason: 'host bits set' });
    expect(canonicalCidr('::fffe:0:0/95')).toBe('::fffe:0:0/95');
  });

  it('refuses host bits, bad lengths and bad text, saying why', () => {
    const cases: [string, string][] = [
      ['10.0.0.1/8', 'host bits set'],
      ['2600:1f14::1/35', 'host bits set'],
      ['10.0.0.0/33', 'prefix length 33 exceeds 32'],
      ['::/129', 'prefix length 129 exceeds 128'],
      ['10.0.0.0/', 'invalid prefix length'],
      ['10.0.0.0/-1', 'invalid prefix length'],
      ['10.0.0.0/8/8', 'invalid prefix length'],
      ['10.0.0.0/ 8', 'invalid prefix length'],
      ['10.0.0.0/1000', 'invalid prefix length'],
      ['300.0.0.0/8', 'invalid address'],
      ['nonsense', 'invalid address'],
      ['', 'invalid address'],
      ['fe80::%eth0/64', 'a network cannot carry a zone'],
    ];
    for (const [input, reason] of cases) expect(parseCidr(input), input).toEqual({ ok: false, reason });
  });
});

describe('RangeIndex', () => {
  it('finds the most specific of nested networks, and nothing outside them', () => {
    const { index, skipped } = RangeIndex.build([
      '10.0.0.0/8',
      '10.1.0.0/16',
      '10.1.2.0/24',
      '10.1.2.128/25',
      '10.3.0.0/16',
    ]);
    expect(skipped).toEqual([]);
    expect(find(index, '10.9.9.9')).toBe('10.0.0.0/8');
    expect(find(index, '10.1.9.9')).toBe('10.1.0.0/16');
    expect(find(index, '10.1.2.3')).toBe('10.1.2.0/24');
    expect(find(index, '10.1.2.200')).toBe('10.1.2.128/25');
    expect(find(index, '10.1.3.0')).toBe('10.1.0.0/16'); // just after a nested network: back to its parent
    expect(find(index, '10.3.255.255')).toBe('10.3.0.0/16');
    expect(find(index, '10.255.255.255')).toBe('10.0.0.0/8');
    expect(find(index, '11.0.0.0')).toBeNull();
    expect(find(index, '9.255.255.255')).toBeNull();
  });

  it('is order-independent and indexes duplicates (after canonicalisation) once', () => {
    const a = RangeIndex.build(['2600:1f14::/35', '10.1.0.0/16', '10.0.0.0/8']).index;
    const b = RangeIndex.build(['10.0.0.0/8', '2600:1F14:0::/35', '10.1.0.0/16', '10.0.0.0/8']).index;
    expect(b.size).toBe(3);
    expect(b.cidrs()).toEqual(a.cidrs());
    expect(a.cidrs()).toEqual(['10.0.0.0/8', '10.1.0.0/16', '2600:1f14::/35']);
  });

  it('covers the edges of the address space: /0, /32, /128, first and last addresses', () => {
    const { index } = RangeIndex.build([
      '0.0.0.0/0',
      '255.255.255.255/32',
      '0.0.0.0/32',
      '::/0',
      'ffff::/16',
      '::/128',
    ]);
    expect(find(index, '0.0.0.0')).toBe('0.0.0.0/32');
    expect(find(index, '0.0.0.1')).toBe('0.0.0.0/0');
    expect(find(index, '255.255.255.254')).toBe('0.0.0.0/0');
    expect(find(index, '255.255.255.255')).toBe('255.255.255.255/32');
    expect(find(index, '::')).toBe('::/128');
    expect(find(index, '::1')).toBe('::/0');
    expect(find(index, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe('ffff::/16');
    expect(find(index, 'fffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe('::/0');
  });

  it('keeps families apart: 32.0.0.1 never matches 2000::/8, and a mapped address matches IPv4 networks', () => {
    const { index } = RangeIndex.build(['2000::/8', '3.5.140.0/22']);
    expect(find(index, '32.0.0.1')).toBeNull();
    expect(find(index, '2000::1')).toBe('2000::/8');
    expect(find(index, '::ffff:3.5.140.9')).toBe('3.5.140.0/22');
    expect(find(index, '::ffff:305:8c09')).toBe('3.5.140.0/22');
    expect(find(index, '::305:8c09')).toBeNull(); // IPv4-compatible is not mapped
  });

  it('separates IPv6 networks that differ only in low words', () => {
    const { index } = RangeIndex.build([
      '2001:db8::/64',
      '2001:db8:0:0:8000::/65',
      '2001:db8::ffff:0:0/96',
      '2001:db8::1:2:3:4/128',
    ]);
    expect(find(index, '2001:db8::1')).toBe('2001:db8::/64');
    expect(find(index, '2001:db8::8000:0:0:1')).toBe('2001:db8:0:0:8000::/65');
    expect(find(index, '2001:db8::ffff:1:2')).toBe('2001:db8::ffff:0:0/96');
    expect(find(index, '2001:db8::1:2:3:4')).toBe('2001:db8::1:2:3:4/128');
    expect(find(index, '2001:db8::1:2:3:5')).toBe('2001:db8::/64');
    expect(find(index, '2001:db8:0:1::')).toBeNull();
  });

  it('skips and lists malformed entries without losing the good ones', () => {
    const input = ['10.0.0.0/8', '10.0.0.1/8', 'garbage', '1.2.3.0/33', '2600::/129', '2600::/16', ' 4.4.4.0/24'];
    const { index, skipped } = RangeIndex.build(input);
    expect(skipped).toEqual(['10.0.0.1/8', 'garbage', '1.2.3.0/33', '2600::/129', ' 4.4.4.0/24']);
    expect(index.cidrs()).toEqual(['10.0.0.0/8', '2600::/16']);
    expect(index.size).toBe(2);
  });

  it('has an EMPTY index that matches nothing, and build() of nothing returns it', () => {
    expect(RangeIndex.EMPTY.size).toBe(0);
    expect(RangeIndex.EMPTY.cidrs()).toEqual([]);
    expect(find(RangeIndex.EMPTY, '1.2.3.4')).toBeNull();
    expect(find(RangeIndex.EMPTY, '::1')).toBeNull();
    expect(RangeIndex.build([]).index).toBe(RangeIndex.EMPTY);
    expect(RangeIndex.build(['bad']).index).toBe(RangeIndex.EMPTY);
  });

  it('offers contains() and lookup() on text', () => {
    const { index } = RangeIndex.build(['3.5.140.0/22']);
    expect(index.contains(parseIp('3.5.143.255')!)).toBe(true);
    expect(index.contains(parseIp('3.5.144.0')!)).toBe(false);
    expect(index.lookup('3.5.140.1')).toBe('3.5.140.0/22');
    expect(index.lookup('not an ip')).toBeNull();
  });

  it('accepts any iterable, e.g. a Set or a generator', () => {
    function* gen() {
      yield '10.0.0.0/8';
      yield '10.0.0.0/8';
    }
    expect(RangeIndex.build(new Set(['1.0.0.0/8'])).index.size).toBe(1);
    expect(RangeIndex.build(gen()).index.size).toBe(1);
  });
});
