import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { formatIp, parseIp, parseIpWords } from '../../../src/core/cloud/ip.js';

const text = (s: string) => {
  const ip = parseIp(s);
  return ip === null ? null : `${ip.family}:${formatIp(ip)}`;
};

describe('parseIp — IPv4', () => {
  it('parses dotted quads into one 32-bit word', () => {
    expect(parseIp('0.0.0.0')).toMatchObject({ family: 4, w0: 0, w1: 0, w2: 0, w3: 0 });
    expect(parseIp('255.255.255.255')).toMatchObject({ family: 4, w3: 0xffffffff });
    expect(parseIp('3.5.140.1')).toMatchObject({ family: 4, w3: (3 << 24) + (5 << 16) + (140 << 8) + 1 });
    expect(text('192.168.0.10')).toBe('4:192.168.0.10');
  });

  it('refuses leading zeros (octal/decimal ambiguity), as Node and Python do', () => {
    for (const s of ['010.0.0.1', '1.02.3.4', '1.2.3.00', '00.0.0.0', '0.0.0.01']) {
      expect(parseIp(s), s).toBeNull();
      expect(isIP(s), s).toBe(0);
    }
  });

  it('refuses shorthand, out-of-range and decorated forms', () => {
    const bad = [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '256.0.0.1',
      '1.2.3.999',
      '1234.1.1.1',
      '127.1',
      '0x7f.0.0.1',
      '2130706433',
      '1.2.3.4 ',
      ' 1.2.3.4',
      '1..2.3',
      '.1.2.3',
      '1.2.3.',
      '1.2.3.4/32',
      '+1.2.3.4',
      '1.2.3.-4',
      '１.2.3.4', // a full-width digit
    ];
    for (const s of bad) expect(parseIp(s), JSON.stringify(s)).toBeNull();
  });

  it('treats non-strings as invalid instead of throwing', () => {
    expect(parseIp(undefined as unknown as string)).toBeNull();
    expect(parseIp(42 as unknown as string)).toBeNull();
  });
});

describe('parseIp — IPv6', () => {
  it('parses every RFC 4291 spelling to the same value', () => {
    const spellings = [
      '2001:db8:0:0:0:0:0:1',
      '2001:0db8:0000:0000:0000:0000:0000:0001',
      '2001:DB8::1',
      '2001:db8::0:1',
      '2001:db8:0::0:0:1',
    ];
    for (const s of spellings) expect(text(s), s).toBe('6:2001:db8::1');
  });

  it('handles :: at either end, alone, and a trailing dotted quad', () => {
    expect(text('::')).toBe('6:::');
    expect(text('::1')).toBe('6:::1');
    expect(text('1::')).toBe('6:1::');
    expect(text('1:2:3:4:5:6:7::')).toBe('6:1:2:3:4:5:6:7:0');
    expect(text('::2:3:4:5:6:7:8')).toBe('6:0:2:3:4:5:6:7:8');
    expect(text('64:ff9b::192.0.2.33')).toBe('6:64:ff9b::c000:221');
    expect(text('::1.2.3.4')).toBe('6:::102:304'); // IPv4-compatible (deprecated) stays IPv6
    expect(parseIp('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toMatchObject({
      family: 6,
      w0: 0xffffffff,
      w1: 0xffffffff,
      w2: 0xffffffff,
      w3: 0xffffffff,
    });
  });

  it('unmaps IPv4-mapped addresses, in dotted or hex form', () => {
    expect(text('::ffff:1.2.3.4')).toBe('4:1.2.3.4');
    expect(text('::FFFF:102:304')).toBe('4:1.2.3.4');
    expect(text('0:0:0:0:0:ffff:203.0.113.9')).toBe('4:203.0.113.9');
    expect(parseIp('::ffff:1.2.3.4')).toEqual(parseIp('1.2.3.4'));
    // Neighbours of the mapped block stay IPv6.
    expect(text('::fffe:1.2.3.4')).toBe('6:::fffe:102:304');
    expect(text('1::ffff:1.2.3.4')).toBe('6:1::ffff:102:304');
  });

  it('accepts and ignores a zone id, refuses a malformed one', () => {
    expect(text('fe80::1%eth0')).toBe('6:fe80::1');
    expect(text('fe80::1%en0.5_a~b-c')).toBe('6:fe80::1');
    for (const s of ['fe80::1%', 'fe80::1%eth 0', 'fe80::1%a%b', '1.2.3.4%eth0']) expect(parseIp(s), s).toBeNull();
  });

  it('refuses malformed text', () => {
    const bad = [
      ':',
      ':::',
      '1:::2',
      '1::2::3',
      ':1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7::8',
      '12345::',
      'g::1',
      '::1.2.3',
      '::1.2.3.4.5',
      '::256.1.1.1',
      '::01.1.1.1',
      '1.2.3.4::',
      '::1.2.3.4:5',
      '1:2:3:4:5:6:7:1.2.3.4',
      '[::1]',
      ' ::1',
      '::1 ',
      '::1/128',
    ];
    for (const s of bad) {
      expect(parseIp(s), s).toBeNull();
    }
  });

  it('agrees with node:net isIP on validity for a mixed corpus', () => {
    const corpus = [
      '::',
      '::1',
      '1::',
      '::ffff:1.2.3.4',
      '2001:db8::1',
      '2001:db8:0:0:0:0:2:1',
      '1:2:3:4:5:6:7::',
      'fe80::1',
      '1:2:3:4:5:6:1.2.3.4',
      '1:2:3:4:5:6:7:8',
      '1:::2',
      '::1.2.3',
      '12345::1',
      '1:2:3:4:5:6:7:8:9',
      '1.2.3.4',
      '01.2.3.4',
      '255.255.255.256',
      'abc',
    ];
    for (const s of corpus) expect(parseIp(s) !== null, s).toBe(isIP(s) !== 0);
  });
});

describe('formatIp', () => {
  it('writes RFC 5952 text: lowercase, no leading zeros, longest zero run compressed, first on a tie', () => {
    const cases: [string, string][] = [
      ['2001:0DB8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
      ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
      ['0:0:1:0:0:0:0:0', '0:0:1::'],
      ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
      ['0:0:0:0:0:0:0:0', '::'],
    ];
    for (const [input, canonical] of cases) expect(formatIp(parseIp(input)!), input).toBe(canonical);
  });
});

describe('parseIpWords (the allocation-free form)', () => {
  it('writes the same words parseIp returns, and the family; 0 for invalid text', () => {
    const out = new Uint32Array(4).fill(7);
    expect(parseIpWords('3.5.140.1', out)).toBe(4);
    expect([...out]).toEqual([0, 0, 0, parseIp('3.5.140.1')!.w3]);
    out.fill(7);
    expect(parseIpWords('::ffff:3.5.140.1', out)).toBe(4);
    expect([...out]).toEqual([0, 0, 0, parseIp('3.5.140.1')!.w3]);
    expect(parseIpWords('2600:1f14::ffff:1', out)).toBe(6);
    const ip = parseIp('2600:1f14::ffff:1')!;
    expect([...out]).toEqual([ip.w0, ip.w1, ip.w2, ip.w3]);
    expect(parseIpWords('1.2.3.04', out)).toBe(0);
    expect(parseIpWords('1::2::3', out)).toBe(0);
  });
});
