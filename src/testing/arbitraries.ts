/**
 * Generators of provider names and CIDR ranges over the input space real stores meet, biased
 * towards the values that break them: near-duplicate names (case, white space, NFC/NFD),
 * names that are keys of `Object.prototype` (`__proto__`, `constructor`, …), glob and separator
 * characters, unicode, member spellings that differ only in letter case (`2001:db8::/32` vs
 * `2001:DB8::/32`), non-canonical CIDRs, duplicates, and sets of every size from empty to
 * thousands. Only APIs present in fast-check 3.15 and 4 are used (the peer range).
 *
 * The generators are built on first use ({@link arbitraries}): fast-check is loaded through
 * `fast-check.ts`, never imported here at run time.
 */
import type { Arbitrary } from 'fast-check';
import { fastCheck, type FastCheck } from './fast-check.js';

/** CIDRs that stores must keep verbatim (no canonicalisation: `10.0.0.1/8` stays as it is). */
export const SPECIAL_CIDRS = [
  '10.0.0.0/8',
  '10.0.0.1/8',
  '0.0.0.0/0',
  '::/0',
  '2001:db8::/32',
  '2001:DB8::/32',
  '2001:Db8::/32',
  '::ffff:0:0/96',
  '::FFFF:0:0/96',
  '::ffff:10.0.0.1/104',
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

/** How ranges are handed to `set`. */
export type RangesForm = 'set' | 'array';

/** `list` in the given form (a fresh object each call). */
export function asInput(list: readonly string[], form: RangesForm): Set<string> | string[] {
  return form === 'set' ? new Set(list) : [...list];
}

/**
 * Names that are keys of `Object.prototype` (or otherwise special to JavaScript objects): a
 * store that keeps its entries in a plain object `{}` reads junk for them on a fresh store,
 * turns `__proto__` into a prototype change, and loses `hasOwnProperty` checks.
 */
export const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
  'prototype',
  'length',
  'then',
] as const;

/**
 * Families of names that a sloppy store confuses: case, trailing or leading space, a shared
 * prefix, separators, NFC vs NFD, look-alike letters, keys of `Object.prototype`.
 */
export const NEAR_DUPLICATE_FAMILIES: readonly (readonly string[])[] = [
  ['aws', 'AWS', 'Aws', 'aws-gov', 'aws ', ' aws', 'aw', 'awss'],
  ['gcp', 'GCP', 'gcp:', 'gcp/', 'gcp:x', 'gc', 'gcp*'],
  ['azure', 'Azure', 'AZURE', 'azure\u0000', 'azure\t', 'azure.'],
  ['\u00e9', 'e\u0301', '\u00c9', 'e', 'E\u0301'],
  ['\u00c5', 'A\u030a', '\u212b', '\u00e5', 'A'],
  ['stra\u00dfe', 'STRASSE', 'strasse', 'Stra\u00dfe'],
  ['\u0130', 'i', 'I', '\u0131', 'i\u0307'],
  ['constructor', 'Constructor', 'CONSTRUCTOR', '__proto__', '__PROTO__', 'toString', 'tostring'],
];

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

/**
 * `text` with the case of every letter swapped (`Aws` → `aWS`): the spelling a case-insensitive
 * backend (a SQL `_ci` collation, a lower-cased key) takes for the same thing.
 */
export function swapCase(text: string): string {
  let out = '';
  for (const char of text) {
    const lower = char.toLowerCase();
    out += char === lower ? char.toUpperCase() : lower;
  }
  return out;
}

/** `text` with its letters alternately upper and lower case (`2001:db8::/32` → `2001:Db8::/32`). */
function alternateCase(text: string): string {
  let upper = true;
  return text.replace(/[a-z]/gi, (letter) => {
    upper = !upper;
    return upper ? letter.toLowerCase() : letter.toUpperCase();
  });
}

/** The upper-cased twin of each IPv6 member of a large set is added after this many v6 members. */
const LARGE_SET_CASE_TWIN_EVERY = 16;

