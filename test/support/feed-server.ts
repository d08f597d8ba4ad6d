/**
 * A local HTTP server for provider feeds: serves the real snapshots kept in the repository
 * (`test/fixtures/cloud-ranges/`, so a fresh clone tests on its own) and programmable broken answers.
 *
 * It runs on a worker thread: tests of the sync API block the main thread during a call, and the
 * server must answer meanwhile. Control calls (`route`, `requests`…) are synchronous — they wait on
 * an Atomics word for the worker's answer — so a route is in place before the next line runs, even
 * when that line is a blocking sync call.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { DEFAULT_FEED_FILES } from '../../src/core/cloud/feeds.js';

/** The snapshot directory inside the repository (`test/fixtures/cloud-ranges`, see its SOURCES.md). */
export const FIXTURES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/cloud-ranges');

/** The snapshot file of each provider, as named in the fixtures directory. */
export const FIXTURE_FILES = DEFAULT_FEED_FILES;

/** What a programmed route answers. Fields combine: e.g. `{ file, truncateAt }` or `{ status: 500, body }`. */
export interface RouteResponse {
  /** HTTP status (default 200). */
  readonly status?: number;
  /** Body text (default empty); ignored when `file` is set. */
  readonly body?: string;
  /** Serve this fixture file (a name in {@link FIXTURES_DIR}). */
  readonly file?: string;
  /** Content-Type header (default from the file extension, else text/plain). */
  readonly contentType?: string;
  /** Extra response headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Send only the first N bytes of the body (with a matching Content-Length: a short but complete answer). */
  readonly truncateAt?: number;
  /** With `truncateAt`: announce the full length, send N bytes, then drop the connection. */
  readonly abort?: boolean;
  /** Answer after this many milliseconds. */
  readonly delayMs?: number;
  /** Never answer (the socket is dropped when the server closes). */
  readonly hang?: boolean;
}

/** One request the server received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** The query string, with its `?`, or ''. */
  readonly search: string;
  readonly userAgent: string | null;
}

/** A running fixture server. */
export interface FeedServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** The absolute URL of a path or fixture file name: `url('aws-ip-ranges.json')`. */
  url(pathOrFile: string): string;
  /** Programs `path` (a pathname, optionally with its query string) to answer `response`. Synchronous. */
  route(path: string, response: RouteResponse): void;
  /** Removes a programmed route. */
  unroute(path: string): void;
  /** Every request received so far, oldest first. */
  requests(): RecordedRequest[];
  /** How many requests hit `path` (pathname), or all paths. */
  requestCount(path?: string): number;
  /** Forgets recorded requests and programmed routes. */
  reset(): void;
  /** Stops the server and its thread (hung responses are dropped). */
  close(): Promise<void>;
}

/** Options of {@link startFeedServer}. */
export interface FeedServerOptions {
  /** Serve files from here instead of {@link FIXTURES_DIR}. */
  readonly fixturesDir?: string;
}

type ControlReply = { ok: true; value?: unknown } | { ok: false; error: string };

const CONTROL_TIMEOUT_MS = 10_000;

/** Starts a fixture server on a free loopback port. */
export async function startFeedServer(options: FeedServerOptions = {}): Promise<FeedServer> {
  const channel = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
  const flag = new Int32Array(signal);
  const worker = new Worker(new URL('./feed-server-worker.mjs', import.meta.url), {
    workerData: { fixturesDir: options.fixturesDir ?? FIXTURES_DIR, control: channel.port2, signal },
    transferList: [channel.port2],
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { type: string; port: number }) => resolvePort(m.port));
  });
  const origin = `http://127.0.0.1:${port}`;
  const call = (message: Record<string, unknown>): unknown => controlCall(channel.port1, flag, message);
  const requests = () => call({ type: 'requests' }) as RecordedRequest[];
  let closed = false;

  return {
    origin,
    url: (pathOrFile) => `${origin}/${pathOrFile.replace(/^\//, '')}`,
    route: (path, response) => void call({ type: 'route', path: normalise(path), response }),
    unroute: (path) => void call({ type: 'unroute', path: normalise(path) }),
    requests,
    requestCount(path) {
      const all = requests();
      return path === undefined ? all.length : all.filter((r) => r.path === normalise(path)).length;
    },
    reset: () => void call({ type: 'reset' }),
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((done) => {
        worker.once('message', () => done());
        worker.postMessage({ type: 'close' });
      });
      channel.port1.close();
      await worker.terminate();
    },
  };
}

function normalise(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

/** Posts a control message and blocks until the worker answers (see the module notes). */
function controlCall(port: MessagePort, flag: Int32Array, message: Record<string, unknown>): unknown {
  Atomics.store(flag, 0, 0);
  port.postMessage(message);
  if (Atomics.wait(flag, 0, 0, CONTROL_TIMEOUT_MS) === 'timed-out') {
    throw new Error(`feed server did not answer ${String(message.type)} within ${CONTROL_TIMEOUT_MS} ms`);
  }
  const received = receiveMessageOnPort(port);
  if (received === undefined) throw new Error(`feed server sent no reply to ${String(message.type)}`);
  const reply = received.message as ControlReply;
  if (!reply.ok) throw new Error(`feed server: ${reply.error}`);
  return reply.value;
}
