/**
 * A private Redis Sentinel deployment for tests: one master, one replica (`--replicaof`) and
 * three sentinels (`redis-server <conf> --sentinel`, quorum 2), each a child on free loopback
 * ports with its files in one temp dir. Never the machine's shared Redis. Sentinels use a short
 * `down-after-milliseconds` (1 s) and `failover-timeout` (5 s) so a failover finishes in seconds.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, spawnTracked, waitForPong } from './redis-server.js';
import { tlsServerDirectives, type TestTlsMaterial } from './tls-certs.js';

/** The master group name every sentinel monitors. */
export const SENTINEL_MASTER_NAME = 'guardmaster';

/**
 * Where TLS is spoken, when there is TLS:
 * - `everything`: servers and sentinels listen on TLS only and use TLS between them;
 * - `sentinels`: clients reach the sentinels over TLS (a TLS port beside the plain one); the data
 *   servers, replication and the sentinels' own links stay plain;
 * - `data`: the data servers speak TLS only (replication and the sentinels' links too, the
 *   sentinels keeping a plain port for clients and a TLS one for each other).
 */
export type SentinelTlsLayout = 'everything' | 'sentinels' | 'data';

/** A running private Sentinel deployment. */
export interface TestRedisSentinel {
  /** The monitored master group's name (`redisSentinelMasterName`). */
  readonly masterName: string;
  /** `127.0.0.1:<port>` of each sentinel (`redisSentinels`); `rediss://127.0.0.1:<port>` over TLS. */
  readonly sentinels: readonly string[];
  /** Ports of the sentinels that clients use (the TLS ones when the sentinels speak TLS). */
  readonly sentinelPorts: readonly number[];
  /** Ports of the two data servers: the master at start, then the replica. */
  readonly dataPorts: readonly [number, number];
  /** The port sentinels currently report as the master. */
  masterPort(): Promise<number>;
  /** A raw client on one data server (not sentinel-aware), closed by dispose(). */
  dataClient(port: number): Redis;
  /** Sends `SENTINEL FAILOVER <name>` to the first sentinel. */
  failover(): Promise<void>;
  /**
   * Resolves once every sentinel reports `port` as the master, that server says `ROLE master`
   * and the other data server replicates from it with its link up.
   */
  waitForMaster(port: number, timeoutMs: number): Promise<void>;
  /**
   * Resolves once the replica of `masterPort` has applied everything the master had written when
   * this was called, with how long that took in ms. Right after a failover the demoted master,
   * now a replica, can be hundreds of milliseconds behind with its link already up.
   */
  waitForReplicaInSync(masterPort: number, timeoutMs: number): Promise<number>;
  /**
   * Resolves once every sentinel has a client subscribed to something (`sub>0` in CLIENT LIST):
   * a client's failover watch, which connects after the client did, is listening. Sentinels
   * have no PUBSUB command to ask per channel.
   */
  waitForFailoverWatch(timeoutMs: number): Promise<void>;
  /** How many sentinels have a client subscribed to something right now (see waitForFailoverWatch). */
  subscribedSentinels(): Promise<number>;
  /** The data server that is not `port`. */
  otherDataPort(port: number): number;
  /**
   * A lazy ioredis Sentinel client of this deployment, as an application would build its own
   * (no offline queue, one retry; over TLS `sentinelTLS` and `tls` trusting the test CA). The
   * test disconnects it; dispose() does too.
   */
  applicationClient(): Redis;
  /** Kills a data server (SIGKILL, like a crash) and waits until it is gone. */
  crash(port: number): Promise<void>;
  /** Starts a crashed data server again as a replica of `masterPort` and waits for its PING. */
  restartAsReplica(port: number, masterPort: number): Promise<void>;
  /** Kills every child and removes the temp dir. */
  dispose(): Promise<void>;
}

function requireBinary(): void {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(
      'The Redis Sentinel tests need the `redis-server` binary on PATH and it is missing ' +
        '(Debian: apt-get install redis-server, which also runs as a sentinel with --sentinel).',
    );
  }
}

/**
 * With TLS, every server and sentinel listens on TLS only (`port 0`), uses TLS for its own
 * outgoing links (replication, sentinel to server and to sentinel), and asks no client
 * certificate.
 */
function tlsDirectives(tls: TestTlsMaterial, port: number): [string, string][] {
  return [['port', '0'], ...tlsServerDirectives(tls, port, 'no'), ['tls-replication', 'yes']];
}

function dataServerArgs(port: number, dir: string, extra: readonly string[], tls: TestTlsMaterial | null): string[] {
  const listen =
    tls === null ? ['--port', String(port)] : tlsDirectives(tls, port).flatMap(([key, value]) => [`--${key}`, value]);
  return [
    ...listen,
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--dbfilename',
    `dump-${port}.rdb`,
    // Full syncs (the demoted master after a failover) start at once instead of after 5 s.
    '--repl-diskless-sync',
    'yes',
    '--repl-diskless-sync-delay',
    '0',
    ...extra,
  ];
}

