/**
 * The broken-store zoo: each mutant is the reference with one realistic fault (see
 * conformance-kits.md §3 for the bugs they imitate) and the property that must reject it.
 */
import ipaddr from 'ipaddr.js';
import type { CloudIpStoreProtocol } from '../../../src/index.js';
import type { PropertyId, StoreMode, StoreTarget, SyncCloudIpStoreShape } from '../../../src/testing/index.js';
import { asAsync, Backend, coreTarget, ReferenceCore, type CoreClass, type Entry } from './reference.js';

/** One broken store. */
export interface Mutant {
  readonly id: string;
  readonly fault: string;
  /** The property meant to catch it. */
  readonly caughtBy: PropertyId;
  /** The modes it exists in (a core mutant runs in both). */
  readonly modes: readonly StoreMode[];
  /** A fresh target (and its clock) for one check. */
  make(mode: StoreMode, realTime?: boolean): { target: StoreTarget; clock: ReturnType<typeof coreTarget>['clock'] };
}

const yieldToOthers = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class AbsentIsUndefined extends ReferenceCore {
  override get(name: string): Set<string> | null {
    return super.get(name) ?? (undefined as unknown as null);
  }
}

class GetReturnsArray extends ReferenceCore {
  override get(name: string): Set<string> | null {
    const value = super.get(name);
    return value === null ? null : ([...value] as unknown as Set<string>);
  }
}

class Canonicalises extends ReferenceCore {
  override set(name: string, ranges: Iterable<string>, ttl?: number | null): void {
    const canonical = [...ranges].map((r) => {
      try {
        const [addr, len] = ipaddr.parseCIDR(r);
        return addr.kind() === 'ipv4' ? `${ipaddr.IPv4.networkAddressFromCIDR(r).toString()}/${len}` : r;
      } catch {
        return r;
      }
    });
    super.set(name, canonical, ttl);
  }
}

class EmptyReadsAsNull extends ReferenceCore {
  override get(name: string): Set<string> | null {
    const value = super.get(name);
    return value !== null && value.size === 0 ? null : value;
  }
}

class UnionOnOverwrite extends ReferenceCore {
  override set(name: string, ranges: Iterable<string>, ttl?: number | null): void {
    const old = this.live(name);
    super.set(name, [...(old?.ranges ?? []), ...ranges], ttl);
  }
}

class CaseInsensitiveNames extends ReferenceCore {
  override keyOf(name: string): string {
    return super.keyOf(name.toLowerCase());
  }
}

class ReturnsStoredSet extends ReferenceCore {
  override get(name: string): Set<string> | null {
    return this.live(name)?.ranges ?? null;
  }
}

class StoresCallersSet extends ReferenceCore {
  override set(name: string, ranges: Iterable<string>, ttl?: number | null): void {
    const kept = ranges instanceof Set ? (ranges as Set<string>) : new Set(ranges);
    this.backend.entries.set(this.keyOf(name), { ranges: kept, expiresAt: this.deadline(ttl) });
  }
}

class TtlIgnored extends ReferenceCore {
  override deadline(): number | null {
    return null;
  }
}

class TtlAsMilliseconds extends ReferenceCore {
  override deadline(ttl: number | null | undefined): number | null {
    return ttl === undefined || ttl === null ? null : this.now() + ttl;
  }
}

class TtlThousandTimesLonger extends ReferenceCore {
  override deadline(ttl: number | null | undefined): number | null {
    return ttl === undefined || ttl === null ? null : this.now() + ttl * 1_000_000;
  }
}

/** SADD semantics: a plain set leaves the key's TTL in place. */
class PlainSetKeepsTtl extends ReferenceCore {
  override set(name: string, ranges: Iterable<string>, ttl?: number | null): void {
    const old = this.live(name);
    super.set(name, ranges, ttl);
    if ((ttl === undefined || ttl === null) && old !== null) this.entry(name).expiresAt = old.expiresAt;
  }
  private entry(name: string): Entry {
    return this.backend.entries.get(this.keyOf(name)) as Entry;
  }
}

/** EXPIRE NX semantics: a new TTL never replaces an existing one. */
class KeepsFirstDeadline extends ReferenceCore {
  override set(name: string, ranges: Iterable<string>, ttl?: number | null): void {
    const old = this.live(name);
    super.set(name, ranges, ttl);
    const entry = this.backend.entries.get(this.keyOf(name)) as Entry;
    if (old?.expiresAt != null && entry.expiresAt !== null) entry.expiresAt = old.expiresAt;
  }
}

