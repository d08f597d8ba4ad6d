/**
 * Small async modules for the golden and refusal tests, laid out like the repository
 * (`src/async`, the twinned seams, `src/core`) so the default tables apply.
 */

/** Twinned, async-only and core modules the fixtures import. They are not mirrored (or live outside src/async). */
export const SUPPORT_FILES: Readonly<Record<string, string>> = {
  'src/core/helper.ts': `export function helper(): number {
  return 1;
}
`,
  'src/async/seams/redis.ts': `export interface RedisConnection {
  del(key: string): Promise<number>;
  scan(match: string, cursor: string, count: number): Promise<{ cursor: string; keys: string[] }>;
}
export type OpenRedisConnection = () => Promise<RedisConnection>;
`,
  'src/async/seams/http.ts': `export interface HttpClient {
  getText(url: string): Promise<string>;
}
`,
  'src/async/seams/scripts.ts': `export const SCRIPT = 'return 1';
`,
  'src/async/support/single-flight.ts': `export class SingleFlight<T> {
  async run(work: () => Promise<T>): Promise<T> {
    return work();
  }
}
`,
  'src/async/support/background.ts': `export function runInBackground(task: () => Promise<void>, onError: (error: unknown) => void): void {
  task().catch(onError);
}
`,
};

/** Mirrored fixtures and their expected sync text (after the header line). */
export const GOLDEN: ReadonlyArray<{ readonly name: string; readonly source: string; readonly expected: string }> = [
  {
    name: 'await removal keeps precedence and drops needless parentheses',
    source: `import type { RedisConnection } from './seams/redis.js';
import { helper } from '../core/helper.js';

export async function size(c: RedisConnection): Promise<number> {
  const n = (await c.scan('*', '0', 10)).keys.length;
  const first = (await c.scan('a', '0', 1)).keys[0] ?? 'none';
  return n + (await c.del(first)) + helper() - -(await c.del('x'));
}

export async function wrapped(c: RedisConnection): Promise<number> {
  return await /* one round trip */
    c.del('k');
}
`,
    expected: `import type { SyncRedisConnection } from '../bridge/seams/redis.js';
import { helper } from '../core/helper.js';

export function size(c: SyncRedisConnection): number {
  const n = c.scan('*', '0', 10).keys.length;
  const first = c.scan('a', '0', 1).keys[0] ?? 'none';
  return n + c.del(first) + helper() - -c.del('x');
}

export function wrapped(c: SyncRedisConnection): number {
  return c.del('k');
}
`,
  },
  {
    name: 'Promise unwrapping in nested type positions',
    source: `export type Loader<T> = (key: string, fallback: () => Promise<T | null>) => Promise<Array<Promise<T>>>;

export interface Box<T> {
  readonly pending: Promise<string | number>[];
  readonly waiting: Map<string, Promise<T>>;
  load(): PromiseLike<Map<string, Promise<void>>>;
  settle(value: Awaited<Promise<T>>): Promise<Awaited<T>>;
}

export const make = async <T,>(value: Promise<T>): Promise<T | undefined> => await value;

export type Maybe = Promise<() => string> | null;
export type Both<C> = Promise<string | number> & C;
export type Keys<T> = Promise<keyof T>[];
`,
    expected: `export type Loader<T> = (key: string, fallback: () => T | null) => Array<T>;

export interface Box<T> {
  readonly pending: (string | number)[];
  readonly waiting: Map<string, T>;
  load(): Map<string, void>;
  settle(value: T): T;
}

export const make = <T>(value: T): T | undefined => value;

export type Maybe = (() => string) | null;
export type Both<C> = (string | number) & C;
export type Keys<T> = (keyof T)[];
`,
  },
  {
    name: 'for await, await using, async generators and asyncDispose',
    source: `export async function* pages(source: AsyncIterable<string>): AsyncGenerator<string, void, undefined> {
  for await (const page of source) yield page;
}

export async function total(
  source: AsyncIterableIterator<string>,
  open: () => Promise<AsyncDisposable & { readonly n: number }>,
): Promise<number> {
  await using lease = await open();
  let count = lease.n;
  for await (const page of pages(source)) count += page.length;
  return count;
}

export const lease: AsyncDisposable = { [Symbol.asyncDispose]: async () => undefined };

export const numbers = {
  async *[Symbol.asyncIterator](): AsyncIterator<number> {
    yield 1;
  },
};

export async function cleanup(): Promise<void> {
  await using stack = new AsyncDisposableStack();
  stack.use(lease);
}
`,
    expected: `export function* pages(source: Iterable<string>): Generator<string, void, undefined> {
  for (const page of source) yield page;
}

export function total(source: IterableIterator<string>, open: () => Disposable & { readonly n: number }): number {
  using lease = open();
  let count = lease.n;
  for (const page of pages(source)) count += page.length;
  return count;
}

export const lease: Disposable = { [Symbol.dispose]: () => undefined };

export const numbers = {
  *[Symbol.iterator](): Iterator<number> {
    yield 1;
  },
};

export function cleanup(): void {
  using stack = new DisposableStack();
  stack.use(lease);
}
`,
  },
  {
    name: 'await Promise.all becomes the list itself',
    source: `export async function both(
  a: () => Promise<number>,
  b: () => Promise<number>,
  xs: string[],
  f: (x: string) => Promise<number>,
): Promise<number> {
  const [x, y] = await Promise.all([a(), b()]);
  const doubled = await Promise.all(xs.map(async (s) => (await f(s)) * 2));
  return x + y + (await Promise.all(xs.map(f))).length + doubled.length;
}
`,
    expected: `export function both(a: () => number, b: () => number, xs: string[], f: (x: string) => number): number {
  const [x, y] = [a(), b()];
  const doubled = xs.map((s) => f(s) * 2);
  return x + y + xs.map(f).length + doubled.length;
}
`,
  },
  {
    name: 'name table: declarations, implements, specifiers, TSDoc links; members and prose untouched',
    source: `import type { RedisConnection as Connection, OpenRedisConnection } from './seams/redis.js';

/** A handler; see {@link RedisHandlerProtocol.getKey} and \`RedisLease\`. A RedisLease in prose stays. */
export interface RedisHandlerProtocol {
  getKey(key: string): Promise<string | null>;
}

/** Leased via {@linkcode RedisHandlerProtocol}. */
export interface RedisLease extends AsyncDisposable {
  readonly connection: Connection;
}

export class Handler implements RedisHandlerProtocol {
  readonly RedisLease = 'member names are not types';
  constructor(private readonly open: OpenRedisConnection) {}
  async getKey(key: string): Promise<string | null> {
    const connection = await this.open();
    return String(await connection.del(key));
  }
}
`,
    expected: `import type { SyncRedisConnection as Connection, SyncOpenRedisConnection } from '../bridge/seams/redis.js';

/** A handler; see {@link SyncRedisHandlerProtocol.getKey} and \`SyncRedisLease\`. A RedisLease in prose stays. */
export interface SyncRedisHandlerProtocol {
  getKey(key: string): string | null;
}

/** Leased via {@linkcode SyncRedisHandlerProtocol}. */
export interface SyncRedisLease extends Disposable {
  readonly connection: Connection;
}

export class Handler implements SyncRedisHandlerProtocol {
  readonly RedisLease = 'member names are not types';
  constructor(private readonly open: SyncOpenRedisConnection) {}
  getKey(key: string): string | null {
    const connection = this.open();
    return String(connection.del(key));
  }
}
`,
  },
  {
    name: 'import rewrites at depth: twins move, core and mirrored imports keep resolving',
    source: `import { helper } from '../../../core/helper.js';
import { SingleFlight } from '../../support/single-flight.js';
import { runInBackground } from '../../support/background.js';
import type { Box } from '../../types.js';
export type { HttpClient } from '../../seams/http.js';
export * from '../../seams/redis.js';

export type Lease = import('../../seams/redis.js').RedisConnection;

export function start(flight: SingleFlight<number>, box: Box<number>): number {
  runInBackground(async () => {
    await flight.run(async () => helper());
  }, () => undefined);
  return box.pending.length;
}
`,
    expected: `import { helper } from '../../../core/helper.js';
import { SingleFlight } from '../../../bridge/support/single-flight.js';
import { runInBackground } from '../../../bridge/support/background.js';
import type { Box } from '../../types.js';
export type { SyncHttpClient } from '../../../bridge/seams/http.js';
export * from '../../../bridge/seams/redis.js';

export type Lease = import('../../../bridge/seams/redis.js').SyncRedisConnection;

export function start(flight: SingleFlight<number>, box: Box<number>): number {
  runInBackground(
    () => {
      flight.run(() => helper());
    },
    () => undefined,
  );
  return box.pending.length;
}
`,
  },
];

