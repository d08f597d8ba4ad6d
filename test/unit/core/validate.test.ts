import { describe, expect, test } from 'vitest';
import { GuardCoreError, GuardInputError, MAX_TTL_SECONDS } from '../../../src/index.js';
import {
  describe as describeValue,
  requireName,
  requireRanges,
  requireStorable,
  requireTtl,
} from '../../../src/core/validate.js';

function inputError(call: () => unknown): GuardInputError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(GuardInputError);
    expect(error).toBeInstanceOf(GuardCoreError);
    return error as GuardInputError;
  }
  throw new Error('expected a GuardInputError');
}

describe('requireTtl', () => {
  test('undefined and null mean no expiry; whole seconds pass through', () => {
    expect(requireTtl(undefined)).toBeNull();
    expect(requireTtl(null)).toBeNull();
    expect(requireTtl(1)).toBe(1);
    expect(requireTtl(MAX_TTL_SECONDS)).toBe(MAX_TTL_SECONDS);
  });

  test.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_TTL_SECONDS + 1, '60', true])(
    '%s is refused naming ttl',
    (ttl) => {
      const error = inputError(() => requireTtl(ttl));
      expect(error.field).toBe('ttl');
      expect(error.message).toContain('ttl');
    },
  );
});

describe('requireName', () => {
  test('accepts a non-empty string', () => {
    expect(requireName('provider', 'AWS')).toBe('AWS');
  });
  test.each([
    ['', 'must not be empty'],
    [42, 'expected a string'],
    [null, 'expected a string'],
    [undefined, 'expected a string'],
  ])('%j is refused', (value, message) => {
    const error = inputError(() => requireName('provider', value));
    expect(error.field).toBe('provider');
    expect(error.message).toContain(message);
  });
});

describe('requireRanges', () => {
  test('copies a Set, an array or any iterable of strings', () => {
    const source = new Set(['10.0.0.0/8']);
    const copy = requireRanges(source);
    source.add('11.0.0.0/8');
    expect(copy).toEqual(['10.0.0.0/8']);
    expect(requireRanges(['a', 'b'])).toEqual(['a', 'b']);
    expect(requireRanges(new Map([['k', 'v']]).values())).toEqual(['v']);
    expect(requireRanges([])).toEqual([]);
  });
  test.each([['10.0.0.0/8'], [null], [undefined], [42], [{}], [[1]], [['ok', null]]])(
    '%j is refused naming ranges',
    (value) => {
      expect(inputError(() => requireRanges(value)).field).toBe('ranges');
    },
  );
});

describe('requireStorable', () => {
  test('strings as they are, finite numbers in decimal', () => {
    expect(requireStorable('v')).toBe('v');
    expect(requireStorable('')).toBe('');
    expect(requireStorable(42)).toBe('42');
    expect(requireStorable(-1.5)).toBe('-1.5');
  });
  test.each([Number.NaN, Number.POSITIVE_INFINITY, null, undefined, {}, ['a'], true])(
    '%j is refused naming value',
    (value) => {
      expect(inputError(() => requireStorable(value)).field).toBe('value');
    },
  );
});

describe('describe (for messages)', () => {
  test('never prints a long string in full', () => {
    expect(describeValue('x'.repeat(100))).toBe('a string of 100 characters');
    expect(describeValue('short')).toBe('"short"');
    expect(describeValue(null)).toBe('null');
    expect(describeValue([1])).toBe('an array');
    expect(describeValue(new Map())).toBe('a Map object');
    expect(describeValue(Object.create(null))).toBe('a plain object');
    expect(describeValue({ a: 1 })).toBe('a plain object');
  });
});
