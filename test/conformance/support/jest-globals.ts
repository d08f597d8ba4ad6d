/**
 * The types of `test`, `it` and `describe` from `@jest/globals`, mirrored structurally (Jest is
 * not a dependency of this repository). Copied in shape from `@jest/types` `Global` (Jest 29/30):
 * a test callback returns nothing or a promise, or takes a `done` callback; a timeout in ms
 * may follow it; `describe` takes a synchronous block. `each` tables are reduced to their
 * outermost call, which the kit never uses.
 */

/** `Global.ValidTestReturnValues`. */
export type ValidTestReturnValues = void | undefined;
/** `Global.TestReturnValue`. */
export type TestReturnValue = ValidTestReturnValues | Promise<unknown>;
/** `Global.TestContext`. */
export type TestContext = Record<string, unknown>;
/** `Global.DoneFn`. */
export type DoneFn = (reason?: string | Error) => void;
/** `Global.DoneTakingTestFn`. */
export type DoneTakingTestFn = (this: TestContext, done: DoneFn) => ValidTestReturnValues;
/** `Global.PromiseReturningTestFn`. */
export type PromiseReturningTestFn = (this: TestContext) => TestReturnValue;
/** `Global.GeneratorReturningTestFn`. */
export type GeneratorReturningTestFn = (this: TestContext) => Generator<void, unknown, void>;
/** `Global.NameLike`: Jest writes `number | Function` (a class or function used as a name). */
export type NameLike = number | ((...args: never[]) => unknown) | (abstract new (...args: never[]) => unknown);
/** `Global.TestNameLike`. */
export type TestNameLike = string | NameLike;
/** `Global.TestFn`. */
export type TestFn = PromiseReturningTestFn | GeneratorReturningTestFn | DoneTakingTestFn;
/** `Global.ConcurrentTestFn`. */
export type ConcurrentTestFn = () => Promise<unknown>;
/** `Global.BlockFn`. */
export type BlockFn = () => void;
/** `Global.BlockNameLike`. */
export type BlockNameLike = string | NameLike;

/** `Global.Each`, reduced to the table call. */
export type Each<EachFn extends TestFn | BlockFn | ConcurrentTestFn> = (
  table: readonly (readonly unknown[])[],
) => (name: string | NameLike, fn: (...args: readonly unknown[]) => ReturnType<EachFn>, timeout?: number) => void;

/** `Global.ItBase`. */
export interface ItBase {
  (testName: TestNameLike, fn: TestFn, timeout?: number): void;
  each: Each<TestFn>;
  failing(testName: TestNameLike, fn: TestFn, timeout?: number): void;
}

/** `Global.It`. */
export interface It extends ItBase {
  only: ItBase;
  skip: ItBase;
  todo: (testName: TestNameLike) => void;
}

/** `Global.ItConcurrentBase`. */
export interface ItConcurrentBase {
  (testName: TestNameLike, testFn: ConcurrentTestFn, timeout?: number): void;
  each: Each<ConcurrentTestFn>;
  failing(testName: TestNameLike, fn: ConcurrentTestFn, timeout?: number): void;
}

/** `Global.ItConcurrentExtended`. */
export interface ItConcurrentExtended extends ItConcurrentBase {
  only: ItConcurrentBase;
  skip: ItConcurrentBase;
}

/** `Global.ItConcurrent`: the type of `test` and `it` exported by `@jest/globals`. */
export interface ItConcurrent extends It {
  concurrent: ItConcurrentExtended;
}

/** `Global.DescribeBase`. */
export interface DescribeBase {
  (blockName: BlockNameLike, blockFn: BlockFn): void;
  each: Each<BlockFn>;
}

/** `Global.Describe`: the type of `describe` exported by `@jest/globals`. */
export interface Describe extends DescribeBase {
  only: DescribeBase;
  skip: DescribeBase;
}

/** What `import { test, it, describe } from '@jest/globals'` gives. */
export interface JestGlobals {
  readonly test: ItConcurrent;
  readonly it: ItConcurrent;
  readonly describe: Describe;
}
