/**
 * SecurityHeadersManager as both APIs expose it, for the integration and fault tests.
 */
import * as asyncApi from '../../src/index.js';
import type { HeaderSettings, SecurityConfigInput, SecurityHeadersInput } from '../../src/index.js';
import * as syncApi from '../../src/sync.js';
import type { Awaitable, ManagerUnderTest } from '../support/apis.js';

/** SecurityHeadersManager as both APIs expose it. */
export interface HeadersUnderTest {
  readonly mode: string;
  initializeRedis(handler: ManagerUnderTest | null): Awaitable<void>;
  getHeaders(): Awaitable<Readonly<Record<string, string>>>;
  getConfig(): Awaitable<HeaderSettings>;
  updateConfig(partial: SecurityHeadersInput): Awaitable<void>;
  probe(): Awaitable<boolean>;
  close(): Awaitable<void>;
}

/** Builds a headers manager of the API named `name` (`async` or `sync`). */
export function createHeaders(name: string, config: SecurityConfigInput): HeadersUnderTest {
  return (name === 'async'
    ? new asyncApi.SecurityHeadersManager(config)
    : new syncApi.SecurityHeadersManager(config)) as unknown as HeadersUnderTest;
}
