/**
 * The generated sync API (`src/sync`) running through the bridge on the run's private Redis:
 * the basics of RedisManager and the stores, a 10 000-CIDR set (15), a stopped Redis, a replaced
 * worker, the HTTP twin, and closeSyncBridge(). The full foundation suite runs against the sync
 * API elsewhere; this file makes sure the bridge carries it.
 */
import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, test } from 'vitest';
import {
  closeSyncBridge,
  configureSyncBridge,
  GuardBridgeClosedError,
  GuardBridgeTimeoutError,
  GuardHttpError,
  GuardInputError,
  GuardRedisError,
  InMemoryCloudIpStore,
  RedisCloudIpStore,
  RedisManager,
  silentLogger,
} from '../../src/sync.js';
import { openBridgedRedisConnection } from '../../src/bridge/seams/redis.js';
import { bridgedHttpClient } from '../../src/bridge/seams/http.js';
import type { SyncChannel } from '../../src/bridge/channel/sync-channel.js';
import { startFeedServer } from '../support/feed-server.js';
import { startPrivateRedis } from '../support/redis-server.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { testChannel, thrownBy } from './support.js';

const raw = rawClient();
const prefixes: string[] = [];
afterAll(async () => {
  await deleteByPrefix(raw, ...prefixes);
  await raw.quit();
});

function manager(extra: Record<string, unknown> = {}): RedisManager {
  const prefix = uniquePrefix('sync');
  prefixes.push(prefix);
  return new RedisManager({ redisUrl: redisUrl(), redisPrefix: prefix, logger: silentLogger, ...extra });
}

