/**
 * Issue 12, item 3: a degraded cluster never reports partial work as success. On a private
 * 3-primary cluster holding 3,000 keys, one primary is killed (SIGKILL): `keys('*')`,
 * `deletePattern('*')` and `RedisCloudIpStore.clear()` must each reject with a
 * `GuardRedisClusterError` (a `GuardRedisError`, 503, code `GUARD_REDIS_CLUSTER_INCOMPLETE`)
 * naming the unreachable primary — never resolve with the two thirds the live primaries hold.
 * Once the node is back, the same managers work again. Both APIs, on managers connected before
 * the kill and on managers created after it.
 */
import calculateSlot from 'cluster-key-slot';
import { Cluster, type Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  GUARD_ERROR_CODES,
  GuardRedisClusterError,
  GuardInputError,
  GuardRedisError,
  silentLogger,
  type SecurityConfigInput,
} from '../../src/index.js';
import { apisUnderTest, captureFailure, eventually, type ManagerUnderTest } from '../support/apis.js';
import { connectionFromClient } from '../../src/async/seams/ioredis-connection.js';
import { startPrivateCluster, type ClusterNodeInfo, type TestRedisCluster } from '../support/redis-cluster.js';
import { uniquePrefix } from '../support/redis.js';

const KEY_COUNT = 3000;

let cluster: TestRedisCluster;
let prefix: string;
/** Managers of both APIs, connected (and used) before the kill. */
const early: { name: string; manager: ManagerUnderTest; config: SecurityConfigInput }[] = [];

beforeAll(async () => {
  cluster = await startPrivateCluster(3);
  prefix = uniquePrefix('deg');
  // Written through a raw cluster client, pipelined by ioredis: 3,000 keys spread over the three primaries.
  const writer = new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })));
  try {
    await Promise.all(Array.from({ length: KEY_COUNT }, (_, i) => writer.set(`${prefix}ns:k${i}`, 'v')));
    await Promise.all(Array.from({ length: 6 }, (_, i) => writer.set(`${prefix}cloud_ip:P${i}`, '["10.0.0.0/8"]')));
  } finally {
    writer.disconnect();
  }
  for (const api of apisUnderTest) {
    const config: SecurityConfigInput = {
      redisClusterNodes: [...cluster.urls],
      redisPrefix: prefix,
      logger: silentLogger,
    };
    const manager = api.createManager(config);
    await manager.initialize();
    early.push({ name: api.name, manager, config });
  }
}, 40_000);

afterAll(async () => {
  for (const { manager } of early) await manager.close();
  await cluster?.dispose();
});

/** Keys each primary holds under the prefix, read node by node (one raw client per node, kept). */
const raw = new Map<number, Redis>();
async function perNode(): Promise<number[]> {
  return Promise.all(
    cluster.nodes.map(async (node) => {
      let client = raw.get(node.port);
      if (client === undefined) {
        client = cluster.nodeClient(node);
        client.on('error', () => undefined); // the killed node's client reconnects quietly
        raw.set(node.port, client);
      }
      return (await client.keys(`${prefix}*`)).length;
    }),
  );
}

