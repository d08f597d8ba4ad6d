import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { parseStringList, pythonJsonStringList, sortByCodePoint } from '../../../src/core/python-json.js';

// Expected bytes produced by CPython 3 `json.dumps(sorted(values))` (default separators, ensure_ascii).
const PYTHON_OUTPUT: ReadonlyArray<[string[], string]> = [
  [['3.5.140.0/22', '10.0.0.0/8'], '["10.0.0.0/8", "3.5.140.0/22"]'],
  [
    ['2600:1f00::/24', '10.0.0.0/8', '3.5.140.0/22|us-east-1'],
    '["10.0.0.0/8", "2600:1f00::/24", "3.5.140.0/22|us-east-1"]',
  ],
  [[], '[]'],
  [['é', 'ü', 'a'], '["a", "\\u00e9", "\\u00fc"]'],
  [['\u{1F600}x', '\uffff', '\ue000'], '["\\ue000", "\\uffff", "\\ud83d\\ude00x"]'],
  [
    ['quote"back\\slash', 'tab\tnl\nctl\x01\x1f\x7f'],
    '["quote\\"back\\\\slash", "tab\\tnl\\nctl\\u0001\\u001f\\u007f"]',
  ],
  [['a/b', '<script>'], '["<script>", "a/b"]'],
];

describe('pythonJsonStringList(sortByCodePoint(…))', () => {
  test.each(PYTHON_OUTPUT)('%j → %s (the bytes Python writes)', (values, expected) => {
    expect(pythonJsonStringList(sortByCodePoint(values))).toBe(expected);
  });

  test('output is pure ASCII and parses back to the same list', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' })), (values) => {
        const text = pythonJsonStringList(values);
        expect(/^[\x20-\x7e]*$/.test(text)).toBe(true);
        expect(JSON.parse(text)).toEqual(values);
      }),
    );
  });
});

describe('sortByCodePoint', () => {
  test('orders astral characters after U+FFFF, as Python does (UTF-16 order would not)', () => {
    expect(sortByCodePoint(['\u{1F600}', '\uffff'])).toEqual(['\uffff', '\u{1F600}']);
    expect(['\u{1F600}', '\uffff'].sort()).toEqual(['\u{1F600}', '\uffff']); // the trap it avoids
  });

  test('property: matches a code-point comparison of the arrays of code points', () => {
    const byCodePoints = (a: string, b: string): number => {
      const ca = [...a].map((c) => c.codePointAt(0) as number);
      const cb = [...b].map((c) => c.codePointAt(0) as number);
      for (let i = 0; i < Math.min(ca.length, cb.length); i++)
        if (ca[i] !== cb[i]) return (ca[i] as number) - (cb[i] as number);
      return ca.length - cb.length;
    };
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' })), (values) => {
        expect(sortByCodePoint(values)).toEqual([...values].sort(byCodePoints));
      }),
    );
  });

  test('does not mutate its input', () => {
    const input = ['b', 'a'];
    sortByCodePoint(input);
    expect(input).toEqual(['b', 'a']);
  });
});

describe('parseStringList', () => {
  test('reads any valid JSON list of strings, whatever its spacing or order', () => {
    expect(parseStringList('["10.0.0.0/8", "3.5.140.0/22"]')).toEqual(['10.0.0.0/8', '3.5.140.0/22']);
    expect(parseStringList('["b","a"]')).toEqual(['b', 'a']);
    expect(parseStringList(' [ "\\u00e9" ] ')).toEqual(['é']);
    expect(parseStringList('[]')).toEqual([]);
  });

  test.each(['', 'not json', '{"a": 1}', '"a"', 'null', '[1, 2]', '["a", null]', '10.0.0.0/8,11.0.0.0/8', '["a"'])(
    '%j is not a list of strings → null',
    (text) => {
      expect(parseStringList(text)).toBeNull();
    },
  );
});
