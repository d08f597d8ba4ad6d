/**
 * Checks what `RedisManager.runScript` and `subscribe` are given before any I/O, so bad input
 * is a `GuardInputError` naming the field and never looks like an outage (a 503 would switch
 * every subsystem to memory and mark the connection suspect).
 */
import { GuardInputError } from '../errors.js';
import type { RedisArg, RedisScript } from '../redis-types.js';
import { describe, requireWellFormed } from '../validate.js';

/** The Lua source each script name was first seen with: one name must always carry one source. */
const sources = new Map<string, string>();

/** `script`, checked: a non-empty string `name`, a non-empty string `lua`, and no other source under that name. */
export function requireScript(script: unknown): RedisScript {
  const candidate = script as Partial<RedisScript> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.name !== 'string' ||
    candidate.name === ''
  ) {
    throw new GuardInputError('script', `expected { name, lua } with a non-empty name, got ${describe(script)}`);
  }
  if (typeof candidate.lua !== 'string' || candidate.lua === '') {
    throw new GuardInputError(
      'script',
      `${JSON.stringify(candidate.name)} has no Lua source (got ${describe(candidate.lua)})`,
    );
  }
  const known = sources.get(candidate.name);
  if (known === undefined) sources.set(candidate.name, candidate.lua);
  else if (known !== candidate.lua) {
    throw new GuardInputError('script', `two different Lua scripts are both named ${JSON.stringify(candidate.name)}`);
  }
  return candidate as RedisScript;
}

/** Every argument a string (well-formed UTF-16) or a finite number, as `RedisArg` says. */
export function requireScriptArgs(args: readonly unknown[]): readonly RedisArg[] {
  args.forEach((arg, i) => {
    if (typeof arg === 'string') requireWellFormed('args', arg);
    else if (typeof arg !== 'number' || !Number.isFinite(arg)) {
      throw new GuardInputError('args', `expected strings or finite numbers, got ${describe(arg)} at index ${i}`);
    }
  });
  return args as readonly RedisArg[];
}

/** Largest `capacity` a subscription may buffer between drains. */
export const MAX_SUBSCRIPTION_CAPACITY = 1_000_000;

/** A subscription's buffer size: a whole number from 1 to {@link MAX_SUBSCRIPTION_CAPACITY}. */
export function requireCapacity(capacity: unknown): number {
  if (
    typeof capacity !== 'number' ||
    !Number.isInteger(capacity) ||
    capacity < 1 ||
    capacity > MAX_SUBSCRIPTION_CAPACITY
  ) {
    throw new GuardInputError(
      'capacity',
      `expected a whole number from 1 to ${MAX_SUBSCRIPTION_CAPACITY}, got ${describe(capacity)}`,
    );
  }
  return capacity;
}
