/**
 * SecurityHeadersManager on a real Redis, for each API: every method, the bytes and TTL of the
 * three keys as the Python original writes them, the precedence rule (explicit local wins over a
 * shared value; a replica without an explicit setting adopts it), run-time updates reaching other
 * replicas, and refusal of header injection.
 */
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { GuardConfigError, silentLogger, type Logger, type SecurityConfigInput } from '../../src/index.js';
import { apisUnderTest, captureFailure, eventually, type Awaitable } from '../support/apis.js';
import { captureLogger } from '../support/logger.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { createHeaders, type HeadersUnderTest } from './headers-api.js';

const raw = rawClient();
afterAll(() => raw.quit());

// Bytes printed by CPython 3 json.dumps (default separators, ensure_ascii) for the same data.
const PY_HSTS_DEFAULT = '{"max_age": 31536000, "include_subdomains": true, "preload": false}';
const PY_HSTS_600 = '{"max_age": 600, "include_subdomains": false, "preload": false}';
const PY_CSP =
  '{"default-src": ["\'self\'"], "img-src": ["\'self\'", "https://cdn.example/\\u00e9"], "upgrade-insecure-requests": []}';
const PY_CUSTOM = '{"X-Team": "s\\u00e9curit\\u00e9 \\"ok\\"", "X-Other": "1"}';

const CSP = {
  'default-src': ["'self'"],
  'img-src': ["'self'", 'https://cdn.example/é'],
  'upgrade-insecure-requests': [],
};
const CUSTOM = { 'X-Team': 'sécurité "ok"', 'X-Other': '1' };

const DEFAULT_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'SAMEORIGIN',
  'X-XSS-Protection': '1; mode=block',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Permissions-Policy': 'geolocation=(), microphone=(), camera=()',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'X-Download-Options': 'noopen',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
};

