/**
 * RedisManager and RedisCloudIpStore on a private 3-primary Redis Cluster: keys(),
 * deletePattern() and clear() must see and delete keys on every primary, with deletes grouped
 * by slot (a multi-slot UNLINK would fail with CROSSSLOT).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/index.js';
import { apisUnderTest, type ManagerUnderTest } from '../support/apis.js';
import { startPrivateCluster, type TestRedisCluster } from '../support/redis-cluster.js';
import { uniquePrefix } from '../support/redis.js';

let cluster: TestRedisCluster;
beforeAll(async () => {
  cluster = await startPrivateCluster(3);
}, 30_000);
afterAll(() => cluster?.dispose());

/** Which primary holds each key of `prefix`, read node by node. */
async function keysPerNode(prefix: string): Promise<string[][]> {
  return Promise.all(cluster.nodes.map((node) => cluster.nodeClient(node).keys(`${prefix}*`)));
}

describe.each(apisUnderTest)('Redis Cluster ($name API)', (api) => {
  let prefix: string;
  let manager: ManagerUnderTest;
  const PROVIDERS = ['AWS', 'GCP', 'Azure', 'DigitalOcean', 'Linode', 'Vultr'];

  beforeEach(() => {
    prefix = uniquePrefix('cl');
    manager = api.createManager({ redisClusterNodes: [...cluster.urls], redisPrefix: prefix, logger: silentLogger });
  });
  afterEach(async () => {
    await manager.close();
  });

  async function populate(count: number): Promise<string[]> {
    const keys: string[] = [];
    for (let i = 0; i < count; i++) {
      await manager.setKey('ns', `k${i}`, 'v');
      keys.push(`${prefix}ns:k${i}`);
    }
    return keys;
  }

  test('key operations work across the cluster', async () => {
    expect(await manager.setKey('ns', 'a', '1', 60)).toBe(true);
    expect(await manager.getKey('ns', 'a')).toBe('1');
    expect(await manager.incr('rate', 'ip', 60)).toBe(1);
    expect(await manager.incr('rate', 'ip', 60)).toBe(2);
    expect(await manager.exists('ns', 'a')).toBe(true);
    expect(await manager.delete('ns', 'a')).toBe(1);
    await manager.deletePattern('*');
  });

  test('keys("*") finds keys on every primary', async () => {
    const written = await populate(60);
    const perNode = await keysPerNode(prefix);
    expect(perNode.filter((keys) => keys.length > 0)).toHaveLength(3); // the keys really are spread out
    expect(((await manager.keys('*')) as string[]).sort()).toEqual(written.sort());
    await manager.deletePattern('*');
  });

  test('deletePattern("*") deletes on every primary, grouped by slot (no CROSSSLOT)', async () => {
    const written = await populate(60);
    expect(await manager.deletePattern('*')).toBe(written.length);
    expect((await keysPerNode(prefix)).flat()).toEqual([]);
  });

  test('RedisCloudIpStore.clear() removes its providers from every primary and nothing else', async () => {
    const store = api.createRedisStore(manager);
    for (const provider of PROVIDERS) await store.set(provider, ['10.0.0.0/8'], 600);
    await manager.setKey('other', 'keep', 'v');
    const cloudKeys = (await keysPerNode(`${prefix}cloud_ip:`)).filter((keys) => keys.length > 0);
    expect(cloudKeys.length).toBeGreaterThan(1);
    await store.clear();
    for (const provider of PROVIDERS) expect(await store.get(provider)).toBeNull();
    expect((await keysPerNode(prefix)).flat()).toEqual([`${prefix}other:keep`]);
    await manager.deletePattern('*');
  });

  test('isolation holds on a cluster too: a glob prefix never touches another prefix', async () => {
    const other = api.createManager({
      redisClusterNodes: [...cluster.urls],
      redisPrefix: `${prefix}x[1]:`,
      logger: silentLogger,
    });
    const sibling = api.createManager({
      redisClusterNodes: [...cluster.urls],
      redisPrefix: `${prefix}x1:`,
      logger: silentLogger,
    });
    try {
      for (let i = 0; i < 20; i++) {
        await other.setKey('ns', `k${i}`, 'v');
        await sibling.setKey('ns', `k${i}`, 'v');
      }
      expect(await other.keys('*')).toHaveLength(20);
      expect(await other.deletePattern('*')).toBe(20);
      expect(await sibling.keys('*')).toHaveLength(20);
      expect(await sibling.deletePattern('*')).toBe(20);
    } finally {
      await other.close();
      await sibling.close();
    }
  });
});