describe('RedisManager and stores through the bridge', () => {
  test('key operations return plain values and write what the async API writes', async () => {
    const m = manager();
    const prefix = m.config.redisPrefix;
    m.initialize();
    expect(m.setKey('ns', 'k', 'v', 30)).toBe(true);
    expect(m.getKey('ns', 'k')).toBe('v');
    expect(m.getKey('ns', 'missing')).toBeNull();
    expect(m.incr('ns', 'c', 20)).toBe(1);
    expect(m.incr('ns', 'c', 20)).toBe(2);
    expect(m.exists('ns', 'k')).toBe(true);
    expect(await raw.get(`${prefix}ns:k`)).toBe('v');
    expect(await raw.ttl(`${prefix}ns:c`)).toBe(20);
    expect(m.keys('ns:*')?.sort()).toEqual([`${prefix}ns:c`, `${prefix}ns:k`]);
    expect(m.delete('ns', 'k')).toBe(1);
    expect(m.deletePattern('*')).toBe(1);
    expect(await raw.exists(`${prefix}ns:c`)).toBe(0);
    m.close();
    expect(m.isClosed).toBe(true);
    expect(thrownBy(() => m.getKey('ns', 'k'))).toBeInstanceOf(GuardRedisError);
  });

  test('bad input throws GuardInputError on the calling thread, before any I/O', () => {
    const m = manager();
    m.initialize();
    const thrown = thrownBy(() => m.setKey('ns', 'k', 'v', -5));
    expect(thrown).toBeInstanceOf(GuardInputError);
    expect((thrown as GuardInputError).field).toBe('ttl');
    m.close();
  });

  test('(15) a 10 000-CIDR set round-trips through RedisCloudIpStore', async () => {
    const m = manager();
    m.initialize();
    const store = new RedisCloudIpStore(m);
    const ranges = new Set(Array.from({ length: 10_000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.0/24`));
    store.set('AWS', ranges, 60);
    const back = store.get('AWS');
    expect(back).toEqual(ranges);
    const stored = await raw.get(`${m.config.redisPrefix}cloud_ip:AWS`);
    expect(JSON.parse(stored ?? '[]')).toHaveLength(10_000);
    store.clear();
    expect(store.get('AWS')).toBeNull();
    m.close();
  });

  test('InMemoryCloudIpStore works synchronously with an injected clock', () => {
    let now = 0;
    const store = new InMemoryCloudIpStore({ now: () => now });
    store.set('GCP', ['1.2.3.0/24'], 5);
    expect(store.get('GCP')).toEqual(new Set(['1.2.3.0/24']));
    now = 5_000;
    expect(store.get('GCP')).toBeNull();
  });
});

describe('failures keep the async contract', () => {
  test('a stopped Redis makes the sync call throw GuardRedisError 503 within the deadline', async () => {
    const server = await startPrivateRedis();
    try {
      const m = new RedisManager({
        redisUrl: server.url,
        redisPrefix: uniquePrefix('stopped'),
        redisConnectTimeoutMs: 500,
        redisCommandTimeoutMs: 500,
        logger: silentLogger,
      });
      m.initialize();
      expect(m.setKey('ns', 'k', 'v')).toBe(true);
      await server.stop();
      const started = performance.now();
      const thrown = thrownBy(() => m.getKey('ns', 'k'));
      const elapsed = performance.now() - started;
      expect(thrown).toBeInstanceOf(GuardRedisError);
      expect((thrown as GuardRedisError).statusCode).toBe(503);
      expect(elapsed).toBeLessThan(5_000); // connect/command timeouts + the bridge's grace, not a hang
      m.close();
    } finally {
      await server.dispose();
    }
  });

  test('a replaced worker does not strand the manager: the connection re-opens on the fresh worker', async () => {
    const channel = testChannel(null);
    try {
      const m = manager({ redisCommandTimeoutMs: 500 });
      const opener = (options: Parameters<typeof openBridgedRedisConnection>[0]) =>
        openBridgedRedisConnection(options, () => channel);
      const bridged = new RedisManager(m.config, { openConnection: opener });
      bridged.initialize();
      expect(bridged.setKey('ns', 'k', 'before')).toBe(true);
      const first = channel.generation;
      const worker = (channel as unknown as { link: { worker: Worker } }).link.worker;
      const exited = once(worker, 'exit');
      await worker.terminate();
      await exited;
      expect(bridged.getKey('ns', 'k')).toBe('before');
      expect(channel.generation).not.toBe(first);
      bridged.close();
    } finally {
      channel.close();
    }
  });

  test('a worker that vanished while the caller could not notice fails one call with 503, then recovers', () => {
    const channel: SyncChannel = testChannel(null, { pingTimeoutMs: 200 });
    try {
      const m = manager({ redisCommandTimeoutMs: 300 });
      const bridged = new RedisManager(m.config, {
        openConnection: (options) => openBridgedRedisConnection(options, () => channel),
      });
      configureSyncBridge({ graceMs: 200 });
      bridged.initialize();
      const worker = (channel as unknown as { link: { worker: Worker } }).link.worker;
      void worker.terminate(); // no event-loop turn before the next call: it cannot see the exit
      const thrown = thrownBy(() => bridged.getKey('ns', 'k'));
      expect(thrown).toBeInstanceOf(GuardRedisError);
      expect((thrown as GuardRedisError).statusCode).toBe(503);
      expect((thrown as Error).cause).toBeInstanceOf(GuardBridgeTimeoutError);
      expect(bridged.setKey('ns', 'k', 'again')).toBe(true);
      expect(bridged.getKey('ns', 'k')).toBe('again');
      bridged.close();
    } finally {
      configureSyncBridge({ graceMs: 1_000 });
      channel.close();
    }
  });
});

describe('the HTTP twin', () => {
  test('fetches through the worker; a bad status and a hung server become GuardHttpError', async () => {
    const feeds = await startFeedServer();
    const channel = testChannel(null);
    try {
      const http = bridgedHttpClient(() => channel);
      feeds.route('/ok.txt', { body: 'hello from a feed' });
      const response = http.getText(feeds.url('ok.txt'));
      expect(response).toEqual({ status: 200, url: feeds.url('ok.txt'), body: 'hello from a feed' });
      feeds.route('/fail', { status: 500, body: 'no' });
      const failed = thrownBy(() => http.getText(feeds.url('fail')));
      expect(failed).toBeInstanceOf(GuardHttpError);
      expect((failed as GuardHttpError).status).toBe(500);
      feeds.route('/hang', { hang: true });
      const hung = thrownBy(() => http.getText(feeds.url('hang'), { timeoutMs: 300 }));
      expect(hung).toBeInstanceOf(GuardHttpError);
      expect((hung as Error).message).toMatch(/timed out after 300 ms/);
    } finally {
      channel.close();
      await feeds.close();
    }
  });
});

describe('closeSyncBridge', () => {
  test('after it, I/O calls throw GuardRedisError 503 whose cause is GuardBridgeClosedError', () => {
    const m = manager();
    m.initialize();
    expect(m.setKey('ns', 'k', 'v')).toBe(true);
    closeSyncBridge();
    closeSyncBridge();
    const thrown = thrownBy(() => m.getKey('ns', 'k'));
    expect(thrown).toBeInstanceOf(GuardRedisError);
    expect((thrown as Error).cause).toBeInstanceOf(GuardBridgeClosedError);
    m.close(); // never throws, even with the bridge gone
  });

  test('configureSyncBridge rejects bad values with GuardInputError naming the field', () => {
    const thrown = thrownBy(() => configureSyncBridge({ startTimeoutMs: -1 }));
    expect(thrown).toBeInstanceOf(GuardInputError);
    expect((thrown as GuardInputError).field).toBe('startTimeoutMs');
    expect((thrownBy(() => configureSyncBridge({ workerUrl: 'relative/path.js' })) as GuardInputError).field).toBe(
      'workerUrl',
    );
  });
});
