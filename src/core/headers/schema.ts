/**
 * The `securityHeaders` section of the configuration, validated with zod. Every field is
 * optional and has NO zod default: whether a field was given is what makes it "explicit" (an
 * explicit local value is never overridden by the value shared on Redis — see
 * `resolveHeaderSettings`), so defaults are applied by the manager, not by the schema.
 */
import { z } from 'zod';

/** Longest header value accepted (the original refuses values over 8192 characters). */
export const MAX_HEADER_VALUE_LENGTH = 8192;

/** RFC 9110 `token` characters: what a header name (and a CSP directive name) may contain. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * A header value: tab, visible ASCII, space and Latin-1 (`obs-text`) — what Node's own
 * `setHeader` accepts. CR and LF are refused (response splitting), and so is every other
 * control character (the original silently strips them; refusing says so instead of sending
 * something else than what was configured).
 */
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** One CSP source (`'self'`, `https://cdn.example`): no whitespace, `;` or `,`, which would start another directive or policy. */
const CSP_SOURCE = /^[\x21-\x2b\x2d-\x3a\x3c-\x7e\x80-\xff]+$/;

/** A header name (RFC 9110 token). */
export const headerName = z.string().regex(TOKEN, 'must be a header name made of RFC 9110 token characters');

/** A header value without CR, LF or other control characters, at most 8192 characters. */
export const headerValue = z
  .string()
  .max(MAX_HEADER_VALUE_LENGTH, `must be at most ${MAX_HEADER_VALUE_LENGTH} characters`)
  .regex(
    VALUE,
    'must contain only visible characters (ASCII or Latin-1), spaces and tabs (no CR, LF or control characters)',
  );

const cspDirective = z.string().regex(/^[a-z0-9-]+$/i, 'must be a CSP directive name (letters, digits and dashes)');

const cspSources = z.array(
  z.string().regex(CSP_SOURCE, 'must be one CSP source: visible characters without whitespace, ";" or ","'),
);

/** HSTS settings (`Strict-Transport-Security`). */
export const hstsSchema = z
  .strictObject({
    /** `max-age` in seconds. Default 31536000 (one year). */
    maxAge: z
      .number()
      .int('must be a whole number of seconds')
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    /** Adds `includeSubDomains`. Default true. */
    includeSubdomains: z.boolean().optional(),
    /** Adds `preload`. Default false; needs `maxAge >= 31536000` and `includeSubdomains`. */
    preload: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.preload !== true) return;
    // The original downgrades such a config with a warning; refusing keeps the header truthful.
    if ((v.maxAge ?? 31_536_000) < 31_536_000)
      ctx.addIssue({ code: 'custom', path: ['maxAge'], message: 'preload requires maxAge >= 31536000' });
    if (v.includeSubdomains === false)
      ctx.addIssue({ code: 'custom', path: ['includeSubdomains'], message: 'preload requires includeSubdomains' });
  });

/** The `securityHeaders` configuration: every field optional; `null` explicitly turns a header off. */
export const securityHeadersSchema = z.strictObject({
  /** Whether `getHeaders()` returns anything. Default true. */
  enabled: z.boolean().optional(),
  /** HSTS; `null` = no `Strict-Transport-Security` header. Default `{ maxAge: 31536000, includeSubdomains: true, preload: false }`. */
  hsts: hstsSchema.nullable().optional(),
  /** CSP directives → sources (`{ 'default-src': ["'self'"] }`); `null` = no CSP. Default null. */
  csp: z.record(cspDirective, cspSources).nullable().optional(),
  /** `X-Frame-Options`; `null` omits it. Default `SAMEORIGIN`. */
  frameOptions: headerValue.nullable().optional(),
  /** `X-Content-Type-Options`; `null` omits it. Default `nosniff`. */
  contentTypeOptions: headerValue.nullable().optional(),
  /** `X-XSS-Protection`; `null` omits it. Default `1; mode=block`. */
  xssProtection: headerValue.nullable().optional(),
  /** `Referrer-Policy`; `null` omits it. Default `strict-origin-when-cross-origin`. */
  referrerPolicy: headerValue.nullable().optional(),
  /** `Permissions-Policy`; `null` omits it. Default `geolocation=(), microphone=(), camera=()`. */
  permissionsPolicy: headerValue.nullable().optional(),
  /** Extra headers (name → value), applied last so they override the defaults. Default `{}`. */
  custom: z.record(headerName, headerValue).nullable().optional(),
});

/** `securityHeaders` as users write it. */
export type SecurityHeadersInput = z.input<typeof securityHeadersSchema>;

/** `securityHeaders` after validation: absent fields stay absent (not explicit). */
export type SecurityHeadersConfig = z.output<typeof securityHeadersSchema>;
