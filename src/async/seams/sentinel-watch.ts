/**
 * Following a Sentinel failover without losing acknowledged writes.
 *
 * `SENTINEL FAILOVER` (and a failover after the master was seen down) promotes the replica first
 * and tells clients afterwards: the sentinels publish `+switch-master` only once the promotion is
 * confirmed, about a second later, and the old master keeps accepting writes until the sentinels
 * demote it, seconds after that. A client that follows only `+switch-master` (ioredis'
 * `failoverDetector`) keeps writing to the old master in between, and every write it gets an OK
 * for there is dropped when the old master resyncs from the new one (measured: 284 acknowledged
 * writes in 1.3 s on loopback).
 *
 * So the connection watches every sentinel's `+try-failover`, published before the replica is
 * chosen and promoted, and from then on refuses operations at once (`GuardRedisError` 503) until
 * the client is connected to the master `+switch-master` named. The hold also ends when the
 * failover is aborted, and after {@link SENTINEL_HOLD_MAX_MS} in any case (a lost event must not
 * stop the client for good). A switch seen without `+try-failover` (a sentinel we were not
 * subscribed to ran it) still moves the client: it reconnects through the sentinels.
 */
import { isIP } from 'node:net';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';
import {
  readSentinelEvent,
  sentinelAddresses,
  SENTINEL_FAILOVER_CHANNELS,
  type SentinelAddress,
} from '../../core/redis/sentinel.js';
import type { RedisSentinelOptions } from '../../core/redis-types.js';

/**
 * Longest time operations are refused for one failover, in milliseconds. A coordinated failover
 * on a healthy deployment switches in one to three seconds; the bound only matters when an event
 * was lost (a sentinel connection dropped at the wrong moment).
 */
export const SENTINEL_HOLD_MAX_MS = 10_000;

/** Longest pause between reconnects of a watcher's sentinel connection. */
const MAX_WATCH_RECONNECT_DELAY_MS = 1000;

/** Settings of a {@link SentinelFailoverWatch}. */
export interface SentinelWatchSettings {
  /** The sentinels (all of them are watched) and the master group followed. */
  readonly sentinel: RedisSentinelOptions;
  /** Bound on each connect to a sentinel, in milliseconds. */
  readonly connectTimeoutMs: number;
  /** TLS options for the sentinel connections (rediss:// sentinels), or null for plain TCP. */
  readonly tls: TlsConnectionOptions | null;
}

/** Watches the sentinels of one master group for one data client. */
export class SentinelFailoverWatch {
  private readonly subscribers: Redis[] = [];
  /** Sentinels (by index) whose failover attempt is in progress. */
  private readonly trying = new Set<number>();
  /** The master `+switch-master` named, until the client is connected to it. */
  private target: SentinelAddress | null = null;
  private holdTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly onReady = (): void => this.clientReady();

  constructor(
    private readonly client: Redis,
    private readonly settings: SentinelWatchSettings,
  ) {
    const { sentinel } = settings;
    sentinelAddresses(sentinel.sentinels).forEach((address, index) => {
      const subscriber = new Redis({
        host: address.host,
        port: address.port,
        ...(sentinel.username !== null ? { username: sentinel.username } : {}),
        ...(sentinel.password !== null ? { password: sentinel.password } : {}),
        ...(settings.tls !== null ? { tls: settings.tls } : {}),
        connectTimeout: settings.connectTimeoutMs,
        enableReadyCheck: false,
        disableClientInfo: true,
        // SUBSCRIBE waits in the queue for a sentinel that is down, and is sent again after each
        // reconnect (autoResubscribe): a sentinel that comes back is watched again.
        maxRetriesPerRequest: null,
        retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, MAX_WATCH_RECONNECT_DELAY_MS),
      });
      subscriber.on('error', () => undefined); // a sentinel down is not our caller's error
      subscriber.on('message', (channel: string, message: string) => this.onEvent(index, channel, message));
      subscriber.subscribe(...SENTINEL_FAILOVER_CHANNELS).catch(() => undefined);
      this.subscribers.push(subscriber);
    });
    client.on('ready', this.onReady);
  }

  /** True while operations must not reach the data client (a failover is under way). */
  get holding(): boolean {
    return this.holdTimer !== null;
  }

  /** Closes the sentinel connections and ends any hold. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.endHold();
    this.client.off('ready', this.onReady);
    for (const subscriber of this.subscribers) subscriber.disconnect();
    this.subscribers.length = 0;
  }

  private onEvent(index: number, channel: string, message: string): void {
    if (this.closed) return;
    const event = readSentinelEvent(channel, message, this.settings.sentinel.masterName);
    if (event === null) return;
    if (event.kind === 'try-failover') {
      this.trying.add(index);
      this.startHold();
    } else if (event.kind === 'abort') {
      this.trying.delete(index);
      if (this.trying.size === 0 && this.target === null) this.endHold();
    } else {
      this.trying.clear();
      if (this.connectedTo(event)) {
        // Already there (every sentinel announces the switch; the first one moved us).
        if (this.target === null) this.endHold();
        return;
      }
      this.target = { host: event.host, port: event.port };
      this.startHold();
      // A client that is connecting resolves the master through the sentinels anyway.
      if (this.client.status === 'ready') this.client.disconnect(true);
    }
  }

  /** The client (re)connected: release the hold once it reached the announced master. */
  private clientReady(): void {
    if (this.closed || this.target === null) return;
    if (this.connectedTo(this.target)) {
      this.endHold();
      return;
    }
    // A sentinel that has not heard of the switch yet named the old master: ask again.
    if (this.holding) this.client.disconnect(true);
  }

  private startHold(): void {
    if (this.holdTimer !== null) return;
    this.holdTimer = setTimeout(() => this.endHold(), SENTINEL_HOLD_MAX_MS);
    this.holdTimer.unref();
  }

  private endHold(): void {
    if (this.holdTimer !== null) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    this.target = null;
    this.trying.clear();
  }

  /** Whether the client's socket is connected to `address` (by port, and by IP when it is one). */
  private connectedTo(address: SentinelAddress): boolean {
    if (this.client.status !== 'ready') return false;
    const stream = this.client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
    if (stream?.remotePort !== address.port) return false;
    if (isIP(address.host) === 0) return true; // a host name: the port is what can be compared
    return unmapped(stream.remoteAddress ?? '') === unmapped(address.host);
  }
}

function unmapped(ip: string): string {
  return ip.toLowerCase().replace(/^::ffff:/, '');
}
