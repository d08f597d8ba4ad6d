/**
 * A hand-written sync store (no codegen, no bridge): proves the kit's sync mode on its own.
 */
import type { SyncCloudIpStoreShape } from '../../../src/testing/index.js';

/** A Map of copies with TTLs on an injected clock; invalid TTLs throw before anything changes. */
export class SyncMemoryStore implements SyncCloudIpStoreShape {
  private readonly entries = new Map<string, { ranges: string[]; expiresAt: number | null }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  get(provider: string): Set<string> | null {
    const entry = this.entries.get(provider);
    if (entry === undefined) return null;
    if (entry.expiresAt !== null && this.now() >= entry.expiresAt) {
      this.entries.delete(provider);
      return null;
    }
    return new Set(entry.ranges);
  }

  set(provider: string, ranges: Iterable<string>, ttl?: number | null): void {
    if (ttl !== undefined && ttl !== null && (!Number.isInteger(ttl) || ttl <= 0)) {
      throw new RangeError(`ttl must be a whole number of seconds >= 1, got ${ttl}`);
    }
    if (ranges === null || typeof ranges !== 'object') throw new TypeError('ranges must be an iterable of strings');
    const list = [...ranges];
    this.entries.set(provider, { ranges: list, expiresAt: ttl == null ? null : this.now() + ttl * 1000 });
  }

  clear(): void {
    this.entries.clear();
  }
}
