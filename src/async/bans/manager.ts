/**
 * IPBanManager: exact-address and network (CIDR) bans kept in Redis with the Python original's
 * keys and bytes, mirrored locally so that a check costs no Redis round trip, and kept in process
 * memory (with their real expiry) while Redis is off or down.
 *
 * How replicas agree (see the README section "IP bans"):
 * - every ban/unban/reset made here writes Redis and PUBLISHes an event on `ban_events` in the
 *   same script; every manager holds a subscription and drains it at the start of each check
 *   (a local buffer, not a round trip), so a change made on one replica is applied by the others
 *   at their next check once the message has arrived (sub-millisecond on a LAN);
 * - writers that publish nothing (a Python replica, redis-cli) are caught by a periodic full
 *   resync (SCAN + one read script per page): started in the background when the mirror is older
 *   than `ipBanSyncIntervalMs`, done inline when it is older than twice that — so every check
 *   answers from a snapshot taken less than 2 × `ipBanSyncIntervalMs` before it started;
 * - a gap in the event stream (reconnect, overflow) forces a resync; while the subscriber is not
 *   live the mirror is treated as stale after {@link UNSUBSCRIBED_STALE_MS} instead;
 * - when more exact bans exist than the local bound holds, a local miss asks Redis (one GET).
 */
import { GuardInputError, GuardRedisError } from '../../core/errors.js';
import { parseSecurityConfig, type SecurityConfig, type SecurityConfigInput } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import { decodeBanEvent, encodeBanEvent, type BanEvent } from '../../core/bans/events.js';
import { LocalBans, type BanEntry } from '../../core/bans/local-bans.js';
import { BAN_EVENTS_CHANNEL, BANNED_IPS_NAMESPACE, BANNED_NETWORKS_NAMESPACE } from '../../core/bans/scripts.js';
import {
  LOOPBACK_NETWORKS,
  networksOf,
  networksOverlap,
  parseBanAddress,
  parseBanTarget,
  PRIVATE_NETWORKS,
  type BanNetwork,
  type BanTarget,
} from '../../core/bans/target.js';
import { formatIp } from '../../core/cloud/ip.js';
import { SUBSYSTEM_EVENTS_CHANNEL, Telemetry, type AgentHandler } from '../../core/telemetry.js';
import { describe, errorText, MAX_TTL_SECONDS } from '../../core/validate.js';
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';
import type { RedisSubscription } from '../seams/redis.js';
import { runInBackground } from '../support/background.js';
import { RedisFailover, type FailoverResult, type StateMode } from '../support/redis-failover.js';
import { SingleFlight } from '../support/single-flight.js';
import type { SubsystemManager } from '../support/subsystem.js';
import {
  applyBanWrites,
  migrateNonCanonicalKeys,
  readAllBans,
  readExactBan,
  type BanSnapshot,
  type BanWrite,
} from './redis-bans.js';

/** While the event subscriber is not live, the mirror counts as stale after this long (ms). */
export const UNSUBSCRIBED_STALE_MS = 100;

/** Messages the event subscription buffers between two checks before it reports a gap. */
const EVENT_BUFFER = 10_000;

/** Optional collaborators of an {@link IPBanManager}. */
export interface IPBanManagerOptions {
  /** Wall clock, epoch milliseconds (ban expiries); defaults to `Date.now`. */
  readonly now?: () => number;
  /** Monotonic clock in milliseconds (mirror age); defaults to `performance.now`. */
  readonly monotonicNow?: () => number;
}

/** A change decided while Redis was down, to write back when it returns (the last one per target wins). */
type PendingChange =
  { readonly op: 'ban'; readonly entry: BanEntry } | { readonly op: 'unban'; readonly kind: 'ip' | 'network' };

/** Write-back rounds after an outage before changes still arriving are left local (a guard, never reached in practice). */
const WRITE_BACK_ROUNDS = 100;

