/**
 * Process-local cloud-IP store: the default when Redis is off or down.
 */
import { requireName, requireRanges, requireTtl } from '../../core/validate.js';
import type { CloudIpStoreProtocol } from './store-protocol.js';

/** Options of {@link InMemoryCloudIpStore}. */
export interface InMemoryCloudIpStoreOptions {
  /** Monotonic clock in milliseconds; inject one to test expiry without waiting. */
  readonly now?: () => number;
}

interface Entry {
  readonly ranges: readonly string[];
  readonly expiresAt: number | null;
}

/**
 * Keeps each provider's set in a Map, copying on read and on write so no caller can change
 * what is stored. Unlike the seed (which ignores it) the TTL is enforced, as in the later
 * Python original: an expired entry reads as `null`.
 */
export class InMemoryCloudIpStore implements CloudIpStoreProtocol {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  /** An empty store; pass `now` to control expiry in tests. */
  constructor(options: InMemoryCloudIpStoreOptions = {}) {
    this.now = options.now ?? (() => performance.now());
  }

  /** A fresh copy of the provider's set; `null` when absent or expired (an expired entry is dropped). */
  async get(provider: string): Promise<Set<string> | null> {
    const name = requireName('provider', provider);
    const entry = this.entries.get(name);
    if (entry === undefined) return null;
    if (entry.expiresAt !== null && this.now() >= entry.expiresAt) {
      this.entries.delete(name);
      return null;
    }
    return new Set(entry.ranges);
  }

  /** Stores a copy of `ranges`; a TTL in whole seconds bounds its life, none clears an earlier one. */
  async set(provider: string, ranges: Iterable<string>, ttl?: number | null): Promise<void> {
    const name = requireName('provider', provider);
    const copy = requireRanges(ranges);
    const seconds = requireTtl(ttl);
    this.entries.set(name, { ranges: copy, expiresAt: seconds === null ? null : this.now() + seconds * 1000 });
  }

  /** Drops every entry and its expiry. */
  async clear(): Promise<void> {
    this.entries.clear();
  }
}