/** Waits until `node` reports `cluster_state:<state>`. */
async function waitForClusterState(node: ClusterNodeInfo, state: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cluster.nodeClient(node).cluster('INFO')).includes(`cluster_state:${state}`)) {
    if (Date.now() > deadline) throw new Error(`cluster_state never became ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function expectIncomplete(error: unknown, address: string): void {
  expect(error).toBeInstanceOf(GuardRedisError);
  expect(error).toBeInstanceOf(GuardRedisClusterError);
  const typed = error as GuardRedisClusterError;
  expect(typed.statusCode).toBe(503);
  expect(typed.code).toBe(GUARD_ERROR_CODES.GuardRedisClusterError);
  expect(typed.code).toBe('GUARD_REDIS_CLUSTER_INCOMPLETE');
  expect(typed.message).toMatch(/could not reach every primary/);
  expect(typed.message).toContain(address);
  expect(typed.unreachable).toContain(address);
  expect(typed.message).toMatch(/slots? \d+/);
}

describe('a degraded Redis Cluster', () => {
  test('healthy: keys("*") pages through every primary and finds all 3,006 keys (both APIs)', async () => {
    expect((await perNode()).every((n) => n > 500)).toBe(true); // really spread over the three
    for (const { manager } of early) {
      expect(await manager.keys('ns:*')).toHaveLength(KEY_COUNT);
      expect(await manager.keys('*')).toHaveLength(KEY_COUNT + 6);
    }
  });

  test('the cursor names its primary by address and the slot map it started on', async () => {
    const client = new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })));
    client.on('error', () => undefined);
    const connection = connectionFromClient(client, {
      url: null,
      clusterNodes: [...cluster.urls],
      connectTimeoutMs: 2000,
      commandTimeoutMs: 2000,
      retries: 1,
    });
    try {
      await connection.ping();
      const first = await connection.scan(`${prefix}ns:*`, '0', 100);
      const [, address, fingerprint] = first.cursor.split('@');
      expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(cluster.nodes.map((n) => `127.0.0.1:${n.port}`)).toContain(address);
      // A cursor naming a node the client does not know is refused, not read from whichever node has that index.
      const stranger = await captureFailure(() =>
        connection.scan(`${prefix}ns:*`, `0@127.0.0.1:1@${fingerprint}`, 100),
      );
      expect(stranger).toBeInstanceOf(GuardRedisClusterError);
      expect((stranger as Error).message).toContain('127.0.0.1:1');
      // A MOVED reply rewrites one slot's owner in ioredis' table (as a resharding would): the
      // scan in progress may have missed keys, so its next page is refused.
      const owner = client.slots[0]![0]!;
      const other = client.slots.find((nodes) => nodes[0] !== owner)![0]!;
      client.slots[0]![0] = other;
      try {
        const moved = await captureFailure(() => connection.scan(`${prefix}ns:*`, first.cursor, 100));
        expect(moved).toBeInstanceOf(GuardRedisClusterError);
        expect((moved as Error).message).toMatch(/slot map changed during the scan/);
      } finally {
        client.slots[0]![0] = owner;
      }
      // A garbled cursor is bad input.
      expect(await captureFailure(() => connection.scan('*', '2:17', 100))).toBeInstanceOf(GuardInputError);

      // Per-slot deletes: one slot failing fails the call, naming the slot and its primary and
      // saying how many keys the other slots deleted — never a count that looks complete.
      const doomed = [`${prefix}del:{a}1`, `${prefix}del:{a}2`];
      const spared = [`${prefix}del:{b}1`, `${prefix}del:{c}1`];
      for (const key of [...doomed, ...spared]) await client.set(key, 'v');
      const unlink = client.unlink.bind(client);
      const failing = (...keys: string[]): Promise<number> =>
        keys.some((k) => k.includes('{a}')) ? Promise.reject(new Error('read ECONNRESET')) : unlink(...keys);
      Object.assign(client, { unlink: failing });
      const slot = calculateSlot('a');
      const partial = await captureFailure(() => connection.unlink([...doomed, ...spared]));
      Object.assign(client, { unlink });
      expect(partial).toBeInstanceOf(GuardRedisClusterError);
      expect((partial as GuardRedisClusterError).slots).toEqual([String(slot)]);
      expect((partial as GuardRedisClusterError).unreachable).toEqual([client.slots[slot]![0]]);
      expect((partial as Error).message).toContain(`UNLINK failed in slots ${slot}`);
      expect((partial as Error).message).toContain('ECONNRESET');
      expect((partial as Error).message).toContain('2 key(s) were deleted in the other slots');
      expect(await client.exists(...doomed)).toBe(2);
      expect(await connection.unlink(doomed)).toBe(2);
    } finally {
      await connection.close();
    }
  });

  test('one primary killed: keys, deletePattern and clear reject naming it, never a partial result', async () => {
    const victim = cluster.nodes[2]!;
    const address = `127.0.0.1:${victim.port}`;
    await cluster.killNode(victim);
    const late = apisUnderTest.map((api) => ({
      name: api.name,
      manager: api.createManager({ redisClusterNodes: [...cluster.urls], redisPrefix: prefix, logger: silentLogger }),
    }));
    const everyOperation = async (managers: readonly { name: string; manager: ManagerUnderTest }[]): Promise<void> => {
      for (const { manager, name } of managers) {
        const store = apisUnderTest.find((a) => a.name === name)!.createRedisStore(manager);
        expectIncomplete(await captureFailure(() => manager.keys('*')), address);
        expectIncomplete(await captureFailure(() => manager.deletePattern('*')), address);
        expectIncomplete(await captureFailure(() => store.clear()), address);
      }
    };
    try {
      // At once: the other primaries still say cluster_state:ok.
      await everyOperation(early);
      // Once they mark it failed (cluster_state:fail), also on managers that connect only now.
      await waitForClusterState(cluster.nodes[0]!, 'fail', 10_000);
      await everyOperation([...early, ...late]);
      // Nothing on the live primaries was deleted: the scan checked every primary before the first UNLINK.
      const live = await Promise.all(
        cluster.nodes.slice(0, 2).map(async (n) => (await raw.get(n.port)!.keys(`${prefix}*`)).length),
      );
      expect(live.reduce((a, b) => a + b, 0)).toBeGreaterThan(1500);
    } finally {
      for (const { manager } of late) await manager.close();
    }
  }, 40_000);

  test('the node back (same port, same nodes.conf): the same managers scan and delete again', async () => {
    await cluster.restartNode(cluster.nodes[2]!);
    // The restarted primary runs without persistence: it is back empty, so the keys left are the live two's.
    const left = (await perNode()).reduce((a, b) => a + b, 0);
    expect(left).toBeGreaterThan(1500);
    for (const { manager } of early) {
      const found = await eventually(() => manager.keys('*'), 15_000, 200);
      expect(found).toHaveLength(left);
    }
    const [first, second] = early;
    expect(await first!.manager.deletePattern('*')).toBe(left);
    expect(await second!.manager.keys('*')).toEqual([]);
    expect(await perNode()).toEqual([0, 0, 0]);
  }, 40_000);
});
