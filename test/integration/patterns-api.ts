/**
 * SusPatternsManager as both APIs expose it, for the integration and fault tests.
 */
import * as asyncApi from '../../src/index.js';
import type { SecurityConfigInput } from '../../src/index.js';
import * as syncApi from '../../src/sync.js';
import type { Awaitable, ManagerUnderTest } from '../support/apis.js';

/** SusPatternsManager as both APIs expose it. */
export interface PatternsUnderTest {
  readonly mode: string;
  initializeRedis(handler: ManagerUnderTest | null): Awaitable<void>;
  addPattern(pattern: string): Awaitable<boolean>;
  removePattern(pattern: string): Awaitable<boolean>;
  getCustomPatterns(): Awaitable<string[]>;
  getAllPatterns(): Awaitable<string[]>;
  matchContent(text: string): Awaitable<{ readonly matched: readonly string[]; readonly truncated: boolean }>;
  reset(): Awaitable<void>;
  probe(): Awaitable<boolean>;
  close(): Awaitable<void>;
}

/** Builds a patterns manager of the API named `name` (`async` or `sync`). */
export function createPatterns(name: string, config: SecurityConfigInput): PatternsUnderTest {
  return (name === 'async'
    ? new asyncApi.SusPatternsManager(config)
    : new syncApi.SusPatternsManager(config)) as unknown as PatternsUnderTest;
}
