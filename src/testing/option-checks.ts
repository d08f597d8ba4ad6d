/**
 * Checks of option values, each throwing `GuardInputError` naming the field (or the
 * environment variable) and what was expected.
 */
import { GuardInputError } from '../core/errors.js';
import { describe } from '../core/validate.js';
import { PROPERTY_IDS, isPropertyId, type PropertyId } from './property-ids.js';

/** Environment variables as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** An object whose keys are all in `known` (any keys when `known` is null). */
export function requireRecord(field: string, value: unknown, known: readonly string[] | null): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GuardInputError(field, `expected an object, got ${describe(value)}`);
  }
  if (known !== null) {
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) {
        throw new GuardInputError(`${field}.${key}`, `unknown key "${key}"; known keys: ${known.join(', ')}`);
      }
    }
  }
  return value as Record<string, unknown>;
}

/** A whole number within [min, max]. */
export function requireInt(field: string, value: unknown, min = -(2 ** 31), max = 2 ** 31 - 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new GuardInputError(field, `expected a whole number from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** `true` or `false`. */
export function requireBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new GuardInputError(field, `expected true or false, got ${describe(value)}`);
  return value;
}

/** One of `allowed`. */
export function requireEnum<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new GuardInputError(field, `expected one of ${allowed.join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

/** A function. */
export function requireFunction<T>(field: string, value: unknown): T {
  if (typeof value !== 'function') throw new GuardInputError(field, `expected a function, got ${describe(value)}`);
  return value as T;
}

/** A non-empty string, or null when undefined. */
export function optionalString(field: string, value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.length === 0) {
    throw new GuardInputError(field, `expected a non-empty string, got ${describe(value)}`);
  }
  return value;
}

/** A list of known property ids. */
export function requireIds(field: string, value: unknown): PropertyId[] {
  if (!Array.isArray(value))
    throw new GuardInputError(field, `expected an array of property ids, got ${describe(value)}`);
  for (const id of value) {
    if (!isPropertyId(id)) {
      throw new GuardInputError(field, `unknown property ${describe(id)}; known: ${PROPERTY_IDS.join(', ')}`);
    }
  }
  return [...(value as PropertyId[])];
}

/** A trimmed, non-empty variable, or null. */
export function envString(env: Env, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? null : raw.trim();
}

/** A whole-number variable, or null. */
export function envInt(env: Env, name: string, min?: number): number | null {
  const raw = envString(env, name);
  if (raw === null) return null;
  if (!/^-?\d+$/.test(raw)) throw new GuardInputError(name, `expected a whole number, got ${JSON.stringify(raw)}`);
  return requireInt(name, Number(raw), min);
}

/** A comma-separated list of property ids (case-insensitive), or null. */
export function envList(env: Env, name: string): PropertyId[] | null {
  const raw = envString(env, name);
  if (raw === null) return null;
  return requireIds(
    name,
    raw.split(',').map((s) => s.trim().toUpperCase()),
  );
}