/** Where each golden fixture lives (its name in GOLDEN decides the file). */
export const GOLDEN_PATHS: readonly string[] = [
  'src/async/await.ts',
  'src/async/types.ts',
  'src/async/iteration.ts',
  'src/async/all.ts',
  'src/async/names.ts',
  'src/async/deep/nested/imports.ts',
];

/**
 * Every refused construct, one per line, each line marked `// refused: <what the message names>`.
 * The test finds the expected line of each refusal from its marker.
 */
export const REFUSED_SOURCE = `import { SCRIPT } from './seams/scripts.js'; // refused: async-only

export class Refused {
  private readonly warmed = this.load(); // refused: stored without await

  async load(): Promise<number> {
    return SCRIPT.length;
  }

  async all(xs: number[]): Promise<number> {
    const a = await Promise.race([this.load(), this.load()]); // refused: Promise.race
    const b = await Promise.any([this.load()]); // refused: Promise.any
    const c = await Promise.allSettled([this.load()]); // refused: Promise.allSettled
    const d = await new Promise<number>((resolve) => resolve(1)); // refused: new Promise
    const e = await this.load().then((v) => v + 1); // refused: .then
    const f = await this.load().catch(() => 0); // refused: .catch
    const g = await this.load().finally(() => undefined); // refused: .finally
    this.load(); // refused: floating
    void this.load(); // refused: void
    const h = this.load(); // refused: stored without await
    setTimeout(() => undefined, 10); // refused: setTimeout
    setInterval(() => undefined, 10); // refused: setInterval
    setImmediate(() => undefined); // refused: setImmediate
    queueMicrotask(() => undefined); // refused: queueMicrotask
    xs.forEach(async (x) => { await this.load(); }); // refused: async callback
    try {
      return this.load(); // refused: inside try
    } finally {
      await this.load();
    }
  }
}
`;

/** Promise-typed expressions with a faithful sync meaning: none of these may be refused. */
export const ALLOWED_SOURCE = `import { runInBackground } from './support/background.js';
import type { RedisConnection } from './seams/redis.js';

const schema = { catch: (fallback: number) => fallback, then: 1 };

export class Allowed {
  constructor(private readonly connection: RedisConnection) {}

  private async safeOperation<T>(operation: (c: RedisConnection) => Promise<T>): Promise<T> {
    try {
      return await operation(this.connection);
    } catch {
      throw new Error('failed');
    }
  }

  remove(key: string): Promise<number> {
    return this.safeOperation((c) => c.del(key));
  }

  async both(keys: string[]): Promise<number[]> {
    const each = async (key: string): Promise<number> => this.remove(key);
    await this.remove('x');
    runInBackground(() => this.warm(), () => undefined);
    return Promise.all(keys.map(each));
  }

  async warm(): Promise<void> {
    const fallback = schema.catch(0);
    await this.remove(String(fallback));
  }
}
`;
