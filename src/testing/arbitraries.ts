/**
 * Generators of provider names and CIDR ranges, biased towards the values that break stores:
 * near-duplicate names, glob and separator characters, non-canonical CIDRs, duplicates.
 * Only APIs present in fast-check 3.15 and 4 are used (the peer range).
 */
import fc from 'fast-check';

/** CIDRs that stores must keep verbatim (no canonicalisation: `10.0.0.1/8` stays as it is). */
export const SPECIAL_CIDRS = [
  '10.0.0.0/8',
  '10.0.0.1/8',
  '0.0.0.0/0',
  '::/0',
  '2001:db8::/32',
  '2001:DB8::/32',
  '::ffff:0:0/96',
  '192.168.1.7/24',
  '3.5.140.0/22',
] as const;

/**
 * A small fixed universe: sets drawn from it overlap often, so unions, subsets and
 * leftovers from an earlier value show up.
 */
export const SMALL_UNIVERSE = [
  '3.5.140.0/22',
  '13.34.0.0/16',
  '34.64.0.0/10',
  '52.95.245.0/24',
  '104.16.0.0/13',
  '2600:1f14::/35',
  '2a05:d07a::/40',
  '2606:4700::/32',
] as const;

const octet = fc.integer({ min: 0, max: 255 });

/** An IPv4 CIDR with any prefix length (host bits are usually set: non-canonical). */
export const cidrV4: fc.Arbitrary<string> = fc
  .tuple(octet, octet, octet, octet, fc.integer({ min: 0, max: 32 }))
  .map(([a, b, c, d, len]) => `${a}.${b}.${c}.${d}/${len}`);

/** An IPv6 CIDR in any of fast-check's textual forms. */
export const cidrV6: fc.Arbitrary<string> = fc
  .tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 }))
  .map(([ip, len]) => `${ip}/${len}`);

/** Any CIDR: v4, v6, a special one, or one of the small universe (so duplicates occur). */
export const cidr: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: cidrV4, weight: 4 },
  { arbitrary: cidrV6, weight: 2 },
  { arbitrary: fc.constantFrom(...SPECIAL_CIDRS), weight: 1 },
  { arbitrary: fc.constantFrom(...SMALL_UNIVERSE), weight: 2 },
);

/** A list of CIDRs with possible duplicates, in any order. */
export function cidrList(minLength: number, maxLength: number): fc.Arbitrary<string[]> {
  return fc.array(cidr, { minLength, maxLength });
}

/** A subset of {@link SMALL_UNIVERSE}. */
export function smallSet(minLength = 0): fc.Arbitrary<string[]> {
  return fc.subarray([...SMALL_UNIVERSE], { minLength });
}

/** How ranges are handed to `set`. */
export type RangesForm = 'set' | 'array';

/** `set` or `array`. */
export const rangesForm: fc.Arbitrary<RangesForm> = fc.constantFrom<RangesForm>('set', 'array');

/** `list` in the given form (a fresh object each call). */
export function asInput(list: readonly string[], form: RangesForm): Set<string> | string[] {
  return form === 'set' ? new Set(list) : [...list];
}

/**
 * Families of names that a sloppy store confuses: case, trailing or leading space, a shared
 * prefix, separators, NFC vs NFD, look-alike letters.
 */
export const NEAR_DUPLICATE_FAMILIES: readonly (readonly string[])[] = [
  ['aws', 'AWS', 'Aws', 'aws-gov', 'aws ', ' aws', 'aw', 'awss'],
  ['gcp', 'GCP', 'gcp:', 'gcp/', 'gcp:x', 'gc', 'gcp*'],
  ['azure', 'Azure', 'AZURE', 'azure\u0000', 'azure\t', 'azure.'],
  ['\u00e9', 'e\u0301', '\u00c9', 'e', 'E\u0301'],
  ['\u00c5', 'A\u030a', '\u212b', '\u00e5', 'A'],
  ['stra\u00dfe', 'STRASSE', 'strasse', 'Stra\u00dfe'],
  ['\u0130', 'i', 'I', '\u0131', 'i\u0307'],
];

/** One family of near-duplicate names. */
export const nameFamily: fc.Arbitrary<readonly string[]> = fc.constantFrom(...NEAR_DUPLICATE_FAMILIES);

/** Names full of glob, separator and escaping characters, and white space at the edges. */
export const SPECIAL_NAMES = [
  '*',
  '?',
  '[',
  ']',
  '\\',
  '^',
  '{}',
  ':',
  '/',
  '#',
  '%',
  '%2F',
  'a*',
  '*a',
  'a?',
  '[a-z]',
  'a[b]',
  'a\\*',
  'a:b',
  'a/b',
  '../a',
  'a b',
  ' a',
  'a ',
  '  ',
  '{a,b}',
  '$a',
  "'a'",
  '"a"',
] as const;

const NAME_CHARS = [
  'a',
  'b',
  'z',
  'A',
  'Z',
  '0',
  '9',
  '-',
  '_',
  '.',
  ':',
  '/',
  '*',
  '?',
  '[',
  ']',
  '\\',
  '{',
  '}',
  '#',
  '%',
  ' ',
  '\u00e9',
  'e\u0301',
  '\u00df',
  '\u0130',
  '\u05d0',
  '\u0627',
  '\u200b',
  '\u{1d538}',
  '\u{1f600}',
  '\u4e2d',
] as const;

/** A generated name (1–12 characters from a pool of special, unicode and plain ones). */
export const generatedName: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...NAME_CHARS), { minLength: 1, maxLength: 12 })
  .map((chars) => chars.join(''));

/** Any provider name: a plain provider, a special one, or a generated one. */
export const providerName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('aws', 'gcp', 'azure', 'cloudflare', 'AWS'),
  fc.constantFrom(...SPECIAL_NAMES),
  generatedName,
);

/** Unicode pieces for P18: non-BMP, combining marks, RTL, zero-width, CJK. */
export const UNICODE_CHARS = [
  '\u{1f600}',
  '\u{1d538}',
  '\u{10348}',
  '\u00e9',
  'e\u0301',
  '\u00c5',
  'A\u030a',
  '\u212b',
  '\u05e9\u05dc\u05d5\u05dd',
  '\u0645\u0631\u062d\u0628\u0627',
  '\u200f',
  '\u200b',
  '\ufeff',
  '\u4e2d\u6587',
  '\u00df',
  'x',
] as const;

/** A unicode name of 1–6 pieces. */
export const unicodeName: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...UNICODE_CHARS), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join(''));

/**
 * `count` distinct CIDRs (half v4, half v6), built from `seed` without fast-check so a
 * 10 000-element case is cheap to make and to shrink (only the seed shrinks).
 */
export function largeCidrSet(seed: number, count: number): string[] {
  let state = (seed >>> 0) ^ 0x9e3779b9;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  const out = new Set<string>();
  while (out.size < count) {
    const r = next();
    if (out.size % 2 === 0) {
      out.add(`${r >>> 24}.${(r >>> 16) & 255}.${(r >>> 8) & 255}.${r & 255}/${next() % 33}`);
    } else {
      const h = (n: number) => (n & 0xffff).toString(16);
      out.add(`2001:${h(r)}:${h(r >>> 16)}:${h(next())}::/${next() % 129}`);
    }
  }
  return [...out];
}
