/**
 * `SusPatternsManager`: the custom detection patterns, shared on Redis with every replica (Node
 * and Python), plus a small built-in set, and a matcher over the active set with bounded input.
 * Key layout and Python interop: `src/core/patterns/store.ts`; pattern safety:
 * `src/core/patterns/safety.ts`.
 */
import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { parseSecurityConfig, type SecurityConfig, type SecurityConfigInput } from '../../core/config.js';
import { GuardInputError, GuardPatternError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { BUILTIN_PATTERNS } from '../../core/patterns/builtin.js';
import { matchPatterns, type PatternMatchResult } from '../../core/patterns/matcher.js';
import { PATTERN_FLAGS, checkPattern, type CompiledPattern, type PatternVerdict } from '../../core/patterns/safety.js';
import {
  COMMA_KEY,
  PATTERNS_APPLY,
  PATTERNS_CHANNEL,
  PATTERNS_NAMESPACE,
  applyArgs,
  parseApplyReply,
  patternKeys,
  type ApplyReply,
  type PatternOp,
} from '../../core/patterns/store.js';
import { sortByCodePoint } from '../../core/python-json.js';
import { SUBSYSTEM_EVENTS_CHANNEL, Telemetry, type AgentHandler } from '../../core/telemetry.js';
import { describe, requireWellFormed } from '../../core/validate.js';
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';
import type { RedisSubscription } from '../seams/redis.js';
import { RedisFailover, type StateMode } from '../support/redis-failover.js';
import type { SubsystemManager } from '../support/subsystem.js';

/** Options of a {@link SusPatternsManager}. */
export interface SusPatternsManagerOptions {
  /** Monotonic clock in milliseconds (the sync interval and the failover pause); inject one in tests. */
  readonly now?: () => number;
}

/** The built-ins, compiled once per process (they are vetted by the unit tests, not at run time). */
const COMPILED_BUILTINS: readonly CompiledPattern[] = BUILTIN_PATTERNS.map(({ pattern }) => ({
  source: pattern,
  regex: new RegExp(pattern, PATTERN_FLAGS),
}));

/**
 * Custom detection patterns on Redis with an in-memory fallback.
 *
 * - Active set = built-in patterns + the custom patterns this process accepts (each checked for
 *   syntax and ReDoS safety; a shared pattern this process refuses — e.g. Python-only syntax — is
 *   kept on Redis for the replicas that can use it, logged once, and skipped here).
 * - Replicas agree: a change is announced on `patterns_events` and picked up by every Node
 *   replica on its next call; the shared list is also re-read at most every
 *   `patternSyncIntervalMs` on use, for writers that do not announce (Python replicas).
 * - Redis down: changes apply in memory and are written back (merged with what other replicas
 *   did meanwhile) on the first successful call after the outage.
 */
export class SusPatternsManager implements SubsystemManager {
  /** @inheritdoc */
  readonly subsystem = 'patterns';
  private readonly config: SecurityConfig;
  private readonly logger: Logger;
  private readonly failover: RedisFailover;
  private readonly now: () => number;
  /** Verdicts per pattern text, so a shared list is not re-analysed on every sync. */
  private readonly verdicts: LRUCache<string, PatternVerdict>;
  /** Every custom pattern this replica knows of (shared list, or local changes while Redis is down). */
  private known: ReadonlySet<string> = new Set();
  private custom: readonly CompiledPattern[] = [];
  private active: readonly CompiledPattern[] = COMPILED_BUILTINS;
  /** Changes made in memory, not yet on Redis: last op per pattern, after an optional clear. */
  private readonly pending = new Map<string, 'add' | 'remove'>();
  private pendingClear = false;
  private subscription: RedisSubscription | null = null;
  private lastSyncAt = Number.NEGATIVE_INFINITY;
  private closed = false;
  /** Identifies this manager's own announcements, which it ignores. */
  private readonly sender = randomBytes(8).toString('hex');
  /** The agent and the `guard-core:subsystem` channel (README, "Telemetry"). */
  private readonly telemetry: Telemetry;

  /** Validates `config` (throws `GuardConfigError`); built-in patterns only until {@link initializeRedis} restores the custom ones. */
  constructor(config: SecurityConfigInput | SecurityConfig = {}, options: SusPatternsManagerOptions = {}) {
    this.config = parseSecurityConfig(config);
    this.logger = this.config.logger;
    this.now = options.now ?? (() => performance.now());
    this.failover = new RedisFailover({
      name: 'custom patterns',
      logger: this.logger,
      failOpen: this.config.redisFailOpen,
      retryAfterMs: this.config.redisRetryAfterMs,
      now: this.now,
    });
    this.verdicts = new LRUCache({ max: this.config.patternMaxCount * 2 + 64 });
    this.failover.onRecover((redis) => this.recover(redis));
    this.telemetry = new Telemetry('sus_patterns', SUBSYSTEM_EVENTS_CHANNEL, this.logger);
  }

  /**
   * Sets the agent that receives `pattern_added` / `pattern_removed` events for the custom
   * patterns this manager adds or removes (`null` removes it). The same events go to
   * `diagnostics_channel` `guard-core:subsystem` with or without an agent.
   */
  initializeAgent(agent: AgentHandler | null): void {
    this.telemetry.setAgent(agent);
  }

  /** @inheritdoc */
  get mode(): StateMode {
    return this.failover.mode;
  }

  /**
   * Attaches Redis (or `null` for memory only), subscribes to change announcements and restores
   * the shared list, writing back anything added in memory before. Never throws because Redis is
   * down: the manager then starts in memory.
   */
  async initializeRedis(handler: RedisHandlerProtocol | null): Promise<void> {
    // Attached before the first await: a close() that comes while this runs wins.
    this.closed = false;
    this.failover.attach(handler);
    await this.closeSubscription();
    await this.failover.run(async (redis) => {
      await this.ensureSubscription(redis);
      return this.apply(redis, []);
    });
  }

  /**
   * Adds a custom pattern after checking it (syntax, length, ReDoS safety, count limit).
   * Resolves to true when it was new. Throws {@link GuardPatternError} when refused; nothing is
   * stored then.
   */
  async addPattern(pattern: string): Promise<boolean> {
    const verdict = this.verdictFor(pattern, 'pattern');
    if (!verdict.ok) throw verdict.error;
    await this.refreshIfDue();
    if (!this.known.has(pattern) && this.custom.length >= this.config.patternMaxCount) {
      throw new GuardPatternError(
        'pattern',
        pattern,
        'too-many',
        `${this.config.patternMaxCount} custom patterns are active already (patternMaxCount)`,
      );
    }
    const result = await this.failover.run((redis) => this.apply(redis, [{ kind: 'add', pattern }]));
    let isNew: boolean;
    if (result.source === 'redis') {
      isNew = result.value.changed;
    } else {
      isNew = !this.known.has(pattern);
      this.pending.set(pattern, 'add');
      this.activate([...this.known, pattern]);
    }
    if (isNew) this.notePatternChange('pattern_added', pattern, result.source);
    return isNew;
  }

  /** Removes a custom pattern; resolves to true when it was there. */
  async removePattern(pattern: string): Promise<boolean> {
    if (typeof pattern !== 'string' || pattern.length === 0) {
      throw new GuardInputError('pattern', `expected a non-empty string, got ${describe(pattern)}`);
    }
    requireWellFormed('pattern', pattern);
    const result = await this.failover.run((redis) => this.apply(redis, [{ kind: 'remove', pattern }]));
    let removed: boolean;
    if (result.source === 'redis') {
      removed = result.value.changed;
    } else {
      removed = this.known.has(pattern);
      if (removed) {
        this.pending.set(pattern, 'remove');
        this.activate([...this.known].filter((p) => p !== pattern));
      }
    }
    if (removed) this.notePatternChange('pattern_removed', pattern, result.source);
    return removed;
  }

  /** The `pattern_added` / `pattern_removed` event of one change made here. */
  private notePatternChange(
    type: 'pattern_added' | 'pattern_removed',
    pattern: string,
    source: 'redis' | 'memory',
  ): void {
    const verb = type === 'pattern_added' ? 'added to' : 'removed from';
    this.telemetry.emit({
      event_type: type,
      action_taken: type,
      reason: `Custom pattern ${verb} detection system`,
      metadata: { pattern, pattern_type: 'custom', total_patterns: this.known.size, source },
    });
  }

  /** The custom patterns active in this process, in code-point order. */
  async getCustomPatterns(): Promise<string[]> {
    await this.refreshIfDue();
    return this.custom.map((c) => c.source);
  }

  /** Every active pattern: the built-in ones first, then the custom ones. */
  async getAllPatterns(): Promise<string[]> {
    await this.refreshIfDue();
    return this.active.map((c) => c.source);
  }

  /**
   * Matches `text` against every active pattern. Only the first `patternMaxContentLength`
   * characters are inspected (`truncated` says when the text was longer).
   */
  async matchContent(text: string): Promise<PatternMatchResult> {
    if (typeof text !== 'string') throw new GuardInputError('text', `expected a string, got ${describe(text)}`);
    await this.refreshIfDue();
    return matchPatterns(this.active, text, this.config.patternMaxContentLength);
  }

  /** Removes every custom pattern, here and on Redis (the built-in ones stay). */
  async reset(): Promise<void> {
    const result = await this.failover.run((redis) => this.apply(redis, [{ kind: 'clear' }]));
    if (result.source === 'redis') return;
    this.pending.clear();
    this.pendingClear = true;
    this.activate([]);
  }

  /** @inheritdoc */
  async probe(): Promise<boolean> {
    return this.failover.probe((redis) => redis.exists(PATTERNS_NAMESPACE, COMMA_KEY));
  }

  /** @inheritdoc */
  async close(): Promise<void> {
    this.closed = true;
    this.failover.attach(null); // from now on: memory only, no Redis traffic
    await this.closeSubscription();
  }

  /** On the first success after an outage: resubscribe, write back what changed in memory, reload. */
  private async recover(redis: RedisHandlerProtocol): Promise<void> {
    await this.ensureSubscription(redis);
    // Seeds first: they only count when Redis came back empty (restarted without its data).
    const seeds = [...this.known].map((pattern) => ({ kind: 'seed', pattern }) as const);
    await this.apply(redis, [], seeds);
  }

  /**
   * Runs the apply script with the pending in-memory changes first, then `ops`, and makes the
   * answer the active set. `null` when Redis is disabled.
   */
  private async apply(
    redis: RedisHandlerProtocol,
    ops: readonly PatternOp[],
    seeds: readonly PatternOp[] = [],
  ): Promise<ApplyReply | null> {
    const clear = this.pendingClear;
    const pending = [...this.pending];
    const all: PatternOp[] = [
      ...seeds,
      ...(clear ? [{ kind: 'clear' } as const] : []),
      ...pending.map(([pattern, kind]) => ({ kind, pattern })),
      ...ops,
    ];
    const prefix = redis.config.redisPrefix;
    const reply = await redis.runScript(
      PATTERNS_APPLY,
      PATTERNS_NAMESPACE,
      patternKeys(prefix),
      applyArgs(prefix + PATTERNS_CHANNEL, this.sender, all),
    );
    if (reply === null) return null;
    // Forget only what was sent: a change made while the script ran stays pending.
    if (clear) this.pendingClear = false;
    for (const [pattern, kind] of pending) if (this.pending.get(pattern) === kind) this.pending.delete(pattern);
    const parsed = parseApplyReply(reply);
    this.activate(parsed.patterns);
    this.lastSyncAt = this.now();
    if (all.length > 0) this.logger.debug(`custom patterns: ${all.length} change(s) written to Redis`);
    return parsed;
  }

  /** Re-reads the shared list when another replica announced a change, or the sync interval passed. */
  private async refreshIfDue(): Promise<void> {
    if (this.failover.mode === 'disabled') return;
    // While Redis is down every call may try it: the failover's pause keeps that to one probe per pause.
    let due = this.failover.mode === 'memory' || this.now() - this.lastSyncAt >= this.config.patternSyncIntervalMs;
    if (this.subscription !== null) {
      const batch = await this.subscription.drain();
      if (batch.gap || batch.messages.some((m) => m !== this.sender)) due = true;
    }
    if (due) await this.failover.run((redis) => this.apply(redis, []));
  }

  /** Makes `patterns` (the shared list, or the local one) the active custom set. */
  private activate(patterns: Iterable<string>): void {
    const sorted = sortByCodePoint(new Set(patterns));
    const custom: CompiledPattern[] = [];
    for (const pattern of sorted) {
      const verdict = this.verdictFor(pattern, 'patterns:custom', true);
      if (!verdict.ok) continue;
      if (custom.length >= this.config.patternMaxCount) {
        this.logger.warn(
          `custom patterns: more than patternMaxCount (${this.config.patternMaxCount}) shared patterns; the rest are ignored here`,
        );
        break;
      }
      custom.push(verdict.compiled);
    }
    this.known = new Set(sorted);
    this.custom = custom;
    this.active = [...COMPILED_BUILTINS, ...custom];
  }

  /** The (cached) verdict on `pattern`; a shared pattern refused here is logged once. */
  private verdictFor(pattern: string, field: string, shared = false): PatternVerdict {
    const cached = typeof pattern === 'string' ? this.verdicts.get(pattern) : undefined;
    if (cached !== undefined) {
      if (cached.ok || cached.error.field === field) return cached;
      const { reason, detail } = cached.error;
      return { ok: false, error: new GuardPatternError(field, pattern, reason, detail) };
    }
    const verdict = checkPattern(pattern, { maxLength: this.config.patternMaxLength }, field);
    if (typeof pattern === 'string') this.verdicts.set(pattern, verdict);
    if (!verdict.ok && shared) {
      this.logger.warn(
        `custom patterns: a shared pattern is kept on Redis but not used here: ${verdict.error.message}`,
      );
    }
    return verdict;
  }

  private async ensureSubscription(redis: RedisHandlerProtocol): Promise<void> {
    if (this.subscription !== null || this.closed) return;
    const subscription = await redis.subscribe(PATTERNS_CHANNEL);
    if (this.closed || this.subscription !== null) {
      await subscription?.close(); // closed (or subscribed by a concurrent call) meanwhile
      return;
    }
    this.subscription = subscription;
  }

  private async closeSubscription(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = null;
    if (subscription !== null) await subscription.close();
  }
}