/** "ttl <= 0 means forever" (and so do NaN and ±Infinity); fractions are honoured exactly. */
class DegenerateTtlLivesForever extends ReferenceCore {
  override deadline(ttl: number | null | undefined): number | null {
    if (ttl === undefined || ttl === null || !(ttl > 0) || !Number.isFinite(ttl)) return null;
    return this.now() + ttl * 1000;
  }
}

/** One deadline for the whole store: the last TTL given applies to every name. */
class StoreWideDeadline extends ReferenceCore {
  private static readonly deadlines = new WeakMap<Backend, Map<string, number>>();
  override set(name: string, ranges: Iterable<string>, ttl?: number | null): void {
    super.set(name, ranges, null);
    const deadline = this.deadline(ttl);
    if (deadline !== null) this.deadlines().set(this.prefix, deadline);
  }
  override get(name: string): Set<string> | null {
    const deadline = this.deadlines().get(this.prefix);
    if (deadline !== undefined && this.now() >= deadline) return null;
    return super.get(name);
  }
  private deadlines(): Map<string, number> {
    let map = StoreWideDeadline.deadlines.get(this.backend);
    if (map === undefined) StoreWideDeadline.deadlines.set(this.backend, (map = new Map()));
    return map;
  }
}

/**
 * Entries in a plain object keyed by provider name (`{}`), as hand-written stores often keep
 * them: on a fresh store `get("constructor")` finds `Object`, `get("__proto__")` finds
 * `Object.prototype`, and `set("__proto__", …)` changes the object's prototype.
 */
class PlainObjectEntries extends ReferenceCore {
  private static readonly objects = new WeakMap<Backend, Map<string, Record<string, Entry>>>();
  override get(name: string): Set<string> | null {
    const entries = this.entries();
    const entry = entries[name];
    if (entry === undefined) return null;
    if (entry.expiresAt !== null && this.now() >= entry.expiresAt) {
      delete entries[name];
      return null;
    }
    return new Set(entry.ranges);
  }
  override set(name: string, ranges: Iterable<string>, ttl?: number | null): void {
    const list = [...ranges];
    this.entries()[name] = { ranges: new Set(list), expiresAt: this.deadline(ttl) };
  }
  override clear(): void {
    this.byPrefix().set(this.prefix, {});
  }
  private entries(): Record<string, Entry> {
    const map = this.byPrefix();
    let entries = map.get(this.prefix);
    if (entries === undefined) map.set(this.prefix, (entries = {}));
    return entries;
  }
  private byPrefix(): Map<string, Record<string, Entry>> {
    let map = PlainObjectEntries.objects.get(this.backend);
    if (map === undefined) PlainObjectEntries.objects.set(this.backend, (map = new Map()));
    return map;
  }
}

/**
 * Members kept as rows under a case-insensitive collation with a unique (provider, cidr) key,
 * written with "insert, ignore duplicates": `2001:DB8::/32` after `2001:db8::/32` is dropped.
 */
class CaseInsensitiveMembers extends ReferenceCore {
  override set(name: string, ranges: Iterable<string>, ttl?: number | null): void {
    const seen = new Set<string>();
    const kept: string[] = [];
    for (const range of ranges) {
      const folded = range.toLowerCase();
      if (seen.has(folded)) continue;
      seen.add(folded);
      kept.push(range);
    }
    super.set(name, kept, ttl);
  }
}

class ClearIsNoop extends ReferenceCore {
  override clear(): void {}
}

class ClearWipesEverything extends ReferenceCore {
  override clear(): void {
    this.backend.entries.clear();
  }
}

/** `startsWith(prefix)` with no separator: clearing `a` also clears `ab`. */
class ClearByStartsWith extends ReferenceCore {
  override owns(key: string): boolean {
    return (JSON.parse(key) as [string, string])[0].startsWith(this.prefix);
  }
}