/**
 * How a sentinel listens and links: plain `port`; TLS only on `port`; or plain `port` plus TLS
 * `tlsPort`, its own links plain (`sentinels` layout) or TLS (`data` layout: a sentinel then
 * announces its TLS port to the others).
 */
function sentinelListen(
  port: number,
  tls: TestTlsMaterial | null,
  tlsPort: number | null,
  layout: SentinelTlsLayout,
): [string, string][] {
  if (tls === null) return [['port', String(port)]];
  if (tlsPort === null) return tlsDirectives(tls, port);
  const links: [string, string][] = layout === 'data' ? [['tls-replication', 'yes']] : [];
  return [['port', String(port)], ...tlsServerDirectives(tls, tlsPort, 'no'), ...links];
}

function sentinelConfig(port: number, masterPort: number, listen: [string, string][]): string {
  return [
    ...listen.map((directive) => directive.join(' ')),
    'bind 127.0.0.1',
    'protected-mode no',
    'sentinel resolve-hostnames no',
    'sentinel announce-ip 127.0.0.1',
    `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
    `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000`,
    `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 5000`,
    `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
    '',
  ].join('\n');
}

/**
 * Starts the deployment and waits until every sentinel knows the replica and the other two
 * sentinels (so `SENTINEL FAILOVER` has a replica to promote and the quorum is reachable).
 */
