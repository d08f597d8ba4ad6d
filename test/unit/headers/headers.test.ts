/**
 * The pure parts of the security headers: the Python bytes of the three shared values, reading
 * values written by any replica, rendering, and the explicit-field rule.
 */
import { describe, expect, test } from 'vitest';
import { parseSecurityConfig } from '../../../src/core/config.js';
import { GuardConfigError } from '../../../src/core/errors.js';
import { decodeSharedHeader, encodeSharedHeader } from '../../../src/core/headers/codec.js';
import { applyHeaderConfig, DEFAULT_HEADER_SETTINGS, renderHeaders } from '../../../src/core/headers/settings.js';

// Printed by CPython 3 json.dumps for the same data.
const PY = {
  hsts: '{"max_age": 31536000, "include_subdomains": true, "preload": false}',
  csp: '{"default-src": ["\'self\'"], "img-src": ["\'self\'", "https://cdn.example/\\u00e9"], "upgrade-insecure-requests": []}',
  custom: '{"X-Team": "s\\u00e9curit\\u00e9 \\"ok\\"", "X-Other": "1"}',
};

describe('shared header values', () => {
  const { settings } = applyHeaderConfig(DEFAULT_HEADER_SETTINGS, {
    csp: { 'default-src': ["'self'"], 'img-src': ["'self'", 'https://cdn.example/é'], 'upgrade-insecure-requests': [] },
    custom: { 'X-Team': 'sécurité "ok"', 'X-Other': '1' },
  });

  test('encode to the bytes Python writes; nothing for None or an empty dict', () => {
    expect(encodeSharedHeader('hsts', settings)).toBe(PY.hsts);
    expect(encodeSharedHeader('csp', settings)).toBe(PY.csp);
    expect(encodeSharedHeader('custom', settings)).toBe(PY.custom);
    expect(encodeSharedHeader('csp', DEFAULT_HEADER_SETTINGS)).toBe('');
    expect(encodeSharedHeader('custom', DEFAULT_HEADER_SETTINGS)).toBe('');
    expect(encodeSharedHeader('hsts', { ...DEFAULT_HEADER_SETTINGS, hsts: null })).toBe('');
  });

  test("decode Python's bytes back to the same settings", () => {
    expect(decodeSharedHeader('hsts', PY.hsts)).toEqual({ ok: true, hsts: settings.hsts });
    expect(decodeSharedHeader('csp', PY.csp)).toEqual({ ok: true, csp: settings.csp });
    expect(decodeSharedHeader('custom', PY.custom)).toEqual({ ok: true, custom: settings.custom });
    // Python reads missing flags with .get(): false
    expect(decodeSharedHeader('hsts', '{"max_age": 5}')).toEqual({
      ok: true,
      hsts: { maxAge: 5, includeSubdomains: false, preload: false },
    });
  });

  test('refuse what would inject a header or is not the expected shape', () => {
    for (const [field, text] of [
      ['custom', '{"X": "a\\r\\nSet-Cookie: b"}'],
      ['custom', '{"Bad Name": "v"}'],
      ['csp', '{"script-src": ["a; b"]}'],
      ['csp', '[]'],
      ['hsts', '{"max_age": -1}'],
      ['hsts', 'nope'],
    ] as const)
      expect(decodeSharedHeader(field, text).ok, text).toBe(false);
  });
});

describe('rendering', () => {
  test('CSP and HSTS strings as the original builds them; custom headers replace same-named ones', () => {
    const { settings } = applyHeaderConfig(DEFAULT_HEADER_SETTINGS, {
      csp: { 'default-src': ["'self'", 'https:'], 'upgrade-insecure-requests': [] },
      hsts: { maxAge: 63_072_000, preload: true },
      custom: { 'x-frame-options': 'DENY' },
    });
    const headers = renderHeaders(settings);
    expect(headers['Content-Security-Policy']).toBe("default-src 'self' https:; upgrade-insecure-requests");
    expect(headers['Strict-Transport-Security']).toBe('max-age=63072000; includeSubDomains; preload');
    expect(headers['x-frame-options']).toBe('DENY');
    expect('X-Frame-Options' in headers).toBe(false);
    expect(renderHeaders({ ...settings, enabled: false })).toEqual({});
  });
});

describe('explicit fields', () => {
  test('present keys are explicit, null included; absent or undefined ones are not', () => {
    const { settings, explicit } = applyHeaderConfig(DEFAULT_HEADER_SETTINGS, {
      csp: null,
      hsts: { maxAge: 10 },
      custom: undefined,
    });
    expect([...explicit].sort()).toEqual(['csp', 'hsts']);
    expect(settings.hsts).toEqual({ maxAge: 10, includeSubdomains: true, preload: false });
    expect(settings.custom).toEqual({});
  });

  test('the config schema keeps absent fields absent (no zod defaults) and refuses unknown ones', () => {
    expect(parseSecurityConfig({}).securityHeaders).toEqual({});
    expect(parseSecurityConfig({ securityHeaders: { csp: null } }).securityHeaders).toEqual({ csp: null });
    expect(() => parseSecurityConfig({ securityHeaders: { hstss: {} } as never })).toThrow(GuardConfigError);
  });
});