/** Exact and network bans with Redis state, a local mirror and an in-memory fallback. */
export class IPBanManager implements SubsystemManager {
  /** Name in status reports and log lines. */
  readonly subsystem = 'IP bans';
  /** The validated configuration. */
  readonly config: SecurityConfig;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly clock: () => number;
  private readonly failover: RedisFailover;
  private readonly origin = globalThis.crypto.randomUUID();
  private readonly refused: readonly BanNetwork[];
  private local: LocalBans;
  /** Changes made while Redis was down, written back on recovery. */
  private pending: Map<string, PendingChange> = new Map();
  private pendingReset = false;
  /** Non-canonical key names of current bans, from the last full read (see `BanSnapshot.aliases`). */
  private aliases: ReadonlyMap<string, readonly string[]> = new Map();
  private subscription: RedisSubscription | null = null;
  private readonly resyncFlight = new SingleFlight<readonly BanEntry[] | null>();
  /** Monotonic time the last successful resync started; `-Infinity` before the first. */
  private syncedAt = -Infinity;
  /** Bumped by every gap in the event stream; a resync that started before the last gap leaves the mirror stale. */
  private gaps = 0;
  private syncedGaps = -1;
  /** Targets changed locally while a resync is in flight: their local state beats the snapshot. */
  private touched: Set<string> | null = null;
  /** A reset (or too many changes) happened during the resync in flight: its snapshot is discarded. */
  private discardSnapshot = false;
  private backgroundQueued = false;
  /** Monotonic time the subscriber was last seen live. */
  private subscriberLiveAt = 0;
  /** How long a subscriber may stay disconnected (while Redis answers) before it is replaced. */
  private readonly subscriberPatienceMs: number;
  private closed = false;
  /** The agent and the `guard-core:subsystem` channel (README, "Telemetry"). */
  private readonly telemetry: Telemetry;

  /** Validates `config` (throws `GuardConfigError`); attaches no Redis until {@link initializeRedis}. */
  constructor(config: SecurityConfigInput | SecurityConfig = {}, options: IPBanManagerOptions = {}) {
    this.config = parseSecurityConfig(config);
    this.logger = this.config.logger;
    this.now = options.now ?? (() => Date.now());
    this.clock = options.monotonicNow ?? (() => performance.now());
    this.local = new LocalBans(this.config.inMemoryMaxKeys);
    this.subscriberPatienceMs = Math.max(5 * this.config.ipBanSyncIntervalMs, 2000);
    this.refused = [...LOOPBACK_NETWORKS, ...networksOf(this.config.trustedProxies)];
    this.failover = new RedisFailover({
      name: this.subsystem,
      logger: this.logger,
      failOpen: this.config.redisFailOpen,
      retryAfterMs: this.config.redisRetryAfterMs,
      now: this.clock,
    });
    this.failover.onRecover((redis) => this.writeBack(redis));
    this.telemetry = new Telemetry('ip_ban', SUBSYSTEM_EVENTS_CHANNEL, this.logger);
  }

  /**
   * Sets the agent that receives `ip_banned` / `ip_unbanned` events for the bans made or lifted
   * here (`null` removes it). The same events go to `diagnostics_channel` `guard-core:subsystem`
   * with or without an agent.
   */
  initializeAgent(agent: AgentHandler | null): void {
    this.telemetry.setAgent(agent);
  }

  /** Where bans live right now: `redis`, `memory` (Redis down) or `disabled` (no Redis). */
  get mode(): StateMode {
    return this.failover.mode;
  }

