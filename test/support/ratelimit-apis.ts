/**
 * The rate limiter and the behaviour tracker as a test parameter, for each API (async and sync):
 * one test body drives both (`await` on a plain sync value is harmless).
 */
import * as asyncApi from '../../src/index.js';
import type {
  BehaviorResponse,
  BehaviorResult,
  BehaviorRule,
  RateLimitCheckOptions,
  RateLimitDecision,
  SecurityConfigInput,
  StateMode,
} from '../../src/index.js';
import * as syncApi from '../../src/sync.js';
import { asyncApiUnderTest, syncApiUnderTest, type Awaitable, type ManagerUnderTest } from './apis.js';

/** RateLimitManager as both APIs expose it. */
export interface LimiterUnderTest {
  readonly mode: StateMode;
  readonly memoryWindowCount: number;
  initializeRedis(handler: ManagerUnderTest | null): Awaitable<void>;
  check(clientIp: string, options?: RateLimitCheckOptions): Awaitable<RateLimitDecision>;
  reset(): Awaitable<void>;
  probe(): Awaitable<boolean>;
}

/** BehaviorTracker as both APIs expose it. */
export interface TrackerUnderTest {
  readonly mode: StateMode;
  initializeRedis(handler: ManagerUnderTest | null): Awaitable<void>;
  trackEndpointUsage(endpointId: string, clientIp: string, rule: BehaviorRule): Awaitable<BehaviorResult>;
  trackReturnPattern(
    endpointId: string,
    clientIp: string,
    response: BehaviorResponse,
    rule: BehaviorRule,
  ): Awaitable<BehaviorResult>;
  reset(): Awaitable<void>;
}

/** Clock options shared by both managers: epoch seconds. */
export interface ClockOptions {
  readonly now?: () => number;
}

/** One API with the window managers. */
export interface WindowApiUnderTest {
  readonly name: string;
  createManager(config: SecurityConfigInput): ManagerUnderTest;
  createLimiter(config: SecurityConfigInput, options?: ClockOptions): LimiterUnderTest;
  createTracker(config: SecurityConfigInput, options?: ClockOptions): TrackerUnderTest;
}

/** The async API. */
export const asyncWindowApi: WindowApiUnderTest = {
  name: 'async',
  createManager: asyncApiUnderTest.createManager,
  createLimiter: (config, options) => new asyncApi.RateLimitManager(config, options) as unknown as LimiterUnderTest,
  createTracker: (config, options) => new asyncApi.BehaviorTracker(config, options) as unknown as TrackerUnderTest,
};

/** The sync API (generated classes over the worker-thread bridge). */
export const syncWindowApi: WindowApiUnderTest = {
  name: 'sync',
  createManager: syncApiUnderTest.createManager,
  createLimiter: (config, options) => new syncApi.RateLimitManager(config, options) as unknown as LimiterUnderTest,
  createTracker: (config, options) => new syncApi.BehaviorTracker(config, options) as unknown as TrackerUnderTest,
};

/** Both APIs. */
export const windowApisUnderTest: readonly WindowApiUnderTest[] = [asyncWindowApi, syncWindowApi];
