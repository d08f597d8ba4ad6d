/**
 * Pattern acceptance (syntax, length, ReDoS safety with redos-detector anchored at one position),
 * the built-in set, the bounded matcher and the key layout.
 */
import calculateSlot from 'cluster-key-slot';
import { describe, expect, test } from 'vitest';
import { GuardInputError, GuardPatternError } from '../../../src/core/errors.js';
import { BUILTIN_PATTERNS } from '../../../src/core/patterns/builtin.js';
import { matchPatterns } from '../../../src/core/patterns/matcher.js';
import { checkPattern, requireSafePattern, type CompiledPattern } from '../../../src/core/patterns/safety.js';
import { applyArgs, parseApplyReply, patternKeys } from '../../../src/core/patterns/store.js';

const LIMITS = { maxLength: 1000 };

describe('checkPattern', () => {
  test.each(['(a+)+$', '(a|a)*$', '(\\w+\\s?)*$', '(x+x+)+y', '(a|aa)+$', '([a-z]+)*$', '(.*a){12}', '\\s*\\s*$'])(
    'refuses the catastrophic %s as unsafe',
    (pattern) => {
      const verdict = checkPattern(pattern, LIMITS);
      expect(verdict.ok).toBe(false);
      if (!verdict.ok) {
        expect(verdict.error).toBeInstanceOf(GuardPatternError);
        expect(verdict.error.reason).toBe('unsafe');
        expect(verdict.error.pattern).toBe(pattern);
      }
    },
  );

  test.each([
    '<script[^>]*>',
    'union\\s+select',
    '\\.\\./',
    'a{1,3}b',
    '<script[^>]*>.*?</script>',
    '\\b(?:exec|system)\\(',
    'select.+from',
    'é+☃',
    'x,y',
  ])('accepts the typical detection pattern %s', (pattern) => {
    const verdict = checkPattern(pattern, LIMITS);
    expect(verdict.ok).toBe(true);
    if (verdict.ok) expect(verdict.compiled.regex.flags).toBe('im');
  });

  test('syntax, emptiness and length are refused with their own reasons', () => {
    expect(() => requireSafePattern('[', LIMITS)).toThrow(GuardPatternError);
    const reasons = ['[', '(?P<x>a)', '', 'abcdefghijk'].map((p) => {
      const v = checkPattern(p, { maxLength: 10 });
      return v.ok ? 'ok' : v.error.reason;
    });
    expect(reasons).toEqual(['syntax', 'syntax', 'empty', 'too-long']);
    const verdict = checkPattern(42, LIMITS, 'custom');
    expect(!verdict.ok && verdict.error).toBeInstanceOf(GuardInputError);
    expect(!verdict.ok && verdict.error.field).toBe('custom');
  });

  test('a lone surrogate is a syntax refusal, and a value that is not a string is described, never thrown raw', () => {
    // Redis would store '\ud800' as U+FFFD: held in memory during an outage, it could never be written back.
    for (const pattern of ['evil\ud800', '\udc00x', 'a\ud800\ud800b']) {
      const verdict = checkPattern(pattern, LIMITS);
      expect(verdict.ok).toBe(false);
      expect(!verdict.ok && verdict.error.reason).toBe('syntax');
      expect(!verdict.ok && verdict.error.pattern).toBe(pattern);
    }
    expect(checkPattern('emoji \ud83d\ude00', LIMITS).ok).toBe(true); // a well-formed pair is fine
    for (const value of [
      Object.create(null) as unknown,
      Symbol('s'),
      {
        toString: () => {
          throw new Error('no');
        },
      },
    ]) {
      const verdict = checkPattern(value, LIMITS);
      expect(!verdict.ok && verdict.error).toBeInstanceOf(GuardPatternError);
      expect(!verdict.ok && verdict.error.reason).toBe('syntax');
    }
  });

  test("a Python replica's leading (?i) / (?im) is accepted (every pattern is compiled with i and m)", () => {
    const verdict = checkPattern('(?i)UNION\\s+SELECT', LIMITS);
    expect(verdict.ok && verdict.compiled.regex.test('union  select')).toBe(true);
    expect(verdict.ok && verdict.compiled.source).toBe('(?i)UNION\\s+SELECT');
    expect(checkPattern('(?s)a', LIMITS).ok).toBe(false); // other Python flags: not representable here
  });
});

describe('the built-in set', () => {
  test.each(BUILTIN_PATTERNS.map((b) => [b.pattern, b.detects]))('%s passes the same check (%s)', (pattern) => {
    expect(checkPattern(pattern, LIMITS).ok).toBe(true);
  });

  test('detects the attacks it documents, not ordinary text', () => {
    const compiled: CompiledPattern[] = BUILTIN_PATTERNS.map((b) => ({
      source: b.pattern,
      regex: new RegExp(b.pattern, 'im'),
    }));
    const hits = (text: string) => matchPatterns(compiled, text, 10_000).matched.length;
    for (const attack of [
      '<script>alert(1)</script>',
      'javascript:alert(1)',
      '<img src=x onerror=alert(1)>',
      '1 UNION ALL SELECT password FROM users',
      "' OR 1=1 --",
      'id=1 AND SLEEP(5)',
      '../../etc/passwd',
      '%2e%2e%2fboot.ini',
      '; cat /etc/hosts',
      'eval(base64_decode($x))',
      'x\r\nSet-Cookie: a=b',
    ])
      expect(hits(attack), attack).toBeGreaterThan(0);
    for (const benign of ['hello world', 'select a colour', 'the union of two sets', 'docs/readme.md', 'evaluate'])
      expect(hits(benign), benign).toBe(0);
  });
});

describe('matchPatterns', () => {
  const compiled: CompiledPattern[] = [{ source: 'needle', regex: /needle/im }];
  test('inspects only the first maxContentLength characters and says so', () => {
    expect(matchPatterns(compiled, 'a needle', 8)).toEqual({ matched: ['needle'], truncated: false });
    expect(matchPatterns(compiled, 'aaaaaaaaa needle', 8)).toEqual({ matched: [], truncated: true });
  });
});

describe('the key layout', () => {
  test('the lossless keys hash to the slot of patterns:custom (cluster-safe script)', () => {
    for (const prefix of ['guard_core:', 'app:1:', 'x']) {
      const keys = patternKeys(prefix).map((k) => `${prefix}patterns:${k}`);
      expect(keys[0]).toBe(`${prefix}patterns:custom`);
      expect(keys[1]).toBe(`${prefix}patterns:custom_list:{${prefix}patterns:custom}`);
      const slots = new Set(keys.map((k) => calculateSlot(k)));
      expect(slots.size, prefix).toBe(1);
    }
    expect(patternKeys('app{1}:')).toEqual(['custom', 'custom_list', 'custom_removed']);
  });

  test('ops are encoded one argument each; replies are read defensively', () => {
    expect(
      applyArgs('ch', 'me', [
        { kind: 'add', pattern: 'a,b' },
        { kind: 'remove', pattern: '-x' },
        { kind: 'clear' },
        { kind: 'seed', pattern: 's' },
      ]),
    ).toEqual(['ch', 'me', 10_000, '+a,b', '--x', '!', '=s']);
    expect(parseApplyReply([1, 'a', 'b'])).toEqual({ changed: true, patterns: ['a', 'b'] });
    expect(parseApplyReply(null)).toEqual({ changed: false, patterns: [] });
  });
});