  /**
   * Attaches the Redis handler (or `null`: memory only), migrates non-canonical keys, subscribes
   * to ban events and loads the mirror. Never throws because Redis is down: the manager then
   * starts in memory and returns to Redis by itself.
   */
  async initializeRedis(handler: RedisHandlerProtocol | null): Promise<void> {
    // Attached before the first await: a close() that comes while this runs wins.
    this.closed = false;
    this.failover.attach(handler);
    await this.closeSubscription();
    this.syncedAt = -Infinity;
    if (handler === null || !handler.config.enableRedis) return;
    try {
      const report = await this.failover.run((redis) => migrateNonCanonicalKeys(redis, this.now()));
      if (report.source === 'redis' && report.value.migrated + report.value.expired > 0) {
        this.logger.info(
          `IP bans: migrated ${report.value.migrated} non-canonical ban keys, deleted ${report.value.expired} expired ones`,
        );
      }
      await this.resyncFlight.run(() => this.resync());
    } catch (error) {
      if (!(error instanceof GuardRedisError)) throw error; // fail-closed mode: Redis is down, stay in memory
    }
  }

  /** Checks Redis now (ignoring the retry pause); on success writes back what was decided in memory and resyncs. */
  async probe(): Promise<boolean> {
    if (this.closed) return false;
    const up = await this.failover.probe((redis) => redis.exists(BANNED_IPS_NAMESPACE, '__probe__'));
    if (up) await this.resyncFlight.run(() => this.resync());
    return up;
  }

  /** Stops the event subscription and background resyncs; the manager keeps answering from memory. */
  async close(): Promise<void> {
    this.closed = true;
    await this.closeSubscription();
    this.failover.attach(null);
  }

  /**
   * Bans an address or a network (CIDR text; host bits are masked, as the original's
   * `ip_network(x, strict=False)` does) for `durationSeconds` from now. Returns false, with a
   * warning, when the target overlaps loopback or a configured trusted proxy (nothing is
   * stored), or when a new network ban would exceed the local bound. Throws `GuardInputError`
   * for an invalid target, duration or reason; in fail-closed mode `GuardRedisError` 503 while
   * Redis is down.
   */
  async banIp(ip: string, durationSeconds: number, reason?: string): Promise<boolean> {
    const target = requireTarget(ip);
    if (typeof durationSeconds !== 'number' || !Number.isFinite(durationSeconds) || durationSeconds <= 0) {
      throw new GuardInputError(
        'durationSeconds',
        `expected a finite number above 0, got ${describe(durationSeconds)}`,
      );
    }
    if (durationSeconds > MAX_TTL_SECONDS) {
      throw new GuardInputError('durationSeconds', `must be at most ${MAX_TTL_SECONDS} seconds`);
    }
    if (reason !== undefined && typeof reason !== 'string') {
      throw new GuardInputError('reason', `expected a string, got ${describe(reason)}`);
    }
    if (this.refused.some((n) => networksOverlap(n, target))) {
      this.logger.warn(`IP bans: refused to ban ${target.key}: it covers loopback or a trusted proxy`);
      return false;
    }
    if (target.kind === 'network' && !this.local.canHoldNetwork(target.key)) {
      this.logger.warn(
        `IP bans: refused to ban ${target.key}: ${this.local.capacity} network bans are held already (inMemoryMaxKeys)`,
      );
      return false;
    }
    if (PRIVATE_NETWORKS.some((n) => networksOverlap(n, target))) {
      this.logger.warn(
        `IP bans: banning ${target.key}, a private or link-local target (a proxy not listed in trustedProxies?)`,
      );
    }
    const nowMs = this.now();
    const ttlMs = Math.ceil(durationSeconds * 1000);
    const entry: BanEntry = {
      target: target.key,
      kind: target.kind,
      expiresAt: nowMs / 1000 + durationSeconds,
      ...(reason !== undefined ? { reason } : {}),
    };
    const event: BanEvent = {
      op: 'ban',
      target: entry.target,
      expiresAt: entry.expiresAt,
      origin: this.origin,
      ...(reason !== undefined ? { reason } : {}),
    };
    this.pending.delete(target.key); // this write supersedes a change still waiting for Redis
    const write: BanWrite = {
      op: 'ban',
      kind: target.kind,
      target: target.key,
      expiresAt: entry.expiresAt,
      ttlMs,
      event: encodeBanEvent(event),
    };
    const result = await this.failover.run((redis) => applyBanWrites(redis, [write], this.channelOf(redis)));
    this.local.set(entry, target);
    this.touch(target.key);
    if (result.source === 'memory') this.remember(target.key, { op: 'ban', entry });
    this.logger.info(`IP bans: banned ${target.key} for ${durationSeconds} s${reason ? ` (${reason})` : ''}`);
    this.telemetry.emit({
      event_type: 'ip_banned',
      action_taken: 'banned',
      reason: reason ?? `banned for ${durationSeconds} s`,
      ip_address: target.key,
      metadata: { duration: durationSeconds, kind: target.kind, source: result.source },
    });
    return true;
  }

