/**
 * Redis key naming. The layout is the Python original's, so both can share one Redis:
 * `{redisPrefix}{namespace}:{key}`.
 */

/** Builds the full Redis key of `key` in `namespace`. */
export function buildKey(redisPrefix: string, namespace: string, key: string): string {
  return `${redisPrefix}${namespace}:${key}`;
}

const GLOB_SPECIAL = /[*?[\]\\]/g;

/**
 * Escapes Redis glob metacharacters (`* ? [ ] \`) so the text matches only itself in a
 * SCAN MATCH pattern. Without this a prefix such as `app[1]:` would match `app1:` keys.
 */
export function escapeGlob(text: string): string {
  return text.replace(GLOB_SPECIAL, (c) => `\\${c}`);
}
