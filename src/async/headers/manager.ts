/**
 * `SecurityHeadersManager`: the security-header configuration (CSP, HSTS, custom headers shared
 * on Redis with every replica, Node or Python) and the rendered header set.
 *
 * Precedence rule (the original lets a Redis value override the local configuration at start-up,
 * so a stale shared value silently replaces what the operator configured): for each shared field
 * (`csp`, `hsts`, `custom`), a replica on which the field is **explicit** — present in its
 * `securityHeaders` config, `null` included, or set by `updateConfig` — always uses its own value,
 * and logs once per differing shared value that it keeps its own. A replica on which the field is
 * not explicit adopts the shared value (or the default when Redis holds none).
 */
import { randomBytes } from 'node:crypto';
import { parseSecurityConfig, type SecurityConfig, type SecurityConfigInput } from '../../core/config.js';
import { GuardConfigError } from '../../core/errors.js';
import {
  HEADERS_CHANNEL,
  HEADERS_NAMESPACE,
  HEADERS_TTL_SECONDS,
  HEADER_KEYS,
  HEADER_SYNC,
  decodeSharedHeader,
  encodeSharedHeader,
  type HeaderWriteMode,
} from '../../core/headers/codec.js';
import { securityHeadersSchema, type SecurityHeadersInput } from '../../core/headers/schema.js';
import {
  DEFAULT_HEADER_SETTINGS,
  SHARED_HEADER_FIELDS,
  applyHeaderConfig,
  renderHeaders,
  type HeaderSettings,
  type SharedHeaderField,
} from '../../core/headers/settings.js';
import type { Logger } from '../../core/logger.js';
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';
import type { RedisSubscription } from '../seams/redis.js';
import { RedisFailover, type StateMode } from '../support/redis-failover.js';
import type { SubsystemManager } from '../support/subsystem.js';

/** Options of a {@link SecurityHeadersManager}. */
export interface SecurityHeadersManagerOptions {
  /** Monotonic clock in milliseconds (render cache, sync interval, failover pause); inject one in tests. */
  readonly now?: () => number;
}

/** How long a rendered header set is reused, in ms (the original's 300 s); changes invalidate it at once. */
export const RENDERED_HEADERS_TTL_MS = 300_000;

/** Security headers with their shared configuration on Redis and an in-memory fallback. */
export class SecurityHeadersManager implements SubsystemManager {
  /** @inheritdoc */
  readonly subsystem = 'security headers';
  private readonly config: SecurityConfig;
  private readonly logger: Logger;
  private readonly failover: RedisFailover;
  private readonly now: () => number;
  /** This replica's own settings (configuration, then `updateConfig`), defaults filled in. */
  private local: HeaderSettings;
  /** Fields explicit here: never replaced by a shared value. */
  private readonly explicit = new Set<keyof HeaderSettings>();
  /** The last valid shared value per field (absent: Redis holds none). */
  private readonly shared: Partial<Pick<HeaderSettings, SharedHeaderField>> = {};
  /** Fields changed by `updateConfig` while Redis was down: replaced on Redis at recovery. */
  private readonly dirty = new Set<SharedHeaderField>();
  /** Shared texts already reported as differing from an explicit local value (one line each). */
  private readonly reported = new Map<SharedHeaderField, string>();
  /** The rendered set (one entry: it does not depend on the request) and when it was made. */
  private rendered: { readonly headers: Readonly<Record<string, string>>; readonly at: number } | null = null;
  private subscription: RedisSubscription | null = null;
  private lastSyncAt = Number.NEGATIVE_INFINITY;
  private closed = false;
  /** Identifies this manager's own announcements, which it ignores. */
  private readonly sender = randomBytes(8).toString('hex');

  /** Validates `config` (throws `GuardConfigError`) and renders the local settings; memory only until {@link initializeRedis}. */
  constructor(config: SecurityConfigInput | SecurityConfig = {}, options: SecurityHeadersManagerOptions = {}) {
    this.config = parseSecurityConfig(config);
    this.logger = this.config.logger;
    this.now = options.now ?? (() => performance.now());
    this.failover = new RedisFailover({
      name: 'security headers',
      logger: this.logger,
      failOpen: this.config.redisFailOpen,
      retryAfterMs: this.config.redisRetryAfterMs,
      now: this.now,
    });
    const { settings, explicit } = applyHeaderConfig(DEFAULT_HEADER_SETTINGS, this.config.securityHeaders);
    this.local = settings;
    for (const field of explicit) this.explicit.add(field);
    this.warnUnsafeCsp(settings);
    this.failover.onRecover((redis) => this.recover(redis));
  }

