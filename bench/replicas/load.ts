/**
 * A typed wrapper over autocannon's programmatic API (the package ships no types): the options
 * and result fields the replica bench uses, and a request whose `X-Forwarded-For` rotates over a
 * list of client addresses, so one load generator behind a trusted proxy is many clients.
 */
import { createRequire } from 'node:module';

/** Latency figures of a run, in milliseconds. */
export interface LatencyStats {
  readonly average: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** The part of autocannon's result the bench reads. */
export interface LoadResult {
  readonly latency: LatencyStats;
  readonly requests: { readonly average: number; readonly total: number };
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly statusCodeStats: Readonly<Record<string, { readonly count: number }>>;
  /** Seconds the run lasted. */
  readonly duration: number;
}

interface RequestParams {
  method: string;
  path: string;
  headers: Record<string, string>;
}

/** Per-connection scratch object autocannon passes to `setupRequest` and `onResponse`. */
interface Context {
  ip?: string;
}

interface LoadOptions {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  timeout?: number;
  requests: Array<{
    method: string;
    path: string;
    setupRequest: (request: RequestParams, context: Context) => RequestParams;
    onResponse?: (status: number, body: string, context: Context) => void;
  }>;
}

type Autocannon = (options: LoadOptions) => Promise<LoadResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** Options of {@link runLoad}. */
export interface RunLoadOptions {
  readonly url: string;
  readonly path?: string;
  readonly connections: number;
  /** Seconds to run (or use `amount`). */
  readonly duration?: number;
  /** Requests to send. */
  readonly amount?: number;
  /** The client addresses, sent one after another in `X-Forwarded-For`. */
  readonly clients: readonly string[];
  /** Called with each response's status and the client it was for. */
  readonly onResponse?: (status: number, client: string) => void;
}

/** Runs one autocannon load against `url`. */
export async function runLoad(options: RunLoadOptions): Promise<LoadResult> {
  let next = 0;
  const { clients } = options;
  return autocannon({
    url: options.url,
    connections: options.connections,
    // autocannon merges its defaults with Object.assign: an `undefined` would erase one.
    ...(options.duration === undefined ? {} : { duration: options.duration }),
    ...(options.amount === undefined ? {} : { amount: options.amount }),
    timeout: 10,
    requests: [
      {
        method: 'GET',
        path: options.path ?? '/',
        setupRequest: (request, context) => {
          const ip = clients[next++ % clients.length]!;
          context.ip = ip;
          return { ...request, headers: { ...request.headers, 'x-forwarded-for': ip } };
        },
        ...(options.onResponse === undefined
          ? {}
          : {
              onResponse: (status: number, _body: string, context: Context) =>
                options.onResponse!(status, context.ip ?? ''),
            }),
      },
    ],
  });
}
