/**
 * A TCP proxy for fault tests: pass traffic, cut it (a black hole: connections are accepted,
 * nothing is answered), delay it, or drop every connection. It runs on a worker thread, so it
 * keeps working while a sync-API call blocks the test's main thread.
 */
import { Worker } from 'node:worker_threads';

/** Counters of the proxy. */
export interface TcpProxyStats {
  /** Client connections accepted since start. */
  readonly accepted: number;
  /** Connections currently open. */
  readonly active: number;
}

/** Control of a running proxy. Every method resolves once the worker applied it. */
export interface TcpProxy {
  /** The port clients connect to (on 127.0.0.1). */
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Black-holes traffic: new connections are accepted, no byte goes through either way (held, not lost). */
  cut(): Promise<void>;
  /** Back to plain forwarding, no delay; bytes held during a cut are delivered in order. */
  restore(): Promise<void>;
  /** Delays every chunk by `ms` (order kept). */
  delay(ms: number): Promise<void>;
  /** Closes every open connection at once (clients see the peer go away). */
  dropConnections(): Promise<void>;
  /** Connection counters. */
  stats(): Promise<TcpProxyStats>;
  /** Stops listening, closes every connection and ends the worker. */
  close(): Promise<void>;
}

interface Reply {
  readonly id?: number;
  readonly result?: unknown;
  readonly error?: string;
  readonly ready?: boolean;
  readonly port?: number;
}

/** Starts a proxy in front of `target` (default host 127.0.0.1). */
export async function startTcpProxy(target: { host?: string; port: number }): Promise<TcpProxy> {
  const worker = new Worker(new URL('./tcp-proxy-worker.mjs', import.meta.url), {
    workerData: { host: target.host ?? '127.0.0.1', port: target.port },
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: Reply) => {
      if (message.ready) {
        resolve(message.port ?? 0);
        return;
      }
      const waiter = message.id === undefined ? undefined : pending.get(message.id);
      if (!waiter || message.id === undefined) return;
      pending.delete(message.id);
      if (message.error !== undefined) waiter.reject(new Error(`tcp proxy: ${message.error}`));
      else waiter.resolve(message.result);
    });
  });
  worker.on('exit', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('tcp proxy worker exited'));
    pending.clear();
  });

  const call = (command: string, arg?: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, command, arg });
    });

  let closed = false;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    cut: async () => void (await call('cut')),
    restore: async () => void (await call('restore')),
    delay: async (ms) => void (await call('delay', ms)),
    dropConnections: async () => void (await call('drop')),
    stats: async () => (await call('stats')) as TcpProxyStats,
    close: async () => {
      if (closed) return;
      closed = true;
      await call('close');
      await worker.terminate();
    },
  };
}
