import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseBanExpiry, pythonFloatText } from '../../../src/core/bans/python-float.js';

// [Python's repr(x), x] — printed by CPython 3 (repr == str for floats).
const PYTHON: ReadonlyArray<readonly [string, number]> = [
  ['1796176859.7772214', 1796176859.7772214],
  ['1796176859.0', 1796176859.0],
  ['1e+16', 1e16],
  ['1000000000000000.0', 1e15],
  ['1.5e-07', 1.5e-7],
  ['1e-05', 1e-5],
  ['0.0001', 0.0001],
  ['1.2345678901234568e+17', 1.2345678901234568e17],
  ['0.5', 0.5],
  ['-2.5', -2.5],
  ['5e-324', 5e-324],
  ['1.7976931348623157e+308', 1.7976931348623157e308],
  ['1e+22', 1e22],
  ['100.0', 100.0],
  ['0.30000000000000004', 0.1 + 0.2],
  ['-0.0', -0],
  ['9999999999999998.0', 9999999999999998.0],
  ['0.00012345', 0.00012345],
  ['1764766552.9666324', 1764766552.9666324],
  ['1730169834.7849004', 1730169834.7849004],
  ['1807176400.861338', 1807176400.861338],
  ['1773137783.382517', 1773137783.382517],
];

describe('pythonFloatText', () => {
  test.each(PYTHON)('writes %s as CPython does', (text, value) => {
    expect(pythonFloatText(value)).toBe(text);
  });

  test('infinities and NaN as Python prints them', () => {
    expect([Infinity, -Infinity, NaN].map(pythonFloatText)).toEqual(['inf', '-inf', 'nan']);
  });

  test('an epoch expiry has the shortest round-trip digits (String(x)), plus .0 when integral', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e9, max: 4e9, noNaN: true }), (x) => {
        const text = pythonFloatText(x);
        expect(text).toBe(Number.isInteger(x) ? `${String(x)}.0` : String(x));
      }),
    );
  });

  test('every finite double reads back to itself', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(parseBanExpiry(pythonFloatText(x))).toBe(x); // -0 too: "-0.0" reads back as -0
      }),
    );
  });
});

describe('parseBanExpiry', () => {
  test('reads Python float text, integer strings (older writers) and exponents', () => {
    expect(parseBanExpiry('1796176859.7772214')).toBe(1796176859.7772214);
    expect(parseBanExpiry('1796176859')).toBe(1796176859);
    expect(parseBanExpiry('1796176859.')).toBe(1796176859);
    expect(parseBanExpiry('1.7e9')).toBe(1.7e9);
    expect(parseBanExpiry(' 12.5\n')).toBe(12.5);
  });

  test('inf is a ban that never ends; anything else unreadable is null, never a ban', () => {
    expect(parseBanExpiry('inf')).toBe(Infinity);
    for (const bad of [null, '', 'abc', '1,5', '0x10', 'nan', '1e999', '12abc', '--1']) {
      expect(parseBanExpiry(bad), String(bad)).toBeNull();
    }
  });
});
