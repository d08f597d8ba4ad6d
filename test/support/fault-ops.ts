/**
 * Shared pieces of the fault tests: the list of every public operation, and the "fails fast
 * with GuardRedisError 503" assertion.
 */
import { expect } from 'vitest';
import { GuardRedisError } from '../../src/index.js';
import { timeFailure, type ApiUnderTest, type ManagerUnderTest } from './apis.js';

/** Every public operation of a manager and of a Redis store over it. */
export function everyOperation(api: ApiUnderTest, m: ManagerUnderTest): Array<[string, () => unknown]> {
  const store = api.createRedisStore(m);
  return [
    ['getKey', () => m.getKey('ns', 'k')],
    ['setKey', () => m.setKey('ns', 'k', 'v', 10)],
    ['incr', () => m.incr('ns', 'c', 10)],
    ['exists', () => m.exists('ns', 'k')],
    ['delete', () => m.delete('ns', 'k')],
    ['keys', () => m.keys('*')],
    ['deletePattern', () => m.deletePattern('*')],
    [
      'a command on a leased connection',
      async () => {
        await using lease = await m.getConnection();
        return lease.connection.get('k');
      },
    ],
    ['safeOperation', () => m.safeOperation((c) => c.get('k'))],
    ['store.get', () => store.get('AWS')],
    ['store.set', () => store.set('AWS', ['10.0.0.0/8'], 60)],
    ['store.clear', () => store.clear()],
  ];
}

/** Asserts each operation rejects with GuardRedisError 503 within the bound. */
export async function expectAllFailFast(operations: Array<[string, () => unknown]>, bound: number): Promise<void> {
  for (const [name, call] of operations) {
    const { error, elapsedMs } = await timeFailure(call).catch((e: Error) => {
      throw new Error(`${name}: ${e.message}`);
    });
    expect(error, name).toBeInstanceOf(GuardRedisError);
    expect((error as GuardRedisError).statusCode, name).toBe(503);
    expect(elapsedMs, `${name} took ${Math.round(elapsedMs)} ms`).toBeLessThan(bound);
  }
}