function globToRegExp(glob: string): RegExp {
  const body = [...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${body.join('')}$`, 's');
}

/** Keys are `prefix:name`, and `clear` matches `prefix:*` as an unescaped glob. */
class PrefixAsRawGlob extends ReferenceCore {
  override keyOf(name: string): string {
    return `${this.prefix}:${name}`;
  }
  override owns(key: string): boolean {
    return globToRegExp(`${this.prefix}:*`).test(key);
  }
}

/** Keys are `prefix:name` with no escaping; `clear` is exact (so only aliasing is wrong). */
class AliasingKeys extends ReferenceCore {
  private static readonly owners = new WeakMap<Backend, Map<string, string>>();
  override keyOf(name: string): string {
    const key = `${this.prefix}:${name}`;
    this.owners().set(key, this.prefix);
    return key;
  }
  override owns(key: string): boolean {
    return this.owners().get(key) === this.prefix;
  }
  private owners(): Map<string, string> {
    let map = AliasingKeys.owners.get(this.backend);
    if (map === undefined) AliasingKeys.owners.set(this.backend, (map = new Map()));
    return map;
  }
}

class TrimsNames extends ReferenceCore {
  override keyOf(name: string): string {
    return super.keyOf(name.trim());
  }
}

class NormalisesNames extends ReferenceCore {
  override keyOf(name: string): string {
    return super.keyOf(name.normalize('NFC'));
  }
}

class TruncatesLargeSets extends ReferenceCore {
  override set(name: string, ranges: Iterable<string>, ttl?: number | null): void {
    super.set(name, [...ranges].slice(0, 4096), ttl);
  }
}

class SlidingExpiry extends ReferenceCore {
  override get(name: string): Set<string> | null {
    const entry = this.live(name);
    if (entry !== null && entry.expiresAt !== null) {
      const ttlMs = (entry as Entry & { ttlMs?: number }).ttlMs ?? 0;
      entry.expiresAt = this.now() + ttlMs;
    }
    return super.get(name);
  }
  override set(name: string, ranges: Iterable<string>, ttl?: number | null): void {
    super.set(name, ranges, ttl);
    const entry = this.backend.entries.get(this.keyOf(name)) as Entry & { ttlMs?: number };
    if (ttl != null) entry.ttlMs = ttl * 1000;
  }
}

/** A flaky backend: every 50th write (counted across the process) is silently lost. */
let writes = 0;
class DropsOneWriteInFifty extends ReferenceCore {
  override set(name: string, ranges: Iterable<string>, ttl?: number | null): void {
    writes += 1;
    if (writes % 50 === 0) return;
    super.set(name, ranges, ttl);
  }
}

/** Replace as DEL, then one SADD per member, awaiting each: overlapping writers interleave. */
function nonAtomicReplace(backend: Backend, prefix: string): CloudIpStoreProtocol {
  const core = new ReferenceCore(backend, prefix);
  return {
    get: async (name) => core.get(name),
    clear: async () => core.clear(),
    set: async (name, ranges, ttl) => {
      const list = [...ranges];
      const deadline = core.deadline(ttl);
      backend.entries.set(core.keyOf(name), { ranges: new Set(), expiresAt: deadline });
      for (const item of list) {
        await yieldToOthers();
        const entry = backend.entries.get(core.keyOf(name));
        if (entry !== undefined) entry.ranges.add(item);
        else backend.entries.set(core.keyOf(name), { ranges: new Set([item]), expiresAt: deadline });
      }
    },
  };
}

/** All names in one JSON blob, read, modified and written back with an await in between. */
function sharedBlob(backend: Backend, prefix: string): CloudIpStoreProtocol {
  const key = `blob:${prefix}`;
  const read = (): Record<string, string[]> =>
    JSON.parse(blobs.get(backend)?.get(key) ?? '{}') as Record<string, string[]>;
  const write = (value: Record<string, string[]>) => {
    if (!blobs.has(backend)) blobs.set(backend, new Map());
    blobs.get(backend)?.set(key, JSON.stringify(value));
  };
  return {
    get: async (name) => {
      const list = read()[name];
      return list === undefined ? null : new Set(list);
    },
    set: async (name, ranges) => {
      const blob = read();
      await yieldToOthers();
      blob[name] = [...ranges];
      write(blob);
    },
    clear: async () => write({}),
  };
}
const blobs = new WeakMap<Backend, Map<string, string>>();

/** An async store whose `set` validates synchronously before returning a promise. */
function throwsSynchronously(backend: Backend, prefix: string): CloudIpStoreProtocol {
  const store = asAsync(new ReferenceCore(backend, prefix));
  return {
    get: (name) => store.get(name),
    clear: () => store.clear(),
    set: (name, ranges, ttl) => {
      if (typeof ranges !== 'object' || ranges === null) throw new TypeError('ranges must be iterable');
      return store.set(name, ranges, ttl);
    },
  };
}

/** Declared sync, but `set` hands back a promise (a half-migrated store). */
function syncReturningPromises(backend: Backend, prefix: string): SyncCloudIpStoreShape {
  const core = new ReferenceCore(backend, prefix);
  return {
    get: (name) => core.get(name),
    clear: () => core.clear(),
    // The defect under test: a promise where the sync protocol expects nothing.
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    set: (name: string, ranges: Iterable<string>, ttl?: number | null) => Promise.resolve(core.set(name, ranges, ttl)),
  };
}

function core(id: string, fault: string, caughtBy: PropertyId, Core: CoreClass): Mutant {
  return {
    id,
    fault,
    caughtBy,
    modes: ['async', 'sync'],
    make: (mode, realTime = false) => {
      const { factory, clock } = coreTarget(Core, mode, realTime);
      return { target: factory, clock };
    },
  };
}

function custom(
  id: string,
  fault: string,
  caughtBy: PropertyId,
  mode: StoreMode,
  build: (backend: Backend, prefix: string) => CloudIpStoreProtocol | SyncCloudIpStoreShape,
): Mutant {
  return {
    id,
    fault,
    caughtBy,
    modes: [mode],
    make: () => {
      const backend = new Backend();
      return { target: { make: ({ prefix }) => build(backend, prefix) }, clock: backend.clock };
    },
  };
}

/** The zoo, one entry per fault. */
export const MUTANTS: readonly Mutant[] = [
  core('Z01', 'absent returns undefined', 'P01', AbsentIsUndefined),
  core('Z02', 'get returns an array', 'P02', GetReturnsArray),
  core('Z03', 'canonicalises CIDRs (10.0.0.1/8 -> 10.0.0.0/8)', 'P02', Canonicalises),
  core('Z04', 'empty set read as null', 'P03', EmptyReadsAsNull),
  core('Z05', 'union on overwrite (SADD without DEL)', 'P04', UnionOnOverwrite),
  core('Z06', 'case-insensitive names', 'P05', CaseInsensitiveNames),
  core('Z07', 'shared mutable set returned', 'P06', ReturnsStoredSet),
  core('Z08', "caller's set stored by reference", 'P07', StoresCallersSet),
  core('Z09', 'TTL ignored', 'P09', TtlIgnored),
  core('Z10', 'TTL unit off: seconds taken as ms', 'P09', TtlAsMilliseconds),
  core('Z11', 'TTL unit off: x1000 too long', 'P09', TtlThousandTimesLonger),
  core('Z12', 'TTL kept by a plain set (SADD semantics)', 'P10', PlainSetKeepsTtl),
  core('Z13', 're-set keeps the first deadline', 'P11', KeepsFirstDeadline),
  core('Z14', 'ttl <= 0 or non-finite lives forever', 'P12', DegenerateTtlLivesForever),
  core('Z15', 'one deadline for the whole store', 'P13', StoreWideDeadline),
  core('Z16', 'clear is a no-op', 'P14', ClearIsNoop),
  core('Z17', 'clear wipes other prefixes (FLUSHDB)', 'P15', ClearWipesEverything),
  core('Z18', 'clear matches the prefix with startsWith', 'P15', ClearByStartsWith),
  core('Z19', 'prefix used as a raw glob in clear', 'P15', PrefixAsRawGlob),
  core('Z20', 'key = prefix + ":" + name, unescaped (aliasing)', 'P16', AliasingKeys),
  core('Z21', 'names trimmed', 'P17', TrimsNames),
  core('Z22', 'names NFC-normalised', 'P18', NormalisesNames),
  core('Z23', 'large sets truncated at 4096', 'P19', TruncatesLargeSets),
  core('Z24', 'get extends the TTL (sliding expiry)', 'P27', SlidingExpiry),
  core('Z25', 'drops one write in fifty', 'P24', DropsOneWriteInFifty),
  custom('Z26', 'non-atomic replace (DEL, then SADD per member)', 'P20', 'async', nonAtomicReplace),
  custom('Z27', 'non-atomic replace seen by a concurrent reader', 'P21', 'async', nonAtomicReplace),
  custom('Z28', 'lost concurrent writes (read-modify-write of one blob)', 'P22', 'async', sharedBlob),
  custom('Z29', 'async store throws synchronously', 'P25', 'async', throwsSynchronously),
  custom('Z30', 'sync store returning promises', 'P25', 'sync', syncReturningPromises),
  core('Z31', 'entries in a plain object ({}): "constructor", "__proto__" read junk', 'P01', PlainObjectEntries),
  core('Z32', 'set members collapsed case-insensitively (SQL _ci collation)', 'P02', CaseInsensitiveMembers),
  core('Z33', 'TTL ignored: a TTL that is not whole seconds lives forever', 'P12', TtlIgnored),
];