export async function startPrivateSentinel(
  dataArgs: readonly string[] = [],
  tls: TestTlsMaterial | null = null,
  layout: SentinelTlsLayout = 'everything',
): Promise<TestRedisSentinel> {
  requireBinary();
  const ca = tls === null ? undefined : { ca: readFileSync(tls.caFile, 'utf8') };
  const dataTls = layout === 'sentinels' ? null : tls;
  /** TLS options of the harness's links to the data servers, and to the sentinels (their plain port when mixed). */
  const dataCa = dataTls === null ? undefined : ca;
  const sentinelCa = layout === 'everything' ? ca : undefined;
  /** Whether clients reach the sentinels over TLS. */
  const sentinelsTls = tls !== null && layout !== 'data';
  const dir = mkdtempSync(join(tmpdir(), 'guard-core-sentinel-'));
  const children: ChildProcess[] = [];
  const dataChildren = new Map<number, ChildProcess>();
  const clients: Redis[] = [];
  const dispose = async (): Promise<void> => {
    for (const client of clients) client.disconnect();
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const masterPort = await freePort();
    const replicaPort = await freePort();
    const spawnData = (port: number, extra: readonly string[]): void => {
      const child = spawnTracked(dataServerArgs(port, dir, [...dataArgs, ...extra], dataTls));
      children.push(child);
      dataChildren.set(port, child);
    };
    const dataPong = (port: number): Promise<void> => waitForPong(port, 5000, dataCa);
    spawnData(masterPort, []);
    await dataPong(masterPort);
    spawnData(replicaPort, ['--replicaof', '127.0.0.1', String(masterPort)]);
    await dataPong(replicaPort);
    const sentinelPorts: number[] = []; // the harness's links
    const clientPorts: number[] = []; // what clients are given
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const tlsPort = tls !== null && layout !== 'everything' ? await freePort() : null;
      const conf = join(dir, `sentinel-${port}.conf`); // sentinels rewrite their config: writable file
      writeFileSync(conf, sentinelConfig(port, masterPort, sentinelListen(port, tls, tlsPort, layout)));
      children.push(spawnTracked([conf, '--sentinel']));
      sentinelPorts.push(port);
      clientPorts.push(layout === 'sentinels' && tlsPort !== null ? tlsPort : port);
    }
    await Promise.all(sentinelPorts.map((port) => waitForPong(port, 5000, sentinelCa)));
    const client = (port: number, tlsOptions: { ca: string } | undefined): Redis => {
      const made = new Redis(port, '127.0.0.1', {
        maxRetriesPerRequest: 1,
        lazyConnect: false,
        ...(tlsOptions === undefined ? {} : { tls: tlsOptions }),
      });
      made.on('error', () => undefined);
      clients.push(made);
      return made;
    };
    const sentinelClients = sentinelPorts.map((port) => client(port, sentinelCa));
    const dataClients = new Map<number, Redis>();
    const dataClient = (port: number): Redis => {
      let made = dataClients.get(port);
      if (made === undefined) {
        made = client(port, dataCa);
        dataClients.set(port, made);
      }
      return made;
    };
    const subscribedSentinels = async (): Promise<number> => {
      let subscribed = 0;
      for (const sentinel of sentinelClients) {
        const clients = (await sentinel.call('CLIENT', 'LIST')) as string;
        if (/ sub=[1-9]/.test(clients)) subscribed++;
      }
      return subscribed;
    };
    const deployment: TestRedisSentinel = {
      masterName: SENTINEL_MASTER_NAME,
      sentinels: clientPorts.map((port) => `${sentinelsTls ? 'rediss://' : ''}127.0.0.1:${port}`),
      sentinelPorts: clientPorts,
      dataPorts: [masterPort, replicaPort],
      masterPort: async () => {
        const reply = (await sentinelClients[0]!.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER_NAME)) as
          string[] | null;
        return Number(reply?.[1]);
      },
      dataClient,
      failover: async () => {
        await sentinelClients[0]!.call('SENTINEL', 'FAILOVER', SENTINEL_MASTER_NAME);
      },
      waitForMaster: (port, timeoutMs) =>
        waitFor(`port ${port} to be the master everywhere`, timeoutMs, async () => {
          for (const sentinel of sentinelClients) {
            const reply = (await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER_NAME)) as
              string[] | null;
            if (Number(reply?.[1]) !== port) return false;
          }
          const role = (await dataClient(port).call('ROLE')) as unknown[];
          if (role[0] !== 'master') return false;
          const other = port === masterPort ? replicaPort : masterPort;
          const info = await dataClient(other).info('replication');
          if (!info.includes(`master_port:${port}`) || !info.includes('master_link_status:up')) return false;
          // And every sentinel would promote it: after a crash and restart a sentinel keeps the
          // replica's old INFO (link down for long) until its next refresh, and answers a
          // SENTINEL FAILOVER with NOGOODSLAVE meanwhile.
          for (const sentinel of sentinelClients) {
            if (!(await replicaPromotable(sentinel, other))) return false;
          }
          return true;
        }),
      waitForReplicaInSync: async (port, timeoutMs) => {
        const started = performance.now();
        const offsetOf = async (server: number, field: string): Promise<number> => {
          const info = await dataClient(server).info('replication');
          return Number(new RegExp(`${field}:(\\d+)`).exec(info)?.[1] ?? -1);
        };
        const target = await offsetOf(port, 'master_repl_offset');
        const replica = port === masterPort ? replicaPort : masterPort;
        await waitFor(`the replica of ${port} to reach offset ${target}`, timeoutMs, async () => {
          return (await offsetOf(replica, 'slave_repl_offset')) >= target;
        });
        return performance.now() - started;
      },
      waitForFailoverWatch: (timeoutMs) =>
        waitFor(
          'a failover watch subscribed on every sentinel',
          timeoutMs,
          async () => (await subscribedSentinels()) === sentinelClients.length,
        ),
      subscribedSentinels,
      otherDataPort: (port) => (port === masterPort ? replicaPort : masterPort),
      applicationClient: () => {
        const made = new Redis({
          sentinels: clientPorts.map((port) => ({ host: '127.0.0.1', port })),
          name: SENTINEL_MASTER_NAME,
          ...(sentinelsTls ? { sentinelTLS: ca } : {}),
          ...(dataCa === undefined ? {} : { enableTLSForSentinelMode: true, tls: dataCa }),
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          lazyConnect: true,
        });
        made.on('error', () => undefined);
        clients.push(made);
        return made;
      },
      crash: async (port) => {
        const child = dataChildren.get(port);
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await gone;
      },
      restartAsReplica: async (port, ofPort) => {
        spawnData(port, ['--replicaof', '127.0.0.1', String(ofPort)]);
        await dataPong(port);
      },
      dispose,
    };
    await waitFor('the sentinels to know the replica and each other', 15_000, async () => {
      for (const sentinel of sentinelClients) {
        const replicas = (await sentinel.call('SENTINEL', 'REPLICAS', SENTINEL_MASTER_NAME)) as unknown[];
        const peers = (await sentinel.call('SENTINEL', 'SENTINELS', SENTINEL_MASTER_NAME)) as unknown[];
        if (replicas.length < 1 || peers.length < 2) return false;
      }
      const info = await dataClient(replicaPort).info('replication');
      return info.includes('master_link_status:up');
    });
    return deployment;
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Whether `sentinel` sees the replica on `port` as one it would promote (flags, link, fresh INFO). */
async function replicaPromotable(sentinel: Redis, port: number): Promise<boolean> {
  const replicas = (await sentinel.call('SENTINEL', 'REPLICAS', SENTINEL_MASTER_NAME)) as string[][];
  for (const flat of replicas) {
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
    if (Number(fields.get('port')) !== port) continue;
    return (
      fields.get('flags') === 'slave' &&
      fields.get('master-link-status') === 'ok' &&
      fields.get('master-link-down-time') === '0'
    );
  }
  return false;
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
