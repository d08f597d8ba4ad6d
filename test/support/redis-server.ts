/**
 * Private Redis servers for tests. Never the machine's shared Redis: each server is a
 * `redis-server` child on a free port with its own temp dir, or a testcontainers container
 * when no binary exists but Docker does. Servers can be stopped and restarted on the same
 * port for fault tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A Redis server a test owns. */
export interface TestRedisServer {
  readonly url: string;
  readonly port: number;
  /** Kills the server (SIGKILL, like a crash) and waits until it is gone, so the port refuses connections. */
  stop(): Promise<void>;
  /** Starts it again on the same port and waits until it answers PING. */
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  dispose(): Promise<void>;
}

/** The message of the loud failure when no Redis can be had; it names every way to provide one. */
export const HOW_TO_GET_REDIS = [
  'No Redis available for the integration tests. Provide one of:',
  '  1. REDIS_URL=redis://127.0.0.1:<port> pointing at a throwaway Redis (keys are prefixed and cleaned up);',
  '  2. a redis-server binary on PATH (Debian: apt-get install redis-server) — the tests spawn private servers;',
  '  3. a running Docker engine — the tests start redis:7-alpine with testcontainers.',
].join('\n');

/** True when a `redis-server` binary can be run. */
export function hasRedisBinary(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** How a private server can be had on this machine; injectable so the choice itself is testable. */
export interface RedisSourceProbes {
  hasBinary(): boolean;
  hasDocker(): Promise<boolean>;
}

const realProbes: RedisSourceProbes = { hasBinary: hasRedisBinary, hasDocker: dockerAvailable };

/** Picks the first way that works: a `redis-server` binary, then Docker; throws {@link HOW_TO_GET_REDIS} otherwise. */
export async function resolveRedisSource(probes: RedisSourceProbes = realProbes): Promise<'binary' | 'docker'> {
  if (probes.hasBinary()) return 'binary';
  if (await probes.hasDocker()) return 'docker';
  throw new Error(HOW_TO_GET_REDIS);
}

/**
 * Starts a server the caller controls (stop/start), with extra `redis-server` arguments such as
 * `['--requirepass', 'pw']`. Throws, naming every option, when none can be had.
 */
export async function startPrivateRedis(extraArgs: readonly string[] = []): Promise<TestRedisServer> {
  if ((await resolveRedisSource()) === 'binary') return spawnRedisServer(extraArgs);
  if (extraArgs.length > 0) throw new Error(`extra redis-server arguments need the binary: ${extraArgs.join(' ')}`);
  return startContainerRedis();
}

/**
 * Children still running when the test process exits are killed, so a crashed or aborted test
 * file never leaves a redis-server behind.
 */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/** Spawns a `redis-server` child tracked for cleanup at process exit. */
export function spawnTracked(args: readonly string[]): ChildProcess {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  return child;
}

/**
 * Test servers listen below Linux's ephemeral range (32768–60999): a port from that range, freed
 * when a test stops its server, can be handed to any outgoing connection of the run as its local
 * port, and the server's restart on that port then fails (`redis-server exited with 1`). Ports
 * here are only ever taken by this allocator, which tries each by binding it first.
 */
const PORT_RANGE = { low: 20_000, high: 32_000 } as const;
/** Ports this process already handed out (a restart reuses its own; nobody else gets it). */
const handedOut = new Set<number>();

/** A free TCP port on loopback, outside the ephemeral range (see {@link PORT_RANGE}). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = PORT_RANGE.low + Math.floor(Math.random() * (PORT_RANGE.high - PORT_RANGE.low));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  return listenOn(0); // a crowded range: fall back to any port the system gives
}

async function canListen(port: number): Promise<boolean> {
  try {
    await listenOn(port);
    return true;
  } catch {
    return false;
  }
}

/** Listens on `port` (0: any), closes, and resolves the port it had. */
function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(bound));
    });
  });
}

async function spawnRedisServer(extraArgs: readonly string[]): Promise<TestRedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'guard-core-redis-'));
  let child: ChildProcess | null = null;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    ...extraArgs,
  ];

  const startOnce = async (): Promise<void> => {
    const proc = spawnTracked(args);
    child = proc;
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code} during start-up`))),
    );
    exited.catch(() => undefined);
    await Promise.race([waitForPong(port, 5000), exited]);
  };
  // A restart may find the port still held for a moment (a probe of another test process): retry.
  const start = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startOnce();
      } catch (error) {
        const exited = child === null || child.exitCode !== null || child.signalCode !== null;
        if (!exited || attempt >= 5) throw error; // only a server that could not bind is retried
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    const gone = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await gone;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startContainerRedis(): Promise<TestRedisServer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const port = await freePort();
  const make = () =>
    new GenericContainer('redis:7-alpine')
      .withExposedPorts({ container: 6379, host: port })
      .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
      .start();
  let container: Awaited<ReturnType<typeof make>> | null = await make();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start: async () => {
      container = await make();
    },
    stop: async () => {
      await container?.stop();
      container = null;
    },
    dispose: async () => {
      await container?.stop();
      container = null;
    },
  };
}

async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves once `PING` on the port gets an answer from a live server (`+PONG`, or `-NOAUTH`
 * from one started with `--requirepass`), or rejects after `timeoutMs`.
 */
export async function waitForPong(port: number, timeoutMs: number, tls?: { readonly ca: string }): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await pingOnce(port, tls)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis on port ${port} did not answer PING within ${timeoutMs} ms`);
}

/** One PING, over TLS (trusting `tls.ca`, PEM text) when given. */
function pingOnce(port: number, tls?: { readonly ca: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket =
      tls === undefined
        ? createConnection({ port, host: '127.0.0.1' })
        : tlsConnect({ port, host: '127.0.0.1', ca: tls.ca });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once(tls === undefined ? 'connect' : 'secureConnect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}