/**
 * `count` distinct CIDRs (half v4, half v6, some v6 ones also spelled in upper case), built from
 * `seed` without fast-check so a 10 000-element case is cheap to make and to shrink (only the
 * seed shrinks).
 */
export function largeCidrSet(seed: number, count: number): string[] {
  let state = (seed >>> 0) ^ 0x9e3779b9;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  const out = new Set<string>();
  let v6 = 0;
  while (out.size < count) {
    const r = next();
    if (out.size % 2 === 0) {
      out.add(`${r >>> 24}.${(r >>> 16) & 255}.${(r >>> 8) & 255}.${r & 255}/${next() % 33}`);
    } else {
      const h = (n: number) => (n & 0xffff).toString(16);
      const member = `2001:${h(r)}:${h(r >>> 16)}:${h(next())}::/${next() % 129}`;
      out.add(member);
      v6 += 1;
      const twin = member.toUpperCase();
      if (v6 % LARGE_SET_CASE_TWIN_EVERY === 0 && twin !== member && out.size < count) out.add(twin);
    }
  }
  return [...out];
}

/** The generators, built once from the loaded fast-check. */
export interface Arbitraries {
  /** An IPv4 CIDR with any prefix length (host bits are usually set: non-canonical). */
  readonly cidrV4: Arbitrary<string>;
  /** An IPv6 CIDR in any of fast-check's textual forms (lower-case hex). */
  readonly cidrV6: Arbitrary<string>;
  /** Any CIDR: v4, v6, a special one, or one of the small universe (so duplicates occur). */
  readonly cidr: Arbitrary<string>;
  /** Two or three spellings of one IPv6 CIDR that differ only in letter case. */
  readonly caseTwinCidrs: Arbitrary<string[]>;
  /** A list of CIDRs with possible duplicates, in any order, often with case-twin spellings. */
  cidrList(minLength: number, maxLength: number): Arbitrary<string[]>;
  /** Members of every realistic size: one (or `minLength`), a few, up to 200, and (rarely) 1000–3000. */
  memberList(minLength: number): Arbitrary<string[]>;
  /** A subset of {@link SMALL_UNIVERSE}. */
  smallSet(minLength?: number): Arbitrary<string[]>;
  /** `set` or `array`. */
  readonly rangesForm: Arbitrary<RangesForm>;
  /** One family of near-duplicate names. */
  readonly nameFamily: Arbitrary<readonly string[]>;
  /** A generated name (1–12 characters from a pool of special, unicode and plain ones). */
  readonly generatedName: Arbitrary<string>;
  /** A unicode name of 1–6 pieces. */
  readonly unicodeName: Arbitrary<string>;
  /** Any provider name: plain, special, a key of `Object.prototype`, generated, unicode, any case. */
  readonly providerName: Arbitrary<string>;
  /** Distinct provider names; often two of them differ only in letter case. */
  providerNames(minLength: number, maxLength: number): Arbitrary<string[]>;
}

let built: Arbitraries | null = null;

/** The generators (fast-check is loaded on the first call; throws `ConformanceDependencyError` without it). */
export function arbitraries(): Arbitraries {
  built ??= buildArbitraries(fastCheck());
  return built;
}