  /**
   * Whether `ip` (an address) is banned, by an exact or a network ban. No Redis round trip in the
   * common case (see the module notes). Throws `GuardInputError` for something that is not an
   * address; in fail-closed mode `GuardRedisError` 503 while Redis is down.
   */
  async isIpBanned(ip: string): Promise<boolean> {
    const address = parseBanAddress(ip);
    if (address === null) throw new GuardInputError('ip', `expected an IPv4 or IPv6 address, got ${describe(ip)}`);
    await this.refreshMirror();
    const key = formatIp(address);
    const nowMs = this.now();
    const nowSeconds = nowMs / 1000;
    const exact = this.local.get(key);
    if (exact !== undefined) {
      if (exact.expiresAt >= nowSeconds) return true;
      this.local.delete(key);
    }
    const network = this.local.findNetwork(address.family, [address.w0, address.w1, address.w2, address.w3]);
    if (network !== undefined) {
      if (network.expiresAt >= nowSeconds) return true;
      this.local.delete(network.target);
      return this.isIpBanned(ip); // a shorter, still-running network ban may cover it too
    }
    if (this.local.complete || this.failover.mode !== 'redis') return false;
    // The mirror could not hold every exact ban: a local miss proves nothing, ask Redis.
    const stored = await this.failover.run((redis) => readExactBan(redis, key, nowMs));
    if (stored.source === 'memory' || stored.value === null) return false;
    this.local.set({ target: key, kind: 'ip', expiresAt: stored.value });
    return true;
  }

  /**
   * Lifts the ban of an address or network (as given to {@link banIp}). True when a ban was held
   * here or stored in Redis. Other replicas stop enforcing it at their next check.
   */
  async unbanIp(ip: string): Promise<boolean> {
    const target = requireTarget(ip);
    const heldLocally = this.local.delete(target.key);
    this.touch(target.key);
    this.pending.delete(target.key);
    const writes = this.unbanWrites(target.key, target.kind);
    const result = await this.failover.run((redis) => applyBanWrites(redis, writes, this.channelOf(redis)));
    if (result.source === 'memory') this.remember(target.key, { op: 'unban', kind: target.kind });
    this.logger.info(`IP bans: unbanned ${target.key}`);
    const lifted = heldLocally || (result.source === 'redis' && result.value > 0);
    if (lifted) {
      this.telemetry.emit({
        event_type: 'ip_unbanned',
        action_taken: 'unbanned',
        reason: 'ban lifted',
        ip_address: target.key,
        metadata: { kind: target.kind, source: result.source },
      });
    }
    return lifted;
  }

  /**
   * Removes every ban under this Redis prefix, exact and network (SCAN + UNLINK), and every ban
   * held here; other replicas clear their mirror at their next check.
   */
  async reset(): Promise<void> {
    const result = await this.failover.run(async (redis) => {
      await redis.deletePattern(`${BANNED_IPS_NAMESPACE}:*`);
      await redis.deletePattern(`${BANNED_NETWORKS_NAMESPACE}:*`);
      return redis.publish(BAN_EVENTS_CHANNEL, encodeBanEvent({ op: 'reset', origin: this.origin }));
    });
    this.local.clear();
    this.pending = new Map();
    if (this.touched !== null) this.discardSnapshot = true;
    if (result.source === 'memory' && this.failover.mode === 'memory') this.pendingReset = true;
  }