  /** @inheritdoc */
  get mode(): StateMode {
    return this.failover.mode;
  }

  /**
   * Attaches Redis (or `null`), subscribes to change announcements, writes this replica's
   * explicit shared settings (as the original writes its configuration at start-up) and adopts
   * the shared value of every field that is not explicit here. Never throws because Redis is down.
   */
  async initializeRedis(handler: RedisHandlerProtocol | null): Promise<void> {
    // Attached before the first await: a close() that comes while this runs wins.
    this.closed = false;
    this.failover.attach(handler);
    await this.closeSubscription();
    await this.failover.run(async (redis) => {
      await this.ensureSubscription(redis);
      const synced = await this.syncShared(redis, 'write');
      // Replicas without an explicit setting adopt what this one just wrote on their next call.
      if (synced !== null && SHARED_HEADER_FIELDS.some((f) => this.explicit.has(f))) {
        await redis.publish(HEADERS_CHANNEL, this.sender);
      }
      return synced;
    });
  }

  /**
   * The security headers to add to a response (a frozen object; empty when disabled). Rendered
   * once and reused until the configuration changes (or for at most 300 s).
   */
  async getHeaders(): Promise<Readonly<Record<string, string>>> {
    await this.refreshIfDue();
    const at = this.now();
    if (this.rendered !== null && at - this.rendered.at < RENDERED_HEADERS_TTL_MS) return this.rendered.headers;
    const headers = renderHeaders(this.effective());
    this.rendered = { headers, at };
    return headers;
  }

  /** The settings in effect on this replica (local explicit fields, else shared, else defaults). */
  async getConfig(): Promise<HeaderSettings> {
    await this.refreshIfDue();
    return this.effective();
  }

  /**
   * Changes settings at run time. Fields given become explicit here; shared fields are written to
   * Redis (a `null` or empty value deletes the shared key) and announced on `headers_events`, so
   * every replica without an explicit setting of its own adopts them on its next call. Throws
   * {@link GuardConfigError} (fields named `securityHeaders.…`) and changes nothing when invalid.
   */
  async updateConfig(partial: SecurityHeadersInput): Promise<void> {
    const parsed = securityHeadersSchema.safeParse(partial);
    if (!parsed.success) {
      throw new GuardConfigError(
        parsed.error.issues.map((issue) => ({
          field: ['securityHeaders', ...issue.path.map(String)].join('.'),
          message: issue.message,
        })),
      );
    }
    const { settings, explicit } = applyHeaderConfig(this.local, parsed.data);
    this.local = settings;
    for (const field of explicit) this.explicit.add(field);
    this.warnUnsafeCsp(settings);
    this.rendered = null;
    const changed = SHARED_HEADER_FIELDS.filter((f) => explicit.has(f));
    if (changed.length === 0) return;
    const result = await this.failover.run(async (redis) => {
      for (const field of changed) await this.writeField(redis, field, 'replace');
      await redis.publish(HEADERS_CHANNEL, this.sender);
      return true;
    });
    if (result.source === 'memory') for (const field of changed) this.dirty.add(field);
  }

  /** @inheritdoc */
  async probe(): Promise<boolean> {
    return this.failover.probe((redis) => redis.exists(HEADERS_NAMESPACE, HEADER_KEYS.hsts));
  }

  /** @inheritdoc */
  async close(): Promise<void> {
    this.closed = true;
    this.failover.attach(null); // from now on: memory only, no Redis traffic
    await this.closeSubscription();
  }

  private effective(): HeaderSettings {
    const merged: { -readonly [K in keyof HeaderSettings]: HeaderSettings[K] } = { ...this.local };
    for (const field of SHARED_HEADER_FIELDS) {
      if (this.explicit.has(field)) continue;
      const shared = this.shared[field];
      if (field === 'csp') merged.csp = (shared as HeaderSettings['csp'] | undefined) ?? DEFAULT_HEADER_SETTINGS.csp;
      else if (field === 'hsts')
        merged.hsts = (shared as HeaderSettings['hsts'] | undefined) ?? DEFAULT_HEADER_SETTINGS.hsts;
      else merged.custom = (shared as HeaderSettings['custom'] | undefined) ?? DEFAULT_HEADER_SETTINGS.custom;
    }
    return Object.freeze(merged);
  }

