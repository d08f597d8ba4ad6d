/**
 * IPBanManager as both APIs expose it, for the shared ban tests (`describe.each(banApis)`): each
 * entry builds a Redis handler and a manager of its API. The async API returns promises, the sync
 * API plain values; `await` serves both.
 */
import * as asyncApi from '../../src/index.js';
import type { BanEntry, SecurityConfigInput, StateMode } from '../../src/index.js';
import * as syncApi from '../../src/sync.js';
import type { Awaitable } from './apis.js';

/** The ban manager's public surface, either API. */
export interface BanManagerUnderTest {
  readonly mode: StateMode;
  initializeRedis(handler: HandlerUnderTest | null): Awaitable<void>;
  probe(): Awaitable<boolean>;
  close(): Awaitable<void>;
  banIp(ip: string, durationSeconds: number, reason?: string): Awaitable<boolean>;
  isIpBanned(ip: string): Awaitable<boolean>;
  unbanIp(ip: string): Awaitable<boolean>;
  reset(): Awaitable<void>;
  listBans(): Awaitable<BanEntry[]>;
}

/** A Redis handler of either API (opaque to the tests beyond close). */
export interface HandlerUnderTest {
  close(): Awaitable<void>;
}

/** Manager options the tests inject. */
export interface BanTestOptions {
  readonly now?: () => number;
}

/** One API reduced to what the ban tests build. */
export interface BanApiUnderTest {
  readonly name: 'async' | 'sync';
  createHandler(config: SecurityConfigInput): HandlerUnderTest;
  createBans(config: SecurityConfigInput, options?: BanTestOptions): BanManagerUnderTest;
}

/** The async API. */
export const asyncBans: BanApiUnderTest = {
  name: 'async',
  createHandler: (config) => new asyncApi.RedisManager(config),
  createBans: (config, options) => new asyncApi.IPBanManager(config, options),
};

/** The sync API (generated classes over the worker-thread bridge). */
export const syncBans: BanApiUnderTest = {
  name: 'sync',
  createHandler: (config) => new syncApi.RedisManager(config),
  createBans: (config, options) => new syncApi.IPBanManager(config, options),
};

/** Both APIs. */
export const banApis: readonly BanApiUnderTest[] = [asyncBans, syncBans];

/** Lets the event loop turn (pub/sub messages are read there), then resolves. */
export function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));
}

/** The median, the 90th percentile and the maximum of a list of numbers. */
export function medianAndMax(values: readonly number[]): { median: number; p90: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const p90 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.9) - 1)] ?? NaN;
  return { median, p90, max: sorted[sorted.length - 1] ?? NaN };
}
