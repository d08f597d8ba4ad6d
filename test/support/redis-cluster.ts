/**
 * A private Redis Cluster for tests: `masters` primaries (no replicas), each a `redis-server
 * --cluster-enabled yes` child on free ports in one temp dir, joined with
 * `redis-cli --cluster create … --cluster-yes`. Never the machine's shared Redis.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, spawnTracked, waitForPong } from './redis-server.js';

/** One primary of a test cluster. */
export interface ClusterNodeInfo {
  readonly port: number;
  readonly url: string;
}

/** A running private cluster. */
export interface TestRedisCluster {
  readonly nodes: readonly ClusterNodeInfo[];
  /** Seed URLs for `redisClusterNodes`. */
  readonly urls: readonly string[];
  /** A raw client on one primary (not cluster-aware), to see exactly which keys that node holds. */
  nodeClient(node: ClusterNodeInfo): Redis;
  /**
   * Kills one primary with SIGKILL (a crash: no goodbye to the other nodes) and waits until its
   * process is gone, so its port refuses connections. Its slots stay assigned to it.
   */
  killNode(node: ClusterNodeInfo): Promise<void>;
  /**
   * Starts a killed primary again on the same ports with the same `nodes.conf` (it rejoins with
   * its slots, empty: the tests run without persistence) and waits for `cluster_state:ok` on
   * every node.
   */
  restartNode(node: ClusterNodeInfo): Promise<void>;
  /** Kills every node and removes the temp dir. */
  dispose(): Promise<void>;
}

function requireBinary(name: string): void {
  if (spawnSync(name, ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(
      `The Redis Cluster tests need the \`${name}\` binary on PATH and it is missing ` +
        '(Debian: apt-get install redis-server, which ships redis-server and redis-cli).',
    );
  }
}

/** Starts a cluster of `masters` primaries and waits until every node reports `cluster_state:ok`. */
export async function startPrivateCluster(masters = 3): Promise<TestRedisCluster> {
  requireBinary('redis-server');
  requireBinary('redis-cli');
  const dir = mkdtempSync(join(tmpdir(), 'guard-core-cluster-'));
  const children: ReturnType<typeof spawnTracked>[] = [];
  const clients: Redis[] = [];
  /** Each node's redis-server arguments and its current process, by port. */
  const processes = new Map<number, { args: string[]; child: ReturnType<typeof spawnTracked> }>();
  const dispose = async (): Promise<void> => {
    for (const client of clients) client.disconnect();
    await Promise.all(children.map(kill));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const nodes: ClusterNodeInfo[] = [];
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const busPort = await freePort();
      const args = [
        '--port',
        String(port),
        '--cluster-port',
        String(busPort),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '2000',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ];
      const child = spawnTracked(args);
      children.push(child);
      processes.set(port, { args, child });
      nodes.push({ port, url: `redis://127.0.0.1:${port}` });
    }
    await Promise.all(nodes.map((n) => waitForPong(n.port, 5000)));
    await createCluster(nodes);
    await waitForClusterOk(nodes, 10_000);
    return {
      nodes,
      urls: nodes.map((n) => n.url),
      nodeClient: (node) => {
        const client = new Redis(node.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
        clients.push(client);
        return client;
      },
      killNode: async (node) => {
        const running = processes.get(node.port);
        if (!running) throw new Error(`no cluster node on port ${node.port}`);
        await kill(running.child);
      },
      restartNode: async (node) => {
        const running = processes.get(node.port);
        if (!running) throw new Error(`no cluster node on port ${node.port}`);
        await kill(running.child);
        const child = spawnTracked(running.args);
        children.push(child);
        processes.set(node.port, { args: running.args, child });
        await waitForPong(node.port, 5000);
        await waitForClusterOk(nodes, 15_000);
      },
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** SIGKILLs a child (if it still runs) and resolves once it has exited. */
function kill(child: ReturnType<typeof spawnTracked>): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function createCluster(nodes: readonly ClusterNodeInfo[]): Promise<void> {
  const args = [
    '--cluster',
    'create',
    ...nodes.map((n) => `127.0.0.1:${n.port}`),
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  ];
  return new Promise((resolve, reject) => {
    const cli = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    cli.stdout.on('data', (d: Buffer) => (output += d.toString()));
    cli.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => cli.kill('SIGKILL'), 15_000);
    cli.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`redis-cli --cluster create failed (exit ${code}):\n${output}`));
    });
  });
}

async function waitForClusterOk(nodes: readonly ClusterNodeInfo[], timeoutMs: number): Promise<void> {
  const clients = nodes.map((n) => new Redis(n.port, '127.0.0.1', { maxRetriesPerRequest: 1 }));
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const infos = await Promise.all(clients.map((c) => c.cluster('INFO')));
      if (
        infos.every((info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${nodes.length}`))
      )
        return;
      if (Date.now() > deadline)
        throw new Error(`the test cluster did not reach cluster_state:ok:\n${infos.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    for (const c of clients) c.disconnect();
  }
}
