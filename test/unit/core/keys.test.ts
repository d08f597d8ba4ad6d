import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { buildKey, escapeGlob } from '../../../src/index.js';

describe('buildKey', () => {
  test('is the Python layout {redisPrefix}{namespace}:{key}', () => {
    expect(buildKey('guard_core:', 'banned_ips', '192.168.1.1')).toBe('guard_core:banned_ips:192.168.1.1');
    expect(buildKey('guard_core:', 'cloud_ip', 'AWS')).toBe('guard_core:cloud_ip:AWS');
    expect(buildKey('myapp:guard:', 'behavior_usage', 'k:1700000000')).toBe('myapp:guard:behavior_usage:k:1700000000');
  });
});

/**
 * Redis' glob semantics for the constructs escapeGlob must neutralise (`*`, `?`, `[…]`, `\`),
 * as a regex. Enough to check that an escaped text only matches itself; the integration tests
 * check the same against a real Redis SCAN.
 */
function redisGlobToRegex(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '\\' && i + 1 < glob.length) out += escapeRegex(glob[++i] as string);
    else if (c === '*') out += '[\\s\\S]*';
    else if (c === '?') out += '[\\s\\S]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) out += escapeRegex(c);
      else {
        out += `[${glob.slice(i + 1, end).replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += escapeRegex(c);
  }
  return new RegExp(`^${out}$`);
}

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

describe('escapeGlob', () => {
  test.each([
    ['app[1]:', 'app\\[1\\]:'],
    ['a*', 'a\\*'],
    ['a?', 'a\\?'],
    ['a\\', 'a\\\\'],
    ['guard_core:', 'guard_core:'],
    ['[*?\\]', '\\[\\*\\?\\\\\\]'],
  ])('%s → %s', (text, escaped) => {
    expect(escapeGlob(text)).toBe(escaped);
  });

  test('an escaped prefix matches only keys that really start with it', () => {
    expect(redisGlobToRegex(`${escapeGlob('app[1]:')}*`).test('app1:x')).toBe(false);
    expect(redisGlobToRegex('app[1]:*').test('app1:x')).toBe(true); // what an unescaped prefix would do
    expect(redisGlobToRegex(`${escapeGlob('app[1]:')}*`).test('app[1]:x')).toBe(true);
    expect(redisGlobToRegex(`${escapeGlob('a*')}*`).test('abc')).toBe(false);
    expect(redisGlobToRegex(`${escapeGlob('a?')}*`).test('ab:x')).toBe(false);
  });

  test('property: escapeGlob(p) + "*" matches s exactly when s starts with p', () => {
    const alphabet = fc.constantFrom('a', 'b', '1', ':', '*', '?', '[', ']', '\\', '-', '^');
    const text = fc.array(alphabet, { maxLength: 8 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, text, (prefix, key) => {
        expect(redisGlobToRegex(`${escapeGlob(prefix)}*`).test(key)).toBe(key.startsWith(prefix));
      }),
      { numRuns: 2000 },
    );
  });
});
