/**
 * Prefixes as the kit hands them to a factory, and how a store maps them onto a backend that
 * cannot hold every character of them.
 */
import { GuardInputError } from '../core/errors.js';
import { describe } from '../core/validate.js';
import { describeError, show } from './trace.js';

/**
 * Maps a prefix the kit gives a factory (`make({ prefix })`) onto a namespace your backend can
 * hold, one to one: `%` and every character of `reserved` become `%XX` (`%u{XXXX}` above
 * U+00FF); every other character is kept. Distinct prefixes stay distinct, so the isolation
 * properties (P15, P16) still check what they mean to, and characters you do not reserve (glob
 * characters, unicode) still reach the store, so its own escaping is exercised.
 *
 * Throws `GuardInputError` when `prefix` or `reserved` is not a string.
 *
 * @example
 * // RedisCloudIpStore refuses a keyPrefix containing ':' (its namespace/provider separator):
 * runStoreConformance(({ prefix }) => new RedisCloudIpStore(redis, encodePrefix(prefix, ':')), {
 *   capabilities: { ttl: { resolutionMs: 50 } },
 * });
 */
export function encodePrefix(prefix: string, reserved: string): string {
  if (typeof prefix !== 'string') throw new GuardInputError('prefix', `expected a string, got ${describe(prefix)}`);
  if (typeof reserved !== 'string') {
    throw new GuardInputError('reserved', `expected a string of characters, got ${describe(reserved)}`);
  }
  const encoded = new Set([...reserved, '%']);
  let out = '';
  for (const char of prefix) {
    if (!encoded.has(char)) {
      out += char;
      continue;
    }
    const code = char.codePointAt(0) as number;
    out +=
      code <= 0xff ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : `%u{${code.toString(16).toUpperCase()}}`;
  }
  return out;
}

/**
 * A factory threw while making a store for `prefix`. Reported as the property's failure, with
 * a hint: the kit's prefixes hold characters many backends reserve.
 */
export class ConformanceFactoryError extends Error {
  override name = 'ConformanceFactoryError';

  /** The factory threw `cause` when given `prefix`. */
  constructor(
    /** The prefix the factory was given. */
    readonly prefix: string,
    cause: unknown,
  ) {
    super(
      `factory.make({ prefix: ${show(prefix)} }) threw ${describeError(cause)}. The kit's prefixes contain ` +
        'glob and separator characters (* ? [ ] \\ : %) and unicode; if your backend cannot hold some of them, map ' +
        "the prefix one to one, e.g. `make: ({ prefix }) => new MyStore(encodePrefix(prefix, ':'))` " +
        "(encodePrefix from 'guard-core/testing')",
      { cause },
    );
  }
}