  /**
   * Every current ban: read from Redis (a full resync) when it is up, else what is held here.
   * Bans read from Redis carry a reason only when this replica or an event told it.
   */
  async listBans(): Promise<BanEntry[]> {
    const fresh = await this.resyncFlight.run(() => this.resync());
    const nowSeconds = this.now() / 1000;
    const source = fresh ?? this.local.entries(nowSeconds);
    return source.filter((e) => e.expiresAt >= nowSeconds);
  }

  /** Applies pending events and decides whether the mirror must be reloaded, in the background or now. */
  private async refreshMirror(): Promise<void> {
    if (this.closed || this.failover.mode === 'disabled') return;
    let live = false;
    const subscription = this.subscription;
    if (subscription !== null) {
      const batch = await subscription.drain();
      this.applyEvents(batch.messages);
      if (batch.gap) this.gaps++;
      live = batch.live;
      if (live) this.subscriberLiveAt = this.clock();
    }
    const checkedAt = this.clock();
    const age = checkedAt - this.syncedAt;
    const interval = this.config.ipBanSyncIntervalMs;
    const due = this.syncedGaps !== this.gaps || age > (live ? interval : Math.min(interval, UNSUBSCRIBED_STALE_MS));
    const mode = this.failover.mode;
    const failClosed = !this.config.redisFailOpen;
    const inline =
      (mode === 'redis' && age > 2 * interval) || (failClosed && mode === 'memory') || (failClosed && due && !live);
    if (inline) {
      await this.resyncFlight.run(() => this.resync());
      // Joining a resync that started before this check's bound does not honour it: read again.
      if (this.failover.mode === 'redis' && checkedAt - this.syncedAt > 2 * interval) {
        await this.resyncFlight.run(() => this.resync());
      }
    } else if (due && !this.backgroundQueued) {
      this.backgroundQueued = true; // one queued resync at a time, however many checks find the mirror stale
      runInBackground(
        async () => {
          this.backgroundQueued = false;
          await this.resyncFlight.run(() => this.resync());
        },
        (error) => this.logger.error(`IP bans: background resync failed: ${errorText(error)}`),
      );
    }
  }

  /**
   * Reloads the mirror from Redis (subscribing first when there is no subscription, so nothing
   * published after the read is missed). Returns the bans installed, or `null` when Redis is
   * off or down (local state is kept).
   */
  private async resync(): Promise<readonly BanEntry[] | null> {
    if (this.closed) return null;
    const started = this.clock();
    const gapsAtStart = this.gaps;
    this.touched = new Set();
    this.discardSnapshot = false;
    let touched: ReadonlySet<string>;
    let result: FailoverResult<BanSnapshot>;
    try {
      result = await this.failover.run(async (redis) => {
        // A subscriber that has not been live for long while Redis answers is replaced (ioredis
        // reconnects it by itself; this covers a subscriber that never comes back).
        if (this.subscription !== null && this.clock() - this.subscriberLiveAt > this.subscriberPatienceMs) {
          await this.closeSubscription();
        }
        if (this.subscription === null) await this.openSubscription(redis);
        return readAllBans(redis, this.now());
      });
    } finally {
      touched = this.touched ?? new Set<string>();
      this.touched = null;
    }
    if (result.source === 'memory') return null;
    if (this.discardSnapshot) {
      this.gaps++; // read again at the next check
      return this.local.entries(this.now() / 1000);
    }
    const snapshot = result.value;
    this.install(snapshot, touched);
    this.syncedAt = started;
    this.syncedGaps = gapsAtStart;
    if (snapshot.skipped > 0) this.logger.debug(`IP bans: ${snapshot.skipped} unreadable ban keys skipped`);
    return snapshot.entries.length > this.local.capacity ? snapshot.entries : this.local.entries(this.now() / 1000);
  }