function buildArbitraries(fc: FastCheck): Arbitraries {
  const octet = fc.integer({ min: 0, max: 255 });
  const cidrV4 = fc
    .tuple(octet, octet, octet, octet, fc.integer({ min: 0, max: 32 }))
    .map(([a, b, c, d, len]) => `${a}.${b}.${c}.${d}/${len}`);
  const cidrV6 = fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([ip, len]) => `${ip}/${len}`);
  const cidr = fc.oneof(
    { arbitrary: cidrV4, weight: 4 },
    { arbitrary: cidrV6, weight: 2 },
    { arbitrary: fc.constantFrom(...SPECIAL_CIDRS), weight: 1 },
    { arbitrary: fc.constantFrom(...SMALL_UNIVERSE), weight: 2 },
  );
  // Hex digits a-f in both cases: fc.ipV6() alone only ever writes lower case.
  const lettered = fc.oneof(
    cidrV6.filter((c) => /[a-f]/.test(c)),
    fc.constantFrom('2001:db8::/32', '::ffff:0:0/96', 'fe80::/10', '2a05:d07a:c000::/40', '2600:1f14:fff:f800::/53'),
  );
  const caseTwinCidrs = fc
    .tuple(lettered, fc.boolean())
    .map(([c, three]) => [...new Set([c.toLowerCase(), c.toUpperCase(), ...(three ? [alternateCase(c)] : [])])]);
  /** Inserts one group of case twins into the list, at a generated position, about every other time. */
  const withCaseTwins = (list: Arbitrary<string[]>): Arbitrary<string[]> =>
    fc.tuple(list, fc.option(caseTwinCidrs, { freq: 2 }), fc.nat()).map(([items, twins, at]) => {
      if (twins === null) return items;
      const i = at % (items.length + 1);
      return [...items.slice(0, i), ...twins, ...items.slice(i)];
    });
  const cidrList = (minLength: number, maxLength: number) => withCaseTwins(fc.array(cidr, { minLength, maxLength }));
  const large = fc
    .record({ seed: fc.integer(), size: fc.integer({ min: 1000, max: 3000 }) })
    .map(({ seed, size }) => largeCidrSet(seed, size));
  // Mostly up to 200 members; a single member often (off-by-one and "a string is iterable" bugs);
  // thousands now and then (cheap to build from a seed, so the runs stay short).
  const memberList = (minLength: number) =>
    fc.oneof(
      { arbitrary: cidrList(minLength, 200), weight: 12 },
      { arbitrary: minLength <= 1 ? cidr.map((c) => [c]) : cidrList(minLength, minLength), weight: 2 },
      { arbitrary: large.filter((list) => list.length >= minLength), weight: 1 },
    );
  const generatedName = fc
    .array(fc.constantFrom(...NAME_CHARS), { minLength: 1, maxLength: 12 })
    .map((chars) => chars.join(''));
  const unicodeName = fc
    .array(fc.constantFrom(...UNICODE_CHARS), { minLength: 1, maxLength: 6 })
    .map((parts) => parts.join(''));
  const plain = fc.constantFrom('aws', 'gcp', 'azure', 'cloudflare', 'AWS', 'Azure', 'digitalocean');
  const providerName = fc.oneof(
    { arbitrary: plain, weight: 3 },
    { arbitrary: fc.constantFrom(...SPECIAL_NAMES), weight: 2 },
    { arbitrary: fc.constantFrom(...PROTOTYPE_NAMES), weight: 2 },
    { arbitrary: generatedName, weight: 2 },
    { arbitrary: unicodeName, weight: 1 },
    { arbitrary: fc.oneof(plain, fc.constantFrom(...PROTOTYPE_NAMES), generatedName).map(swapCase), weight: 1 },
  );
  const providerNames = (minLength: number, maxLength: number) =>
    fc.tuple(fc.uniqueArray(providerName, { minLength, maxLength }), fc.boolean()).map(([names, twin]) => {
      const first = names[0];
      if (!twin || first === undefined || maxLength < 2) return names;
      const other = swapCase(first);
      if (other === first || names.includes(other)) return names;
      // Keep the count within bounds: replace the last name when the list is full.
      return names.length < maxLength ? [...names, other] : [...names.slice(0, -1), other];
    });
  return {
    cidrV4,
    cidrV6,
    cidr,
    caseTwinCidrs,
    cidrList,
    memberList,
    smallSet: (minLength = 0) => fc.subarray([...SMALL_UNIVERSE], { minLength }),
    rangesForm: fc.constantFrom<RangesForm>('set', 'array'),
    nameFamily: fc.constantFrom(...NEAR_DUPLICATE_FAMILIES),
    generatedName,
    unicodeName,
    providerName,
    providerNames,
  };
}
