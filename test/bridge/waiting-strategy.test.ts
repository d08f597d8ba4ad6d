/**
 * How the bridge waits (issue 11 item 8): busy-waiting only when at least two cores are really
 * usable (CPU affinity and cgroup CPU quota), and the parked worker (no busy-waiting) still
 * serves every kind of request, after idle slices too, and reads what reached its sockets.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { cgroupQuotaCores, usableCores, type CgroupFiles } from '../../src/bridge/channel/usable-cores.js';
import { bridgeWaiting, waitingFor, type BridgeWaiting } from '../../src/bridge/runtime.js';
import { openBridgedRedisConnection } from '../../src/bridge/seams/redis.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { testChannel } from './support.js';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));

/** A fake cgroup tree: `/proc/self/cgroup`'s text and files under the mount. */
function cgroup(self: string, files: Record<string, string>): CgroupFiles {
  return { selfCgroup: () => self, read: (path) => files[path] ?? null };
}

describe('usable cores', () => {
  test('cgroup v2 cpu.max: a quota below two cores counts as one; "max" is no quota', () => {
    expect(cgroupQuotaCores(cgroup('0::/\n', { '/cpu.max': '150000 100000\n' }))).toBe(1);
    expect(cgroupQuotaCores(cgroup('0::/\n', { '/cpu.max': '50000 100000\n' }))).toBe(1);
    expect(cgroupQuotaCores(cgroup('0::/\n', { '/cpu.max': '200000 100000\n' }))).toBe(2);
    expect(cgroupQuotaCores(cgroup('0::/\n', { '/cpu.max': 'max 100000\n' }))).toBeNull();
    expect(cgroupQuotaCores(cgroup('0::/\n', {}))).toBeNull();
    expect(cgroupQuotaCores(cgroup('0::/\n', { '/cpu.max': 'garbage' }))).toBeNull();
  });

  test("cgroup v2: the tightest limit on the process's path counts, an ancestor's too", () => {
    const self = '0::/system.slice/app.service\n';
    expect(
      cgroupQuotaCores(
        cgroup(self, { '/system.slice/app.service/cpu.max': 'max 100000', '/system.slice/cpu.max': '100000 100000' }),
      ),
    ).toBe(1);
    expect(
      cgroupQuotaCores(
        cgroup(self, {
          '/system.slice/app.service/cpu.max': '400000 100000',
          '/system.slice/cpu.max': '300000 100000',
        }),
      ),
    ).toBe(3);
  });

  test('cgroup v1: cpu.cfs_quota_us / cpu.cfs_period_us of the cpu controller; -1 is no quota', () => {
    const self = '4:memory:/x\n3:cpu,cpuacct:/docker/abc\n0::/\n';
    expect(
      cgroupQuotaCores(
        cgroup(self, {
          'cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '100000\n',
          'cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000\n',
        }),
      ),
    ).toBe(1);
    // inside the container's namespace the mount's root is its own cgroup
    expect(
      cgroupQuotaCores(cgroup('2:cpu:/\n', { 'cpu/cpu.cfs_quota_us': '250000', 'cpu/cpu.cfs_period_us': '100000' })),
    ).toBe(2);
    expect(
      cgroupQuotaCores(cgroup('2:cpu:/\n', { 'cpu/cpu.cfs_quota_us': '-1', 'cpu/cpu.cfs_period_us': '100000' })),
    ).toBeNull();
  });

  test('the smaller of affinity and quota wins, never below one; unreadable files mean no quota', () => {
    const oneCoreQuota = cgroup('0::/\n', { '/cpu.max': '100000 100000' });
    expect(usableCores(oneCoreQuota, 8)).toEqual({ cores: 1, affinity: 8, quota: 1 });
    expect(usableCores(cgroup('', {}), 1)).toEqual({ cores: 1, affinity: 1, quota: null });
    expect(usableCores({ selfCgroup: () => null, read: () => null }, 4)).toEqual({
      cores: 4,
      affinity: 4,
      quota: null,
    });
  });

  test('busy-waiting is allowed from two usable cores on, never on one', () => {
    expect(waitingFor({ cores: 1, affinity: 2, quota: 1 }, 300)).toBe(0);
    expect(waitingFor({ cores: 1, affinity: 1, quota: null }, 300)).toBe(0);
    expect(waitingFor({ cores: 2, affinity: 2, quota: null }, 300)).toBe(300);
  });
});

describe('the automatic strategy of a real process', () => {
  async function waitingOf(taskset: readonly string[]): Promise<BridgeWaiting> {
    const script = fileURLToPath(new URL('./fixtures/print-waiting.ts', import.meta.url));
    const [command = process.execPath, ...args] = [...taskset, process.execPath, '--import', 'tsx', script];
    const { stdout } = await exec(command, args, { cwd: repo, timeout: 30_000 });
    return JSON.parse(stdout) as BridgeWaiting;
  }

  test('confined to one core with `taskset -c 0`: no busy-wait on either side', async () => {
    const waiting = await waitingOf(['taskset', '-c', '0']);
    expect(waiting.usable.affinity).toBe(1);
    expect(waiting).toMatchObject({ spinMicros: 0, pollMicros: 0 });
  });

  test('this process: busy-waits exactly when it sees two usable cores', () => {
    const waiting = bridgeWaiting();
    const expected = waiting.usable.cores >= 2 ? 300 : 0;
    expect(waiting).toMatchObject({ spinMicros: expected, pollMicros: expected });
  });
});

describe('a parked worker (no busy-waiting) serves everything', () => {
  const bridge = testChannel('test-service.mjs', { spinMicros: 0, pollMicros: 0 });
  afterAll(() => bridge.close());

  test('calls in the shared slot and on the port, back to back and after idle park slices', async () => {
    const big = 'x'.repeat(100_000); // larger than the request slot: takes the port
    for (let i = 0; i < 200; i++) {
      expect(bridge.call('echo', [i], 5_000)).toBe(i);
      expect(bridge.call('echo', [new Map([[i, 'map']])], 5_000)).toEqual(new Map([[i, 'map']]));
      if (i % 50 === 0) {
        expect(bridge.call('echo', [big], 5_000)).toBe(big);
        // longer than the longest park slice (50 ms): the worker has timed out of its wait and parked again
        await new Promise((resolve) => setTimeout(resolve, 120));
      }
    }
  });

  test('a call that arrives while the worker is busy in its event loop (no park) is woken through the port', () => {
    expect(bridge.call('echoLater', ['late', 30], 5_000)).toBe('late');
    expect(bridge.call('echo', ['next'], 5_000)).toBe('next');
  });
});

describe('a parked worker still reads its sockets', () => {
  const raw = rawClient();
  const prefix = uniquePrefix('park');
  afterAll(async () => {
    await deleteByPrefix(raw, prefix);
    await raw.quit();
  });

  test('a message published while the worker was parked is in the next drain', async () => {
    const bridge = testChannel(null, { spinMicros: 0, pollMicros: 0 });
    try {
      const connection = openBridgedRedisConnection(
        { url: redisUrl(), clusterNodes: null, connectTimeoutMs: 2_000, commandTimeoutMs: 2_000, retries: 0 },
        () => bridge,
      );
      const subscription = connection.subscribe(`${prefix}events`, 16);
      expect(subscription.drain().messages).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 120)); // the worker parks
      await raw.publish(`${prefix}events`, 'while parked');
      await new Promise((resolve) => setTimeout(resolve, 20)); // delivered to the worker's socket
      expect(subscription.drain().messages).toEqual(['while parked']);
      subscription.close();
      connection.close();
    } finally {
      bridge.close();
    }
  });
});