  /**
   * The writes that lift the ban of `target`: its canonical key, with the event, and any other
   * name the last full read found it stored under (no event: one announcement is enough).
   */
  private unbanWrites(target: string, kind: 'ip' | 'network'): BanWrite[] {
    const event = encodeBanEvent({ op: 'unban', target, origin: this.origin });
    const writes: BanWrite[] = [{ op: 'unban', kind, target, event }];
    for (const name of this.aliases.get(target) ?? []) writes.push({ op: 'unban', kind, target: name, event: '' });
    return writes;
  }

  /** Replaces the mirror with `snapshot`, except for targets changed here while it was read. */
  private install(snapshot: BanSnapshot, touched: ReadonlySet<string>): void {
    // Bounded like the mirror: aliases come from other writers and are rare.
    this.aliases =
      snapshot.aliases.size <= this.local.capacity
        ? snapshot.aliases
        : new Map([...snapshot.aliases].slice(0, this.local.capacity));
    const previous = this.local;
    const next = new LocalBans(previous.capacity);
    let exactCount = 0;
    let networksDropped = 0;
    for (const entry of snapshot.entries) {
      if (touched.has(entry.target)) continue;
      const reason = previous.get(entry.target)?.reason;
      const kept = reason !== undefined ? { ...entry, reason } : entry;
      if (entry.kind === 'ip') exactCount++;
      if (!next.set(kept, entry.kind === 'network' ? (parseBanTarget(entry.target) ?? undefined) : undefined)) {
        networksDropped++;
      }
    }
    for (const target of touched) {
      const entry = previous.get(target);
      if (entry !== undefined)
        next.set(entry, entry.kind === 'network' ? (parseBanTarget(target) ?? undefined) : undefined);
    }
    if (exactCount > next.capacity) next.markIncomplete();
    if (networksDropped > 0) {
      this.logger.warn(
        `IP bans: Redis holds more network bans than the local bound (${next.capacity}); ${networksDropped} are not enforced here`,
      );
    }
    this.local = next;
  }

  /** Applies events from other replicas (ours were applied when made). */
  private applyEvents(messages: readonly string[]): void {
    for (const message of messages) {
      const event = decodeBanEvent(message);
      if (event === null || event.origin === this.origin) continue;
      if (event.op === 'reset') {
        this.local.clear();
        if (this.touched !== null) this.discardSnapshot = true;
        continue;
      }
      const target = parseBanTarget(event.target);
      if (target === null) continue;
      this.touch(target.key);
      if (event.op === 'unban') {
        this.local.delete(target.key);
        continue;
      }
      const entry: BanEntry = {
        target: target.key,
        kind: target.kind,
        expiresAt: event.expiresAt,
        ...(event.reason !== undefined ? { reason: event.reason } : {}),
      };
      if (!this.local.set(entry, target)) {
        this.logger.warn(
          `IP bans: network ban ${target.key} from another replica not enforced here: local bound reached`,
        );
      }
    }
  }

  /** Records that `target` changed while a resync may be in flight. */
  private touch(target: string): void {
    const touched = this.touched;
    if (touched === null) return;
    touched.add(target);
    // Bounded: past the local bound the snapshot is simply thrown away and read again.
    if (touched.size > this.local.capacity) this.discardSnapshot = true;
  }

  /** Keeps a change made while Redis is down, for {@link writeBack}. Bounded like every local structure. */
  private remember(target: string, change: PendingChange): void {
    if (this.failover.mode !== 'memory') return; // no Redis at all: nothing to write back
    if (!this.pending.has(target) && this.pending.size >= this.local.capacity) {
      this.logger.warn(
        `IP bans: more than ${this.local.capacity} changes made during the outage; ${target} stays local`,
      );
      return;
    }
    this.pending.delete(target); // re-insert: Map order is the order changes are written back
    this.pending.set(target, change);
  }

