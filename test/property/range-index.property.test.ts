/**
 * Property tests of the cloud lookup against the naive reference in `reference-matcher.ts`: random
 * CIDR sets (nested around a few seeds, with /0, /32, /128 and IPv4-mapped spellings, sprinkled with
 * malformed entries) and random addresses (near the networks' edges, and anywhere), v4 and v6.
 */
import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalCidr } from '../../src/core/cloud/cidr.js';
import { formatIp, parseIp } from '../../src/core/cloud/ip.js';
import { RangeIndex } from '../../src/core/cloud/range-index.js';
import { CloudRangeSet } from '../../src/core/cloud/range-set.js';
import { CLOUD_PROVIDERS, type CloudProvider } from '../../src/core/providers.js';
import {
  refContains,
  refFind,
  refFormatAddress,
  refParseCidr,
  refParseIp,
  type RefNetwork,
} from './reference-matcher.js';

type Family = 4 | 6;
const BITS = { 4: 32, 6: 128 } as const;
const MAX = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n } as const;
const mask = (family: Family, prefix: number) => MAX[family] ^ ((1n << BigInt(BITS[family] - prefix)) - 1n);

/** Every way to write an IPv6 value: RFC 5952, fully expanded with leading zeros, upper case. */
function v6Spellings(value: bigint): string[] {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(16 * (7 - i))) & 0xffffn));
  const full = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
  const compact = refFormatAddress(6, value);
  return [compact, full, compact.toUpperCase(), groups.map((g) => g.toString(16)).join(':')];
}

/** Spellings of an address: IPv4 also as IPv4-mapped IPv6 (dotted and hex). */
function addressSpellings(family: Family, value: bigint): string[] {
  if (family === 6) return v6Spellings(value);
  const dotted = refFormatAddress(4, value);
  return [dotted, `::ffff:${dotted}`, ...v6Spellings((0xffffn << 32n) | value).slice(1)];
}

/** A family's address: near one of a few seeds (so networks nest and probes hit), or anywhere. */
const seeded = (family: Family) =>
  fc
    .tuple(
      fc.constantFrom(
        0n,
        MAX[family],
        family === 4 ? 0x0a000000n : 0x2600_1f14_0000_0000n << 64n,
        family === 4 ? 0xc0a80000n : 0x2001_0db8n << 96n,
      ),
      fc.bigInt({ min: -(1n << 20n), max: 1n << 20n }),
      fc.bigInt({ min: 0n, max: MAX[family] }),
      fc.boolean(),
    )
    .map(([seed, jitter, anywhere, near]) => {
      const v = near ? seed + jitter : anywhere;
      return v < 0n ? 0n : v > MAX[family] ? MAX[family] : v;
    });

/** A prefix length, weighted towards the edges (/0, full length) and the long prefixes real feeds use. */
const prefixFor = (family: Family) =>
  fc.oneof(
    fc.constantFrom(0, BITS[family]),
    fc.integer({ min: 0, max: BITS[family] }),
    fc.integer({ min: BITS[family] - 16, max: BITS[family] }),
  );

interface CidrCase {
  readonly text: string;
  readonly valid: boolean;
}

/** A CIDR written one of several ways; some deliberately malformed. */
const cidrCase = (family: Family): fc.Arbitrary<CidrCase> =>
  fc
    .tuple(seeded(family), prefixFor(family), fc.nat(), fc.constantFrom('ok', 'ok', 'ok', 'ok', 'host', 'length'))
    .map(([value, prefix, pick, kind]) => {
      const start = value & mask(family, prefix);
      if (kind === 'host' && prefix < BITS[family]) {
        return { text: `${refFormatAddress(family, start | 1n)}/${prefix}`, valid: false };
      }
      if (kind === 'length')
        return { text: `${refFormatAddress(family, start)}/${BITS[family] + 1 + (pick % 3)}`, valid: false };
      const spellings =
        family === 4
          ? [`${refFormatAddress(4, start)}/${prefix}`, `::ffff:${refFormatAddress(4, start)}/${prefix + 96}`]
          : v6Spellings(start).map((s) => `${s}/${prefix}`);
      return { text: spellings[pick % spellings.length]!, valid: true };
    });

