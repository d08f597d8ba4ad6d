/**
 * The effective security-header settings: defaults (the original's), which fields were given
 * explicitly, and the rendered header set.
 */
import type { SecurityHeadersConfig } from './schema.js';

/** HSTS settings with every field filled in. */
export interface HstsSettings {
  /** `max-age`, in seconds. */
  readonly maxAge: number;
  /** Adds `includeSubDomains`. */
  readonly includeSubdomains: boolean;
  /** Adds `preload`. */
  readonly preload: boolean;
}

/** CSP directives → sources. */
export type CspSettings = Readonly<Record<string, readonly string[]>>;

/** The header settings with every default filled in. */
export interface HeaderSettings {
  /** False: no header is added at all. */
  readonly enabled: boolean;
  /** `Strict-Transport-Security`; `null`: not sent. */
  readonly hsts: HstsSettings | null;
  /** `Content-Security-Policy` directives; `null`: not sent. */
  readonly csp: CspSettings | null;
  /** `X-Frame-Options`; `null`: not sent. */
  readonly frameOptions: string | null;
  /** `X-Content-Type-Options`; `null`: not sent. */
  readonly contentTypeOptions: string | null;
  /** `X-XSS-Protection`; `null`: not sent. */
  readonly xssProtection: string | null;
  /** `Referrer-Policy`; `null`: not sent. */
  readonly referrerPolicy: string | null;
  /** `Permissions-Policy`; `null`: not sent. */
  readonly permissionsPolicy: string | null;
  /** Further headers, name → value, sent as they are. */
  readonly custom: Readonly<Record<string, string>>;
}

/** The settings shared on Redis (the original caches exactly these three). */
export type SharedHeaderField = 'csp' | 'hsts' | 'custom';

/** The shared fields, in the order the original writes them. */
export const SHARED_HEADER_FIELDS: readonly SharedHeaderField[] = ['csp', 'hsts', 'custom'];

/** Defaults, as the original's `SecurityConfig.security_headers`. */
export const DEFAULT_HEADER_SETTINGS: HeaderSettings = Object.freeze({
  enabled: true,
  hsts: Object.freeze({ maxAge: 31_536_000, includeSubdomains: true, preload: false }),
  csp: null,
  frameOptions: 'SAMEORIGIN',
  contentTypeOptions: 'nosniff',
  xssProtection: '1; mode=block',
  referrerPolicy: 'strict-origin-when-cross-origin',
  permissionsPolicy: 'geolocation=(), microphone=(), camera=()',
  custom: Object.freeze({}),
});

/** Headers the original always sends (not configurable there; a `custom` entry overrides them). */
const FIXED_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'X-Permitted-Cross-Domain-Policies': 'none',
  'X-Download-Options': 'noopen',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
});

/**
 * Settings from a validated `securityHeaders` config (or an `updateConfig` partial) over `base`,
 * plus the fields given explicitly. A field is explicit when its key is present in the input,
 * `null` included (an explicit "no such header"); an absent (or `undefined`) field is not.
 */
export function applyHeaderConfig(
  base: HeaderSettings,
  input: SecurityHeadersConfig,
): { settings: HeaderSettings; explicit: Set<keyof HeaderSettings> } {
  const explicit = new Set<keyof HeaderSettings>();
  const next: { -readonly [K in keyof HeaderSettings]: HeaderSettings[K] } = { ...base };
  for (const key of Object.keys(input) as Array<keyof SecurityHeadersConfig>) {
    const value = input[key];
    if (value === undefined) continue;
    explicit.add(key);
    switch (key) {
      case 'enabled':
        next.enabled = value as boolean;
        break;
      case 'hsts': {
        const h = input.hsts;
        next.hsts =
          h === null || h === undefined
            ? null
            : {
                maxAge: h.maxAge ?? DEFAULT_HEADER_SETTINGS.hsts!.maxAge,
                includeSubdomains: h.includeSubdomains ?? true,
                preload: h.preload ?? false,
              };
        break;
      }
      case 'csp':
        next.csp = input.csp ?? null;
        break;
      case 'custom':
        next.custom = input.custom ?? {};
        break;
      default:
        next[key] = value as string | null;
    }
  }
  return { settings: Object.freeze(next), explicit };
}

/** `Content-Security-Policy` text: `directive src src; directive` (the original's format). */
export function renderCsp(csp: CspSettings): string {
  return Object.entries(csp)
    .map(([directive, sources]) => (sources.length > 0 ? `${directive} ${sources.join(' ')}` : directive))
    .join('; ');
}

/** `Strict-Transport-Security` text: `max-age=N; includeSubDomains; preload`. */
export function renderHsts(hsts: HstsSettings): string {
  const parts = [`max-age=${hsts.maxAge}`];
  if (hsts.includeSubdomains) parts.push('includeSubDomains');
  if (hsts.preload) parts.push('preload');
  return parts.join('; ');
}

/** The header set for `settings`: empty when disabled; custom headers last (replacing a same-named one, any case). */
export function renderHeaders(settings: HeaderSettings): Readonly<Record<string, string>> {
  if (!settings.enabled) return Object.freeze({});
  const headers: Record<string, string> = {};
  const optional: Array<[string, string | null]> = [
    ['X-Content-Type-Options', settings.contentTypeOptions],
    ['X-Frame-Options', settings.frameOptions],
    ['X-XSS-Protection', settings.xssProtection],
    ['Referrer-Policy', settings.referrerPolicy],
    ['Permissions-Policy', settings.permissionsPolicy],
  ];
  for (const [name, value] of optional) if (value !== null && value !== '') headers[name] = value;
  Object.assign(headers, FIXED_HEADERS);
  if (settings.csp !== null && Object.keys(settings.csp).length > 0) {
    headers['Content-Security-Policy'] = renderCsp(settings.csp);
  }
  if (settings.hsts !== null) headers['Strict-Transport-Security'] = renderHsts(settings.hsts);
  for (const [name, value] of Object.entries(settings.custom)) {
    const lower = name.toLowerCase();
    for (const existing of Object.keys(headers)) if (existing.toLowerCase() === lower) delete headers[existing];
    headers[name] = value;
  }
  return Object.freeze(headers);
}