  /**
   * The recovery hook: writes back (in one script per namespace and batch) what was decided while
   * Redis was down — bans with their remaining time (ended ones are dropped), unbans, a reset —
   * and publishes them. Runs before the call that found Redis back answers.
   */
  private async writeBack(redis: RedisHandlerProtocol): Promise<void> {
    // Redis counts as down until this hook returns, so a ban or unban made while a round is in
    // flight is answered from memory and remembered: the next round writes it. Each round takes
    // one round trip per batch, so the rounds end once such traffic pauses; the bound is a guard.
    for (let round = 0; this.pendingReset || this.pending.size > 0; round++) {
      if (round === WRITE_BACK_ROUNDS) {
        this.logger.warn(
          `IP bans: ${this.pending.size} outage changes still arriving after ${round} write-back rounds; they stay local`,
        );
        return;
      }
      await this.writeBackRound(redis);
    }
  }

  /** One write-back round: what is pending now; a change made meanwhile stays pending. */
  private async writeBackRound(redis: RedisHandlerProtocol): Promise<void> {
    const nowMs = this.now();
    const pendingAtStart = this.pending;
    const sent = [...pendingAtStart];
    const resetSent = this.pendingReset;
    if (resetSent) {
      if (this.touched !== null) this.discardSnapshot = true; // the resync in flight read the keys before this reset
      await redis.deletePattern(`${BANNED_IPS_NAMESPACE}:*`);
      await redis.deletePattern(`${BANNED_NETWORKS_NAMESPACE}:*`);
      await redis.publish(BAN_EVENTS_CHANNEL, encodeBanEvent({ op: 'reset', origin: this.origin }));
    }
    const writes: BanWrite[] = [];
    for (const [target, change] of sent) {
      this.touch(target);
      if (change.op === 'unban') {
        writes.push(...this.unbanWrites(target, change.kind));
        continue;
      }
      const { entry } = change;
      const ttlMs = Math.ceil(entry.expiresAt * 1000 - nowMs);
      if (ttlMs <= 0) continue; // ended during the outage
      const event = encodeBanEvent({
        op: 'ban',
        target,
        expiresAt: entry.expiresAt,
        origin: this.origin,
        ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
      });
      writes.push({ op: 'ban', kind: entry.kind, target, expiresAt: entry.expiresAt, ttlMs, event });
    }
    await applyBanWrites(redis, writes, this.channelOf(redis));
    // A reset made meanwhile replaced the map and is pending itself; otherwise forget exactly what
    // was sent (a target changed again meanwhile holds a new change object and stays).
    if (this.pending === pendingAtStart) {
      for (const [target, change] of sent) if (this.pending.get(target) === change) this.pending.delete(target);
      if (resetSent) this.pendingReset = false;
    }
    if (sent.length > 0)
      this.logger.info(`IP bans: wrote ${writes.length} of ${sent.length} outage changes back to Redis`);
  }

  private async openSubscription(redis: RedisHandlerProtocol): Promise<void> {
    const subscription = await redis.subscribe(BAN_EVENTS_CHANNEL, EVENT_BUFFER);
    if (subscription === null) return;
    if (this.closed) {
      await subscription.close();
      return;
    }
    await subscription.drain(); // its first batch reports the connect as a gap; the read that follows covers it
    this.subscription = subscription;
    this.subscriberLiveAt = this.clock();
  }

  private async closeSubscription(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = null;
    if (subscription !== null) await subscription.close();
  }

  private channelOf(redis: RedisHandlerProtocol): string {
    return redis.config.redisPrefix + BAN_EVENTS_CHANNEL;
  }
}

function requireTarget(ip: unknown): BanTarget {
  const target = typeof ip === 'string' ? parseBanTarget(ip) : null;
  if (target === null) {
    throw new GuardInputError('ip', `expected an IPv4/IPv6 address or CIDR network, got ${describe(ip)}`);
  }
  return target;
}