  /** On the first success after an outage: resubscribe, write back the explicit settings, re-read. */
  private async recover(redis: RedisHandlerProtocol): Promise<void> {
    await this.ensureSubscription(redis);
    const dirty = [...this.dirty];
    for (const field of dirty) await this.writeField(redis, field, 'replace');
    if (dirty.length > 0) await redis.publish(HEADERS_CHANNEL, this.sender);
    for (const field of dirty) this.dirty.delete(field);
    await this.syncShared(redis, 'write');
  }

  /** Re-reads the shared fields when another replica announced a change, or the sync interval passed. */
  private async refreshIfDue(): Promise<void> {
    if (this.failover.mode === 'disabled') return;
    let due =
      this.failover.mode === 'memory' || this.now() - this.lastSyncAt >= this.config.securityHeadersSyncIntervalMs;
    if (this.subscription !== null) {
      const batch = await this.subscription.drain();
      if (batch.gap || batch.messages.some((m) => m !== this.sender)) due = true;
    }
    if (due) await this.failover.run((redis) => this.syncShared(redis, 'fill'));
  }

  /**
   * One round trip per shared field (the original's three keys hash to different cluster slots):
   * explicit fields are written with `mode`, then every field is reconciled with what Redis holds.
   */
  private async syncShared(redis: RedisHandlerProtocol, mode: HeaderWriteMode): Promise<true | null> {
    for (const field of SHARED_HEADER_FIELDS) {
      const writeMode = this.explicit.has(field) ? mode : 'fill';
      const text = await this.writeField(redis, field, writeMode, !this.explicit.has(field));
      if (text === null) return null; // Redis disabled
      this.reconcile(field, text);
    }
    this.lastSyncAt = this.now();
    return true;
  }

  /** Runs the sync script for one field; the shared text after it (`undefined` when absent), or `null` when Redis is disabled. */
  private async writeField(
    redis: RedisHandlerProtocol,
    field: SharedHeaderField,
    mode: HeaderWriteMode,
    readOnly = false,
  ): Promise<string | undefined | null> {
    const value = readOnly ? '' : encodeSharedHeader(field, this.local);
    const reply = await redis.runScript(
      HEADER_SYNC,
      HEADERS_NAMESPACE,
      [HEADER_KEYS[field]],
      [value, HEADERS_TTL_SECONDS, readOnly ? 'fill' : mode],
    );
    if (reply === null) return null;
    const first = Array.isArray(reply) ? (reply as readonly unknown[])[0] : undefined;
    return typeof first === 'string' ? first : undefined;
  }

  /** Applies the precedence rule to one field's shared text. */
  private reconcile(field: SharedHeaderField, text: string | undefined): void {
    let value: HeaderSettings[SharedHeaderField] | undefined;
    if (text !== undefined) {
      const decoded = decodeSharedHeader(field, text);
      if (decoded.ok) value = decoded[field];
      else this.reportOnce(field, text, `security headers: ignoring an invalid shared ${field} (${decoded.reason})`);
    }
    if (this.explicit.has(field)) {
      if (this.dirty.has(field)) return; // changed here during an outage: about to replace the shared value
      const mine = encodeSharedHeader(field, this.local);
      if (text !== undefined && value !== undefined && text !== mine) {
        this.reportOnce(
          field,
          text,
          `security headers: the shared ${field} on Redis differs from this replica's explicit configuration; keeping the local one`,
        );
      }
      return;
    }
    const before = this.shared[field];
    if (value === undefined) delete this.shared[field];
    else (this.shared as Record<SharedHeaderField, unknown>)[field] = value;
    if (JSON.stringify(before) !== JSON.stringify(value)) {
      this.rendered = null;
      if (value !== undefined) this.logger.info(`security headers: adopted the shared ${field} from Redis`);
    }
  }

  private reportOnce(field: SharedHeaderField, text: string, message: string): void {
    if (this.reported.get(field) === text) return;
    this.reported.set(field, text);
    this.logger.warn(message);
  }

  private warnUnsafeCsp(settings: HeaderSettings): void {
    for (const [directive, sources] of Object.entries(settings.csp ?? {})) {
      if (sources.includes("'unsafe-inline'") || sources.includes("'unsafe-eval'")) {
        this.logger.warn(`security headers: CSP directive '${directive}' allows unsafe sources`);
      }
    }
  }

  private async ensureSubscription(redis: RedisHandlerProtocol): Promise<void> {
    if (this.subscription !== null || this.closed) return;
    const subscription = await redis.subscribe(HEADERS_CHANNEL);
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
