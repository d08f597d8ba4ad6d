/**
 * One identity for guard-core's error classes across copies of the package in one process (the
 * CommonJS and ESM builds, issue 11 item 3): a second copy of `src/core/errors.ts` is loaded
 * as a distinct module instance (a query string makes Vite load it again), standing for the
 * other build. The installed-package version of this check is test/packaging (both-formats.cjs).
 */
import { describe, expect, test } from 'vitest';
import * as here from '../../src/core/errors.js';

type Errors = typeof here;
// A variable specifier: the type checker does not resolve it (it has no `?query` modules), Vite does.
const otherCopy = '../../src/core/errors.js?other-build';
const other = (await import(/* @vite-ignore */ otherCopy)) as Errors;

function redisError(api: Errors): here.GuardRedisError {
  return new api.GuardRedisError(503, 'connect ECONNREFUSED 127.0.0.1:1');
}

describe('error classes of two copies of guard-core', () => {
  test('the copies are distinct classes (the situation being fixed)', () => {
    expect(other.GuardRedisError).not.toBe(here.GuardRedisError);
    expect(Object.getPrototypeOf(redisError(other))).not.toBe(here.GuardRedisError.prototype);
  });

  test('an instance of one copy is instanceof the same-named class of the other, and of its parents', () => {
    for (const [from, to] of [
      [other, here],
      [here, other],
    ] as const) {
      const error = redisError(from);
      expect(error instanceof to.GuardRedisError).toBe(true);
      expect(error instanceof to.GuardCoreError).toBe(true);
      expect(error instanceof Error).toBe(true);
      const data = new from.GuardRedisDataError('WRONGTYPE', 'k');
      expect(data instanceof to.GuardRedisDataError).toBe(true);
      expect(data instanceof to.GuardRedisError).toBe(true);
      const pattern = new from.GuardPatternError('patterns', '(a+)+', 'unsafe', 'may backtrack');
      expect(pattern instanceof to.GuardInputError).toBe(true);
    }
  });

  test('a parent class instance is not instanceof a subclass of the other copy, nor of a sibling', () => {
    expect(redisError(other) instanceof here.GuardRedisDataError).toBe(false);
    expect(redisError(other) instanceof here.GuardInputError).toBe(false);
    expect(new other.GuardBridgeTimeoutError('late', 'redis.get', 5) instanceof here.GuardBridgeCrashError).toBe(false);
    expect(new other.GuardBridgeTimeoutError('late', 'redis.get', 5) instanceof here.GuardBridgeError).toBe(true);
  });

  test('plain errors and look-alikes are not guard-core errors', () => {
    const plain = Object.assign(new Error('x'), { name: 'GuardRedisError', code: 'GUARD_REDIS_UNAVAILABLE' });
    expect(plain instanceof here.GuardCoreError).toBe(false);
    expect(plain instanceof here.GuardRedisError).toBe(false);
    class GuardRedisError extends Error {} // same name, not guard-core's
    expect(new GuardRedisError() instanceof here.GuardRedisError).toBe(false);
    for (const value of [null, undefined, 'GuardRedisError', 42, {}, Object.create(null)]) {
      expect(value instanceof here.GuardCoreError).toBe(false);
    }
  });

  test("a user's subclass: its instances are instanceof the other copy's parent; other values are not instanceof it", () => {
    class AppRedisError extends here.GuardRedisError {}
    const mine = new AppRedisError(503, 'down');
    expect(mine instanceof AppRedisError).toBe(true);
    expect(mine instanceof other.GuardRedisError).toBe(true);
    // The brand is the class's own: a subclass does not inherit it, so unrelated guard-core errors stay out.
    expect(redisError(here) instanceof AppRedisError).toBe(false);
    expect(redisError(other) instanceof AppRedisError).toBe(false);
  });

  test('the brand is invisible: not enumerable, not an own field of instances (the codec copies own fields)', () => {
    expect(Object.keys(here.GuardRedisError)).toEqual([]);
    expect(Object.getOwnPropertySymbols(redisError(here))).toEqual([]);
  });
});
