/**
 * An in-memory {@link RedisConnection} for unit tests of the logic above the seam (the
 * manager's lifecycle, error wrapping, batching). It records every call; SCAN pages are small
 * and may repeat a key, as a real SCAN may. Behaviour that depends on Redis itself is tested on
 * a real server instead.
 */
import type { OpenRedisConnection, RedisConnection, RedisSubscription } from '../../src/async/seams/redis.js';
import type {
  RedisArg,
  RedisConnectionOptions,
  RedisReply,
  RedisScript,
  ScanPage,
} from '../../src/core/redis-types.js';

/** One recorded seam call. */
export interface SeamCall {
  readonly method: string;
  readonly args: readonly unknown[];
}

/** Turns a Redis glob (`*`, `?`, `\` escapes; enough for these tests) into a RegExp. */
function globRegex(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '\\') out += (glob[++i] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '*') out += '[\\s\\S]*';
    else if (c === '?') out += '[\\s\\S]';
    else out += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** A fake connection over a shared Map, so several "connections" see one "server". */
export class FakeConnection implements RedisConnection {
  readonly calls: SeamCall[] = [];
  closed = false;
  /** When set, every command rejects with it (the transport failed). */
  failWith: Error | null = null;
  /** Keys per SCAN page. */
  pageSize = 3;

  constructor(readonly data: Map<string, string> = new Map()) {}

  private record(method: string, args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.failWith) throw this.failWith;
  }

  async ping(): Promise<void> {
    this.record('ping', []);
  }
  async get(key: string): Promise<string | null> {
    this.record('get', [key]);
    return this.data.get(key) ?? null;
  }
  async set(key: string, value: string, ttlSeconds: number | null): Promise<boolean> {
    this.record('set', [key, value, ttlSeconds]);
    this.data.set(key, value);
    return true;
  }
  async incr(key: string, ttlSeconds: number | null): Promise<number> {
    this.record('incr', [key, ttlSeconds]);
    const next = Number(this.data.get(key) ?? '0') + 1;
    this.data.set(key, String(next));
    return next;
  }
  async exists(key: string): Promise<boolean> {
    this.record('exists', [key]);
    return this.data.has(key);
  }
  async del(key: string): Promise<number> {
    this.record('del', [key]);
    return this.data.delete(key) ? 1 : 0;
  }
  async pttl(key: string): Promise<number> {
    this.record('pttl', [key]);
    return this.data.has(key) ? -1 : -2;
  }
  async scan(match: string, cursor: string, count: number): Promise<ScanPage> {
    this.record('scan', [match, cursor, count]);
    const regex = globRegex(match);
    // The cursor is the last key returned, so deleting keys between pages skips nothing (as
    // Redis guarantees for keys present during the whole scan).
    const after = cursor === '0' ? null : cursor.slice(2);
    const all = [...this.data.keys()].filter((k) => regex.test(k)).sort();
    const rest = after === null ? all : all.filter((k) => k > after);
    const keys = rest.slice(0, this.pageSize);
    // Like a real SCAN, a page may repeat a key already returned.
    if (after !== null && this.data.has(after) && regex.test(after)) keys.push(after);
    const last = rest[this.pageSize - 1];
    const next = rest.length > this.pageSize && last !== undefined ? `k:${last}` : '0';
    return { cursor: next, keys };
  }
  async unlink(keys: readonly string[]): Promise<number> {
    this.record('unlink', [[...keys]]);
    let removed = 0;
    for (const key of keys) if (this.data.delete(key)) removed++;
    return removed;
  }
  /** Scripts are Redis semantics: the fake only records them and answers `scriptReply`. */
  scriptReply: RedisReply = null;
  async runScript(script: RedisScript, keys: readonly string[], args: readonly RedisArg[]): Promise<RedisReply> {
    this.record('runScript', [script.name, [...keys], [...args]]);
    return this.scriptReply;
  }
  async call(command: string, ...args: RedisArg[]): Promise<RedisReply> {
    this.record('call', [command, ...args]);
    return null;
  }
  async publish(channel: string, message: string): Promise<number> {
    this.record('publish', [channel, message]);
    return 0;
  }
  async subscribe(channel: string, capacity: number): Promise<RedisSubscription> {
    this.record('subscribe', [channel, capacity]);
    return {
      drain: async () => ({ messages: [], gap: false, live: true }),
      close: async () => undefined,
    };
  }
  async close(): Promise<void> {
    this.calls.push({ method: 'close', args: [] });
    this.closed = true;
  }
}

/** An opener that hands out FakeConnections (over one shared Map) and records what it opened. */
export interface FakeOpener {
  readonly open: OpenRedisConnection;
  readonly opened: FakeConnection[];
  readonly options: RedisConnectionOptions[];
  readonly data: Map<string, string>;
  /** When set, the next opens reject with it. */
  failOpen: Error | null;
  /** When set, new connections fail their PING with it. */
  failPing: Error | null;
  /** Resolve this to let a pending open finish (when `hold` is true). */
  hold: boolean;
  release(): void;
}

/** Creates a {@link FakeOpener}. */
export function fakeOpener(): FakeOpener {
  let releaseHeld: (() => void) | null = null;
  const state: FakeOpener = {
    opened: [],
    options: [],
    data: new Map(),
    failOpen: null,
    failPing: null,
    hold: false,
    release: () => {
      releaseHeld?.();
      releaseHeld = null;
    },
    open: async (options) => {
      state.options.push(options);
      if (state.hold) await new Promise<void>((resolve) => (releaseHeld = resolve));
      if (state.failOpen) throw state.failOpen;
      const connection = new FakeConnection(state.data);
      if (state.failPing) {
        const failure = state.failPing;
        connection.ping = async () => {
          connection.calls.push({ method: 'ping', args: [] });
          throw failure;
        };
      }
      state.opened.push(connection);
      return connection;
    },
  };
  return state;
}