const cidrSet = fc
  .tuple(fc.array(cidrCase(4), { maxLength: 40 }), fc.array(cidrCase(6), { maxLength: 40 }))
  .map(([a, b]) => [...a, ...b]);

/** Addresses to probe: random ones plus the edges of every valid network (start − 1, start, end, end + 1). */
function edgeProbes(nets: readonly RefNetwork[]): string[] {
  return nets.flatMap((net) => {
    const size = 1n << BigInt(BITS[net.family] - net.prefix);
    return [net.start - 1n, net.start, net.start + size - 1n, net.start + size]
      .filter((v) => v >= 0n && v <= MAX[net.family])
      .map((v) => addressSpellings(net.family, v)[Number(v % 3n)]!);
  });
}

const probeAddresses = fc.array(
  fc.oneof(
    fc.tuple(seeded(4), fc.nat()).map(([v, k]) => addressSpellings(4, v)[k % 4]!),
    fc.tuple(seeded(6), fc.nat()).map(([v, k]) => v6Spellings(v)[k % 4]!),
  ),
  { maxLength: 30 },
);

describe('RangeIndex agrees with the naive BigInt matcher', () => {
  it('find() = linear-scan longest match, for every probe; skipped = what the reference rejects', () => {
    fc.assert(
      fc.property(cidrSet, probeAddresses, (cases, randomProbes) => {
        const nets = cases.map((c) => refParseCidr(c.text));
        cases.forEach((c, i) => expect(nets[i] !== null, c.text).toBe(c.valid));
        const valid = nets.filter((n): n is RefNetwork => n !== null);

        const { index, skipped } = RangeIndex.build(cases.map((c) => c.text));
        expect(skipped).toEqual(cases.filter((c) => !c.valid).map((c) => c.text));
        expect(index.cidrs()).toEqual([...new Set(valid.map((n) => n.text))].sort());
        expect(index.size).toBe(new Set(valid.map((n) => n.text)).size);

        for (const address of [...randomProbes, ...edgeProbes(valid)]) {
          expect(index.lookup(address), address).toBe(refFind(valid, address));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('find() returns the most specific containing network: it contains the address and no longer prefix does', () => {
    fc.assert(
      fc.property(cidrSet, probeAddresses, (cases, probes) => {
        const valid = cases.map((c) => refParseCidr(c.text)).filter((n): n is RefNetwork => n !== null);
        const { index } = RangeIndex.build(cases.map((c) => c.text));
        for (const address of [...probes, ...edgeProbes(valid)]) {
          const ip = refParseIp(address)!;
          const found = index.lookup(address);
          const containing = valid.filter((n) => refContains(n, ip.family, ip.value));
          if (found === null) {
            expect(containing, address).toEqual([]);
            continue;
          }
          const net = refParseCidr(found)!;
          expect(refContains(net, ip.family, ip.value), `${found} ∌ ${address}`).toBe(true);
          expect(Math.max(...containing.map((n) => n.prefix))).toBe(net.prefix);
        }
      }),
    );
  });

  it('nested chains down to /32 and /128 resolve level by level', () => {
    fc.assert(
      fc.property(fc.constantFrom<Family>(4, 6), fc.bigInt({ min: 0n, max: MAX[6] }), (family, raw) => {
        const value = raw & MAX[family];
        const texts = Array.from({ length: BITS[family] + 1 }, (_, p) => {
          return `${refFormatAddress(family, value & mask(family, p))}/${p}`;
        });
        const { index } = RangeIndex.build(texts);
        expect(index.size).toBe(BITS[family] + 1);
        expect(index.lookup(refFormatAddress(family, value))).toBe(refParseCidr(texts[BITS[family]]!)!.text);
        // Flip bit k (from the top): the deepest network still containing the address is /k.
        for (let k = 0; k < BITS[family]; k += 7) {
          const flipped = value ^ (1n << BigInt(BITS[family] - 1 - k));
          expect(index.lookup(refFormatAddress(family, flipped))).toBe(refParseCidr(texts[k]!)!.text);
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('CloudRangeSet agrees with the reference under provider filters', () => {
  const assigned = fc.array(
    fc.tuple(fc.oneof(cidrCase(4), cidrCase(6)), fc.subarray([...CLOUD_PROVIDERS], { minLength: 1 })),
    { maxLength: 50 },
  );
  const filter = fc.subarray([...CLOUD_PROVIDERS]);

  it('find(ip, providers) = the most specific network among the selected providers, first provider on a tie', () => {
    fc.assert(
      fc.property(assigned, filter, probeAddresses, (entries, selected, probes) => {
        const lists: Partial<Record<CloudProvider, string[]>> = {};
        for (const [c, providers] of entries) for (const p of providers) (lists[p] ??= []).push(c.text);
        const set = CloudRangeSet.from(lists);
        const refNets = entries.flatMap(([c, providers]) => {
          const net = refParseCidr(c.text);
          return net === null ? [] : providers.filter((p) => selected.includes(p)).map((p) => ({ net, p }));
        });
        const valid = refNets.map((r) => r.net);
        for (const address of [...probes, ...edgeProbes(valid)]) {
          const network = refFind(valid, address);
          const provider =
            network === null
              ? undefined
              : CLOUD_PROVIDERS.find((p) => refNets.some((r) => r.p === p && r.net.text === network));
          const expected = network === null ? null : { provider, network };
          expect(set.find(address, selected), address).toEqual(expected);
          expect(set.isCloudIp(address, selected)).toBe(network !== null);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseIp agrees with references', () => {
  it('on every spelling of random addresses: same family and value as ipaddr.js (mapped unmapped)', () => {
    fc.assert(
      fc.property(fc.constantFrom<Family>(4, 6), fc.bigInt({ min: 0n, max: MAX[6] }), (family, raw) => {
        const value = raw & MAX[family];
        for (const text of addressSpellings(family, value)) {
          const ip = parseIp(text);
          const ref = refParseIp(text)!;
          expect(ip, text).not.toBeNull();
          expect(ip!.family).toBe(ref.family);
          expect(formatIp(ip!)).toBe(refFormatAddress(ref.family, ref.value));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('on random strings over the address alphabet: valid exactly when node:net says so', () => {
    const alphabet = fc.constantFrom(...'0123456789abcdefABCDEF:.'.split(''), '::', '255', '0.', 'ffff:');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 24 }), (parts) => {
        const text = parts.join('');
        expect(parseIp(text) !== null, JSON.stringify(text)).toBe(isIP(text) !== 0);
      }),
      { numRuns: 3000 },
    );
  });

  it('on near-miss dotted quads and IPv6 group lists (leading zeros, long parts, wrong counts): same verdict as node:net', () => {
    const decimal = fc.stringMatching(/^[0-9]{1,4}$/);
    const quad = fc.array(decimal, { minLength: 3, maxLength: 5 }).map((p) => p.join('.'));
    const group = fc.stringMatching(/^[0-9a-fA-F]{0,5}$/);
    const v6 = fc
      .tuple(fc.array(group, { minLength: 2, maxLength: 9 }), fc.option(quad))
      .map(([groups, tail]) => groups.join(':') + (tail === null ? '' : `:${tail}`));
    fc.assert(
      fc.property(
        fc.oneof(
          quad,
          v6,
          quad.map((q) => `::ffff:${q}`),
        ),
        (text) => {
          expect(parseIp(text) !== null, JSON.stringify(text)).toBe(isIP(text) !== 0);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('canonicalCidr is idempotent and matches the reference text', () => {
    fc.assert(
      fc.property(fc.oneof(cidrCase(4), cidrCase(6)), (c) => {
        const canonical = canonicalCidr(c.text);
        expect(canonical).toBe(refParseCidr(c.text)?.text ?? null);
        if (canonical !== null) expect(canonicalCidr(canonical)).toBe(canonical);
      }),
      { numRuns: 500 },
    );
  });
});