describe.each(apisUnderTest)('SecurityHeadersManager on a real Redis ($name API)', (api) => {
  let prefix: string;
  const closers: Array<{ close(): Awaitable<void> }> = [];
  const config = (extra: SecurityConfigInput = {}, logger: Logger = silentLogger): SecurityConfigInput => ({
    redisUrl: redisUrl(),
    redisPrefix: prefix,
    logger,
    ...extra,
  });
  const replica = async (extra: SecurityConfigInput = {}, logger: Logger = silentLogger): Promise<HeadersUnderTest> => {
    const redis = api.createManager(config(extra, logger));
    await redis.initialize();
    const headers = createHeaders(api.name, config(extra, logger));
    closers.push(headers, redis);
    await headers.initializeRedis(redis);
    return headers;
  };
  const key = (name: string) => `${prefix}security_headers:${name}`;

  beforeEach(() => {
    prefix = uniquePrefix('hdr');
  });
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c.close();
    await deleteByPrefix(raw, prefix);
  });

  test('defaults: the original default set, nothing written to Redis (nothing explicit to share)', async () => {
    const m = await replica();
    expect(m.mode).toBe('redis');
    expect(await m.getHeaders()).toEqual(DEFAULT_HEADERS);
    expect(await raw.exists(key('csp_config'), key('hsts_config'), key('custom_headers'))).toBe(0);
  });

  test('explicit configuration: the three keys hold the bytes Python writes, EX 86400; the rendered set', async () => {
    const m = await replica({
      securityHeaders: { csp: CSP, hsts: { maxAge: 31_536_000 }, custom: CUSTOM, frameOptions: 'DENY' },
    });
    expect(await raw.get(key('csp_config'))).toBe(PY_CSP);
    expect(await raw.get(key('hsts_config'))).toBe(PY_HSTS_DEFAULT);
    expect(await raw.get(key('custom_headers'))).toBe(PY_CUSTOM);
    for (const name of ['csp_config', 'hsts_config', 'custom_headers']) {
      const pttl = await raw.pttl(key(name));
      expect(pttl, name).toBeGreaterThan(86_390_000);
      expect(pttl, name).toBeLessThanOrEqual(86_400_000);
    }
    const headers = await m.getHeaders();
    expect(headers['Content-Security-Policy']).toBe(
      "default-src 'self'; img-src 'self' https://cdn.example/é; upgrade-insecure-requests",
    );
    expect(headers['X-Frame-Options']).toBe('DENY');
    expect(headers['X-Team']).toBe('sécurité "ok"');
    expect(headers['Strict-Transport-Security']).toBe('max-age=31536000; includeSubDomains');
    expect(Object.isFrozen(headers)).toBe(true);
    expect(await m.getHeaders()).toBe(headers); // cached until something changes
  });

  test('precedence: explicit local wins over a pre-seeded (original-bytes) value, logged once; a replica without it adopts it', async () => {
    await raw.set(key('hsts_config'), PY_HSTS_600, 'EX', 86_400);
    await raw.set(key('custom_headers'), PY_CUSTOM, 'EX', 86_400);
    const adopter = await replica({ securityHeadersSyncIntervalMs: 100 });
    expect((await adopter.getHeaders())['Strict-Transport-Security']).toBe('max-age=600');
    expect((await adopter.getConfig()).custom).toEqual(CUSTOM);
    expect(await raw.get(key('hsts_config'))).toBe(PY_HSTS_600); // a non-explicit replica writes nothing
    const log = captureLogger();
    const explicit = await replica(
      { securityHeaders: { hsts: { maxAge: 63_072_000, preload: true } }, securityHeadersSyncIntervalMs: 100 },
      log.logger,
    );
    expect((await explicit.getHeaders())['Strict-Transport-Security']).toBe(
      'max-age=63072000; includeSubDomains; preload',
    );
    expect((await explicit.getHeaders())['X-Team']).toBe(CUSTOM['X-Team']); // custom is not explicit there: adopted
    // it wrote its explicit value at start-up, as the original writes its configuration
    expect(await raw.get(key('hsts_config'))).toBe(
      '{"max_age": 63072000, "include_subdomains": true, "preload": true}',
    );
    // a stale writer puts the old value back: the explicit replica keeps its own and says so once
    await raw.set(key('hsts_config'), PY_HSTS_600, 'EX', 86_400);
    await explicit.updateConfig({ frameOptions: 'DENY' }); // not a shared field: no write
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 120));
      await explicit.getHeaders();
    }
    const differ = log.lines.filter((l) => l.message.includes('differs from this replica'));
    expect(differ).toHaveLength(1);
    expect((await explicit.getHeaders())['Strict-Transport-Security']).toBe(
      'max-age=63072000; includeSubDomains; preload',
    );
    await eventually(async () => expect((await adopter.getConfig()).hsts?.maxAge).toBe(600), 2000, 20);
  });

  test('updateConfig: written and announced; a replica without explicit settings picks it up; null deletes', async () => {
    const a = await replica();
    const b = await replica();
    expect((await b.getHeaders())['Content-Security-Policy']).toBeUndefined();
    await a.updateConfig({ csp: { 'default-src': ["'none'"] }, custom: { 'X-A': 'b' } });
    expect(await raw.get(key('csp_config'))).toBe('{"default-src": ["\'none\'"]}');
    expect(await raw.get(key('custom_headers'))).toBe('{"X-A": "b"}');
    expect((await a.getHeaders())['Content-Security-Policy']).toBe("default-src 'none'");
    await eventually(
      async () => expect((await b.getHeaders())['Content-Security-Policy']).toBe("default-src 'none'"),
      2000,
      20,
    );
    expect((await b.getHeaders())['X-A']).toBe('b');
    await a.updateConfig({ csp: null });
    expect(await raw.exists(key('csp_config'))).toBe(0);
    expect((await a.getHeaders())['Content-Security-Policy']).toBeUndefined();
    await eventually(async () => expect((await b.getHeaders())['Content-Security-Policy']).toBeUndefined(), 2000, 20);
    await a.updateConfig({ enabled: false });
    expect(await a.getHeaders()).toEqual({});
  });

  test('bad header names and values are refused with GuardConfigError; nothing changes', async () => {
    const refusals: Array<[SecurityConfigInput['securityHeaders'], string]> = [
      [{ custom: { 'X-Evil': 'a\r\nSet-Cookie: x=1' } }, 'securityHeaders.custom.X-Evil'],
      [{ custom: { 'Bad Name': 'v' } }, 'securityHeaders.custom.Bad Name'],
      [{ frameOptions: 'DENY\n' }, 'securityHeaders.frameOptions'],
      [{ csp: { 'script-src': ["'self'; report-uri x"] } }, 'securityHeaders.csp.script-src.0'],
      [{ hsts: { maxAge: 60, preload: true } }, 'securityHeaders.hsts.maxAge'],
      [{ referrerPolicy: 'x'.repeat(8193) }, 'securityHeaders.referrerPolicy'],
    ];
    for (const [securityHeaders, field] of refusals) {
      const error = await captureFailure(() => createHeaders(api.name, config({ securityHeaders })));
      expect(error, field).toBeInstanceOf(GuardConfigError);
      expect((error as GuardConfigError).field, field).toBe(field);
    }
    const m = await replica();
    const before = await m.getHeaders();
    for (const [partial, field] of refusals) {
      const error = await captureFailure(() => m.updateConfig(partial!));
      expect((error as GuardConfigError).field, field).toBe(field);
    }
    expect(await m.getHeaders()).toEqual(before);
    expect(await raw.exists(key('csp_config'), key('hsts_config'), key('custom_headers'))).toBe(0);
  });

  test('a hostile or corrupt shared value is ignored (logged), never rendered', async () => {
    await raw.set(key('custom_headers'), '{"X-Evil": "a\\r\\nSet-Cookie: x=1"}', 'EX', 100);
    await raw.set(key('csp_config'), 'not json', 'EX', 100);
    const log = captureLogger();
    const m = await replica({}, log.logger);
    const headers = await m.getHeaders();
    expect(headers['X-Evil']).toBeUndefined();
    expect(headers['Content-Security-Policy']).toBeUndefined();
    expect(log.text()).toMatch(/ignoring an invalid shared custom/);
    expect(log.text()).toMatch(/ignoring an invalid shared csp/);
  });

  test('probe on a live Redis; without Redis the manager is disabled and renders its own configuration', async () => {
    const m = await replica();
    expect(await m.probe()).toBe(true);
    const local = createHeaders(api.name, config({ securityHeaders: { hsts: null, permissionsPolicy: null } }));
    closers.push(local);
    await local.initializeRedis(null);
    expect(local.mode).toBe('disabled');
    expect(await local.probe()).toBe(false);
    const headers = await local.getHeaders();
    expect(headers['Strict-Transport-Security']).toBeUndefined();
    expect(headers['Permissions-Policy']).toBeUndefined();
    await local.updateConfig({ custom: { 'x-frame-options': 'DENY' } });
    const updated = await local.getHeaders();
    expect(updated['x-frame-options']).toBe('DENY');
    expect(updated['X-Frame-Options']).toBeUndefined(); // replaced, whatever the case
  });
});
