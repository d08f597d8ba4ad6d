/**
 * An example custom cloud-IP store: one JSON file per store, for a single-host deployment that
 * wants its cached ranges to survive restarts without Redis. It shows what the protocol asks of
 * any backend — and what the conformance kit checks:
 *
 * - `get` returns a fresh `Set` (or `null` when absent or expired; an empty set stays an empty set);
 * - `set` replaces the whole set (never merges), copies its input, and sets or clears the TTL;
 * - TTLs are whole seconds; anything else is refused before the file changes;
 * - `clear` removes this store's file only;
 * - calls on one store are serialised, so overlapping `set`s cannot lose each other's writes.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GuardInputError, type CloudIpStoreProtocol } from 'guard-core';

/** Options of {@link JsonFileCloudIpStore}. */
export interface JsonFileCloudIpStoreOptions {
  /** Wall-clock time in ms (default `Date.now`); inject one to test expiry without waiting. */
  readonly now?: () => number;
}

interface StoredEntry {
  readonly ranges: readonly string[];
  /** Epoch ms, or null for no expiry. */
  readonly expiresAt: number | null;
}

/**
 * The file holds `[[provider, { ranges, expiresAt }], …]`: a list of pairs rather than an object
 * keyed by provider, because a provider named `__proto__` must be just another name.
 */
type FileContent = [string, StoredEntry][];

/** A cloud-IP store kept in one JSON file, written atomically (temp file + rename). */
export class JsonFileCloudIpStore implements CloudIpStoreProtocol {
  private readonly now: () => number;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    /** The file of this store; its directory is created on first write. */
    readonly path: string,
    options: JsonFileCloudIpStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async get(provider: string): Promise<Set<string> | null> {
    return this.serialised(async () => {
      const entry = (await this.load()).get(provider);
      if (entry === undefined || (entry.expiresAt !== null && this.now() >= entry.expiresAt)) return null;
      return new Set(entry.ranges);
    });
  }

  async set(provider: string, ranges: Iterable<string>, ttl?: number | null): Promise<void> {
    // Validate and copy before queueing: the caller may change its Set as soon as we return.
    const expiresAt = this.deadline(ttl);
    const list = [...new Set(ranges)];
    if (list.some((r) => typeof r !== 'string')) throw new GuardInputError('ranges', 'every range must be a string');
    return this.serialised(async () => {
      const entries = await this.load();
      entries.set(provider, { ranges: list, expiresAt });
      await this.save(entries);
    });
  }

  async clear(): Promise<void> {
    return this.serialised(() => rm(this.path, { force: true }));
  }

  private deadline(ttl: number | null | undefined): number | null {
    if (ttl === undefined || ttl === null) return null;
    if (!Number.isInteger(ttl) || ttl <= 0) {
      throw new GuardInputError('ttl', `expected a whole number of seconds >= 1, or null; got ${ttl}`);
    }
    return this.now() + ttl * 1000;
  }

  /** Runs `work` after every earlier call of this store has finished (a one-slot mutex). */
  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async load(): Promise<Map<string, StoredEntry>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw error;
    }
    return new Map(JSON.parse(text) as FileContent);
  }

  private async save(entries: Map<string, StoredEntry>): Promise<void> {
    const now = this.now();
    const live: FileContent = [...entries].filter(([, e]) => e.expiresAt === null || e.expiresAt > now);
    await mkdir(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(live));
    await rename(temp, this.path);
  }
}
