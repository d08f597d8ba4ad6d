/**
 * The shared header settings on Redis, byte-compatible with the Python original:
 * `{prefix}security_headers:csp_config | :hsts_config | :custom_headers`, each `json.dumps(...)`
 * with Python's separators and `ensure_ascii`, snake_case HSTS keys, `EX 86400`, written only
 * when non-empty. E.g. `{"max_age": 31536000, "include_subdomains": true, "preload": false}`.
 */
import type { RedisScript } from '../redis-types.js';
import { pythonJsonString } from '../python-json.js';
import { securityHeadersSchema } from './schema.js';
import type { CspSettings, HeaderSettings, HstsSettings, SharedHeaderField } from './settings.js';

/** The namespace of the header keys. */
export const HEADERS_NAMESPACE = 'security_headers';

/** The key (inside {@link HEADERS_NAMESPACE}) of each shared field, as the original names them. */
export const HEADER_KEYS: Readonly<Record<SharedHeaderField, string>> = Object.freeze({
  csp: 'csp_config',
  hsts: 'hsts_config',
  custom: 'custom_headers',
});

/** The TTL of every header key, in seconds (the original's). */
export const HEADERS_TTL_SECONDS = 86_400;

/** The pub/sub channel (prefixed) on which a run-time change is announced. */
export const HEADERS_CHANNEL = 'headers_events';

/** A shared field's value. */
export type SharedHeaderValue<F extends SharedHeaderField> = HeaderSettings[F];

/**
 * The bytes the original writes for a field's value, or `''` when it writes nothing (`None`,
 * or an empty dict: `if self.csp_config:`).
 */
export function encodeSharedHeader(field: SharedHeaderField, settings: HeaderSettings): string {
  switch (field) {
    case 'hsts': {
      const h = settings.hsts;
      if (h === null) return '';
      return `{"max_age": ${h.maxAge}, "include_subdomains": ${h.includeSubdomains}, "preload": ${h.preload}}`;
    }
    case 'csp': {
      const csp = settings.csp;
      if (csp === null || Object.keys(csp).length === 0) return '';
      return pythonDict(Object.entries(csp).map(([k, v]) => [k, `[${v.map(pythonJsonString).join(', ')}]`]));
    }
    case 'custom': {
      const entries = Object.entries(settings.custom);
      if (entries.length === 0) return '';
      return pythonDict(entries.map(([k, v]) => [k, pythonJsonString(v)]));
    }
  }
}

function pythonDict(entries: ReadonlyArray<readonly [string, string]>): string {
  return `{${entries.map(([k, v]) => `${pythonJsonString(k)}: ${v}`).join(', ')}}`;
}

/** A decoded shared value; `invalid` when the bytes are not a usable value (never thrown). */
export type DecodedHeader =
  | {
      readonly ok: true;
      readonly hsts?: HstsSettings;
      readonly csp?: CspSettings;
      readonly custom?: Record<string, string>;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads a shared value written by any replica (Node or Python). It is validated like local
 * configuration — a value that would inject a header (CR/LF) or is not the expected shape is
 * refused, so a corrupt or hostile Redis value never reaches a response.
 */
export function decodeSharedHeader(field: SharedHeaderField, text: string): DecodedHeader {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (field === 'hsts') {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return { ok: false, reason: 'not an object' };
    const v = value as Record<string, unknown>;
    const maxAge = v.max_age;
    if (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 0 || maxAge > 2 ** 31 - 1) {
      return { ok: false, reason: 'max_age is not a whole number of seconds' };
    }
    // Python reads the flags with .get(): absent means false.
    return {
      ok: true,
      hsts: { maxAge, includeSubdomains: v.include_subdomains === true, preload: v.preload === true },
    };
  }
  const schema = field === 'csp' ? securityHeadersSchema.shape.csp : securityHeadersSchema.shape.custom;
  const parsed = schema.safeParse(value);
  if (!parsed.success || parsed.data === null || parsed.data === undefined) {
    return { ok: false, reason: parsed.success ? 'null' : (parsed.error.issues[0]?.message ?? 'invalid') };
  }
  return field === 'csp'
    ? { ok: true, csp: parsed.data as CspSettings }
    : { ok: true, custom: parsed.data as Record<string, string> };
}

/**
 * KEYS[1] a header key. ARGV[1] the value (`''` = none), ARGV[2] TTL in seconds, ARGV[3] mode:
 * `replace` (SET EX, or DEL when there is no value), `write` (SET EX when there is a value),
 * `fill` (SET EX NX when there is a value: restore an expired key without fighting another
 * writer). Returns `{value}` after the write, or `{}` when the key is absent. One key per call,
 * so it runs on a cluster (the original's three key names do not share a slot).
 */
export const HEADER_SYNC: RedisScript = {
  name: 'guard.headers.sync',
  lua: `
local value, ttl, mode = ARGV[1], ARGV[2], ARGV[3]
if mode == 'replace' and value == '' then
  redis.call('DEL', KEYS[1])
elseif value ~= '' and (mode == 'replace' or mode == 'write') then
  redis.call('SET', KEYS[1], value, 'EX', ttl)
elseif value ~= '' and mode == 'fill' then
  redis.call('SET', KEYS[1], value, 'EX', ttl, 'NX')
end
local current = redis.call('GET', KEYS[1])
if current then return { current } end
return {}
`,
};

/** How {@link HEADER_SYNC} writes. */
export type HeaderWriteMode = 'replace' | 'write' | 'fill';
