/**
 * Cloud-IP lookup benchmark: `npm run bench:lookup` (node --expose-gc, via tsx).
 *
 * Loads all six providers' real ranges from test/fixtures/cloud-ranges, then measures, side by
 * side in one run, lookups per second on string input (parse + lookup across all six providers) for:
 *   - CloudRangeSet: one index over every provider (what a guard uses per request);
 *   - six RangeIndex objects, one per provider, asked in turn;
 *   - a naive linear scan over pre-parsed CIDRs with ipaddr.js `match` (the upstream approach, minus
 *     its re-parsing), and one with BigInt compares;
 * and the memory the structures retain (heap + typed-array backing stores, after a forced GC).
 * Figures are printed, never asserted (timings on a shared machine are noisy).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ipaddr from 'ipaddr.js';
import { parseProviderFeed } from '../src/core/cloud/feeds.js';
import { parseIp } from '../src/core/cloud/ip.js';
import { parseCidr, type ParsedCidr } from '../src/core/cloud/cidr.js';
import { buildFamilies, RangeIndex } from '../src/core/cloud/range-index.js';
import { findOwner6 } from '../src/core/cloud/segment-table.js';
import { CloudRangeSet } from '../src/core/cloud/range-set.js';
import { DEFAULT_FEED_FILES } from '../src/core/cloud/feeds.js';
import { CLOUD_PROVIDERS, type CloudProvider } from '../src/core/providers.js';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../test/fixtures/cloud-ranges');

const gc = (globalThis as { gc?: () => void }).gc;

/** Deterministic PRNG (mulberry32), so every run probes the same addresses. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function loadRanges(): Record<CloudProvider, string[]> {
  const out = {} as Record<CloudProvider, string[]>;
  for (const p of CLOUD_PROVIDERS)
    out[p] = parseProviderFeed(p, readFileSync(join(FIXTURES, DEFAULT_FEED_FILES[p]), 'utf8')).ranges;
  return out;
}

function v6Net(cidr: string): [bigint, number] {
  const [addr, len] = ipaddr.parseCIDR(cidr);
  return [addr.toByteArray().reduce((acc, b) => (acc << 8n) | BigInt(b), 0n), len];
}

function v6Text(value: bigint): string {
  const bytes = Array.from({ length: 16 }, (_, i) => Number((value >> BigInt(8 * (15 - i))) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

/** A realistic request mix: ~85 % IPv4 (a few IPv4-mapped), ~15 % IPv6; ~10 % drawn inside a cloud range. */
function workload(all: readonly string[], count: number): string[] {
  const rand = prng(42);
  const v4 = all.filter((c) => !c.includes(':'));
  const v6 = all.filter((c) => c.includes(':'));
  const randomBits128 = () => [0, 1, 2, 3].reduce((acc) => (acc << 32n) | BigInt(Math.floor(rand() * 2 ** 32)), 0n);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const hit = rand() < 0.1;
    const six = rand() < 0.15;
    if (six) {
      // Inside a random IPv6 network, or a random global-unicast address (2000::/3).
      const [start, len] = hit ? v6Net(v6[Math.floor(rand() * v6.length)]!) : [2n << 124n, 3];
      const hostBits = BigInt(128 - len);
      const offset = randomBits128() & ((1n << hostBits) - 1n);
      out.push(v6Text(start + offset));
    } else {
      let value: number;
      if (hit) {
        const [addr, len] = v4[Math.floor(rand() * v4.length)]!.split('/') as [string, string];
        const start = addr.split('.').reduce((a, o) => a * 256 + Number(o), 0);
        value = start + Math.floor(rand() * 2 ** (32 - Number(len)));
      } else {
        value = Math.floor(rand() * 2 ** 32);
      }
      const text = `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
      out.push(rand() < 0.05 ? `::ffff:${text}` : text);
    }
  }
  return out;
}

/**
 * Runs `fn` over the addresses `rounds` times. Returns the median rate by CPU time (process
 * user + system: what the lookups cost, unaffected by the other processes sharing the cores) and by
 * wall-clock time, and the hit count (kept live so the work cannot be optimised away).
 */
function measure(
  addresses: readonly string[],
  rounds: number,
  fn: (a: string) => boolean,
): { rate: number; wallRate: number; hits: number } {
  const cpuRates: number[] = [];
  const wallRates: number[] = [];
  let hits = 0;
  for (let r = 0; r < rounds; r++) {
    hits = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < addresses.length; i++) if (fn(addresses[i]!)) hits++;
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    wallRates.push(addresses.length / (wallMs / 1000));
    cpuRates.push(addresses.length / (Math.max(1, cpu.user + cpu.system) / 1e6));
  }
  return { rate: median(cpuRates), wallRate: median(wallRates), hits };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function medianMs(rounds: number, fn: () => unknown): number {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
}

function retained<T>(build: () => T): { value: T; bytes: number } {
  const used = () => {
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  const value = build();
  return { value, bytes: used() - before };
}

function naiveIpaddr(ranges: Record<CloudProvider, string[]>): (a: string) => boolean {
  const parsed = CLOUD_PROVIDERS.flatMap((p) => ranges[p].map((c) => ipaddr.parseCIDR(c)));
  const v4 = parsed.filter(([a]) => a.kind() === 'ipv4') as [ipaddr.IPv4, number][];
  const v6 = parsed.filter(([a]) => a.kind() === 'ipv6') as [ipaddr.IPv6, number][];
  return (address) => {
    if (!ipaddr.isValid(address)) return false;
    const ip = ipaddr.process(address);
    if (ip.kind() === 'ipv4') {
      for (const range of v4) if ((ip as ipaddr.IPv4).match(range)) return true;
    } else {
      for (const range of v6) if ((ip as ipaddr.IPv6).match(range)) return true;
    }
    return false;
  };
}

function naiveBigInt(ranges: Record<CloudProvider, string[]>): (a: string) => boolean {
  const toBig = (bytes: number[]) => bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  const nets = CLOUD_PROVIDERS.flatMap((p) =>
    ranges[p].map((c) => {
      const [addr, len] = ipaddr.parseCIDR(c);
      const bits = addr.kind() === 'ipv4' ? 32 : 128;
      return { v6: bits === 128, shift: BigInt(bits - len), key: toBig(addr.toByteArray()) >> BigInt(bits - len) };
    }),
  );
  return (address) => {
    if (!ipaddr.isValid(address)) return false;
    const ip = ipaddr.process(address);
    const v6 = ip.kind() === 'ipv6';
    const value = toBig(ip.toByteArray());
    for (const n of nets) if (n.v6 === v6 && value >> n.shift === n.key) return true;
    return false;
  };
}

/**
 * The IPv6 design choice, measured: the same flattened segments searched with four 32-bit words
 * (what RangeIndex does) versus BigInt keys (the simpler alternative).
 */
function ipv6KeyChoice(all: readonly string[], addresses: readonly string[], rounds: number) {
  const nets = all.map((c) => parseCidr(c)).flatMap((r): ParsedCidr[] => (r.ok && r.cidr.family === 6 ? [r.cidr] : []));
  const { table } = buildFamilies(nets).v6;
  const bigStarts: bigint[] = [];
  for (let i = 0; i < table.starts.length; i += 4) {
    const w = table.starts;
    bigStarts.push(
      (BigInt(w[i]!) << 96n) | (BigInt(w[i + 1]!) << 64n) | (BigInt(w[i + 2]!) << 32n) | BigInt(w[i + 3]!),
    );
  }
  const byWords = (a: string) => {
    const ip = parseIp(a);
    return ip !== null && ip.family === 6 && findOwner6(table, ip.w0, ip.w1, ip.w2, ip.w3) >= 0;
  };
  const byBigInt = (a: string) => {
    const ip = parseIp(a);
    if (ip === null || ip.family !== 6) return false;
    const key = (BigInt(ip.w0) << 96n) | (BigInt(ip.w1) << 64n) | (BigInt(ip.w2) << 32n) | BigInt(ip.w3);
    let lo = 0;
    let hi = bigStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (bigStarts[mid]! <= key) lo = mid;
      else hi = mid - 1;
    }
    return table.owners[lo]! >= 0;
  };
  const v6Addresses = addresses.filter((a) => a.includes(':') && !a.startsWith('::ffff:'));
  measure(v6Addresses, 2, byWords);
  measure(v6Addresses, 2, byBigInt);
  return {
    count: v6Addresses.length,
    words: measure(v6Addresses, rounds, byWords).rate,
    bigint: measure(v6Addresses, rounds, byBigInt).rate,
  };
}

function fmt(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0);
}

function main(): void {
  if (gc === undefined) console.warn('run with node --expose-gc for memory figures (npm run bench:lookup does)');
  const ranges = loadRanges();
  const all = CLOUD_PROVIDERS.flatMap((p) => ranges[p]);
  const counts = CLOUD_PROVIDERS.map((p) => `${p} ${ranges[p].length}`).join(', ');
  console.log(
    `ranges: ${all.length} CIDRs (${counts}); IPv4 ${all.filter((c) => !c.includes(':')).length}, IPv6 ${all.filter((c) => c.includes(':')).length}`,
  );

  // Build times first: they also compile the code, so the memory figures below count data only.
  const setBuildMs = medianMs(5, () => CloudRangeSet.from(ranges));
  const indexBuildMs = medianMs(5, () => CLOUD_PROVIDERS.map((p) => RangeIndex.build(ranges[p])));
  naiveIpaddr(ranges);
  const { value: set, bytes: setBytes } = retained(() => CloudRangeSet.from(ranges));
  const { value: indexes, bytes: indexBytes } = retained(() =>
    CLOUD_PROVIDERS.map((p) => RangeIndex.build(ranges[p]).index),
  );
  const { value: naiveIp, bytes: naiveBytes } = retained(() => naiveIpaddr(ranges));
  const naiveBig = naiveBigInt(ranges);

  const addresses = workload(all, 200_000);
  const naiveSample = addresses.slice(0, 2_000);
  const rounds = 9;

  const bySet = (a: string) => set.isCloudIp(a);
  const bySix = (a: string) => {
    const ip = parseIp(a);
    if (ip === null) return false;
    for (const index of indexes) if (index.contains(ip)) return true;
    return false;
  };
  const parseOnly = (a: string) => parseIp(a) !== null;

  measure(addresses, 2, bySet); // warm-up
  measure(addresses, 2, bySix);
  const setRun = measure(addresses, rounds, bySet);
  const sixRun = measure(addresses, rounds, bySix);
  const parseRun = measure(addresses, rounds, parseOnly);
  const naiveIpRun = measure(naiveSample, 3, naiveIp);
  const naiveBigRun = measure(naiveSample, 3, naiveBig);
  const v6Keys = ipv6KeyChoice(all, addresses, rounds);

  // Same answers on the sample, or the comparison is meaningless.
  const disagree = naiveSample.filter((a) => bySet(a) !== naiveIp(a) || bySix(a) !== bySet(a)).length;

  console.log(
    `workload: ${addresses.length} string addresses, hit rate ${((setRun.hits / addresses.length) * 100).toFixed(1)} %; the naive scans run on its first ${naiveSample.length} (${disagree} disagreements)`,
  );
  console.log(
    `build (median of 5): CloudRangeSet ${setBuildMs.toFixed(0)} ms, six RangeIndex ${indexBuildMs.toFixed(0)} ms`,
  );
  console.log(
    `memory retained: CloudRangeSet ${(setBytes / 1048576).toFixed(2)} MiB, six RangeIndex ${(indexBytes / 1048576).toFixed(2)} MiB, naive pre-parsed ipaddr.js list ${(naiveBytes / 1048576).toFixed(2)} MiB`,
  );
  console.log(
    'lookups/s by CPU time (median of rounds; string in → parse + all six providers); wall clock in brackets:',
  );
  console.log(`  parseIp alone                ${fmt(parseRun.rate)}/s [${fmt(parseRun.wallRate)}/s]`);
  console.log(`  CloudRangeSet.isCloudIp      ${fmt(setRun.rate)}/s [${fmt(setRun.wallRate)}/s]`);
  console.log(`  six RangeIndex in turn       ${fmt(sixRun.rate)}/s [${fmt(sixRun.wallRate)}/s]`);
  console.log(`  IPv6 only, word keys         ${fmt(v6Keys.words)}/s (${v6Keys.count} addresses)`);
  console.log(`  IPv6 only, BigInt keys       ${fmt(v6Keys.bigint)}/s`);
  console.log(`  naive linear ipaddr.js match ${fmt(naiveIpRun.rate)}/s [${fmt(naiveIpRun.wallRate)}/s]`);
  console.log(`  naive linear BigInt compare  ${fmt(naiveBigRun.rate)}/s [${fmt(naiveBigRun.wallRate)}/s]`);
  console.log(
    `ratios: CloudRangeSet / naive ipaddr.js = ${(setRun.rate / naiveIpRun.rate).toFixed(0)}×, / naive BigInt = ${(setRun.rate / naiveBigRun.rate).toFixed(0)}×, six RangeIndex / naive ipaddr.js = ${(sixRun.rate / naiveIpRun.rate).toFixed(0)}×`,
  );
  console.log(
    JSON.stringify({
      setRate: Math.round(setRun.rate),
      setWallRate: Math.round(setRun.wallRate),
      sixRate: Math.round(sixRun.rate),
      v6WordsRate: Math.round(v6Keys.words),
      v6BigIntRate: Math.round(v6Keys.bigint),
      parseRate: Math.round(parseRun.rate),
      naiveIpaddrRate: Math.round(naiveIpRun.rate),
      naiveBigIntRate: Math.round(naiveBigRun.rate),
      ratioIpaddr: Math.round(setRun.rate / naiveIpRun.rate),
      ratioBigInt: Math.round(setRun.rate / naiveBigRun.rate),
      setBytes,
      indexBytes,
      naiveBytes,
      setBuildMs: Math.round(setBuildMs),
      indexBuildMs: Math.round(indexBuildMs),
    }),
  );
}

main();
