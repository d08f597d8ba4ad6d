/**
 * Secret-free renderings of connection URLs, for log lines and error messages.
 * The real connection still uses the raw URL; only what people may read is redacted.
 */
import { describeSentinelTarget } from './redis/sentinel.js';

const SECRET_QUERY_KEYS = /^(pass(word)?|pwd|secret|token|auth|access[_-]?key|api[_-]?key)$/i;

/**
 * Drops user info (`user:password@`) and the values of password-like query parameters.
 * Never throws: an unparseable URL becomes `<scheme>://<unparseable>`.
 */
export function redactUrl(url: string | null | undefined): string | null {
  if (url === null || url === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
    return scheme ? `${scheme}://<unparseable>` : '<unparseable>';
  }
  parsed.username = '';
  parsed.password = '';
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_QUERY_KEYS.test(key)) parsed.searchParams.set(key, 'REDACTED');
  }
  return parsed.toString();
}

/**
 * Removes every occurrence of the URL's secrets (password, user name, secret query values)
 * from free text such as a driver's error message.
 */
export function scrubSecrets(text: string, url: string | null | undefined): string {
  let out = text;
  for (const secret of secretsOf(url)) {
    if (secret.length >= MIN_FREE_SECRET) out = out.split(secret).join('***');
    // A secret of one or two characters cannot be cut out of every word that contains it; it is
    // removed wherever it stands alone (between non-alphanumerics: `AUTH x`, `:x@`, `=x&`).
    else out = out.replace(standalone(secret), '***');
  }
  return out;
}

/** Shortest secret removed wherever it occurs; shorter ones only where they stand alone. */
const MIN_FREE_SECRET = 3;

function standalone(secret: string): RegExp {
  const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'gu');
}

/** Commands whose every argument is a credential: their arguments are never kept in an error. */
const CREDENTIAL_COMMANDS = new Set(['auth', 'hello', 'migrate', 'acl', 'config']);

/** How deep {@link scrubError} walks nested errors and fields (a pathological chain cannot blow the stack). */
const MAX_SCRUB_DEPTH = 8;

/**
 * Removes the secrets of `urls` from an error in place, and everything else a driver may keep that
 * a logger or `util.inspect` would print: the message and stack of the error, of its `cause`
 * chain and of `AggregateError.errors`; every string in its own fields; and the arguments of a
 * failed command (`error.command.args` — ioredis keeps `AUTH`'s password there), which are
 * dropped for credential commands and scrubbed for the others. Returns `error`.
 */
export function scrubError<T>(error: T, urls: readonly (string | null | undefined)[]): T {
  scrubValue(
    error,
    urls.filter((u): u is string => typeof u === 'string' && u.length > 0),
    new Set(),
    0,
  );
  return error;
}

function scrubValue(value: unknown, urls: readonly string[], seen: Set<unknown>, depth: number): unknown {
  if (typeof value === 'string') return scrubText(value, urls);
  if (typeof value !== 'object' || value === null || seen.has(value) || depth > MAX_SCRUB_DEPTH) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) trySet(value, i, scrubValue(value[i], urls, seen, depth + 1));
    return value;
  }
  const record = value as Record<string, unknown>;
  if (value instanceof Error) {
    trySet(record, 'message', scrubText(value.message, urls));
    if (typeof value.stack === 'string') trySet(record, 'stack', scrubText(value.stack, urls));
    if ('cause' in value) trySet(record, 'cause', scrubValue(value.cause, urls, seen, depth + 1));
    if (value instanceof AggregateError && Array.isArray(value.errors)) scrubValue(value.errors, urls, seen, depth + 1);
  }
  const command = record.command;
  if (typeof command === 'object' && command !== null) {
    const raw = (command as Record<string, unknown>).name;
    const name = typeof raw === 'string' ? raw.toLowerCase() : '';
    if (CREDENTIAL_COMMANDS.has(name)) trySet(command, 'args', ['***']);
  }
  for (const key of Object.keys(record)) {
    if (key === 'message' || key === 'stack' || key === 'cause') continue;
    trySet(record, key, scrubValue(record[key], urls, seen, depth + 1));
  }
  return value;
}

function scrubText(text: string, urls: readonly string[]): string {
  let out = text;
  for (const url of urls) out = scrubSecrets(out, url);
  return out;
}

function trySet(target: object, key: string | number, value: unknown): void {
  if ((target as Record<string | number, unknown>)[key] === value) return;
  try {
    (target as Record<string | number, unknown>)[key] = value;
  } catch {
    // A frozen or accessor-only field: leave it (nothing we put there could be more secret).
  }
}

function secretsOf(url: string | null | undefined): string[] {
  if (!url) return [];
  try {
    const parsed = new URL(url);
    const found = [parsed.password, safeDecode(parsed.password), parsed.username, safeDecode(parsed.username)];
    for (const [key, value] of parsed.searchParams) {
      if (SECRET_QUERY_KEYS.test(key)) found.push(value, encodeURIComponent(value));
    }
    // Longest first, so a secret that contains another is removed whole.
    return [...new Set(found.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  } catch {
    return [];
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a malformed escape: the raw form is all there is
  }
}

/** Where a connection goes, for logs and `util.inspect`: the URL(s) with every secret removed. */
export function describeRedisTarget(options: {
  readonly url: string | null;
  readonly clusterNodes: readonly string[] | null;
  readonly sentinel?: { readonly masterName: string; readonly sentinels: readonly string[] } | null;
}): string {
  if (options.clusterNodes) return `cluster ${options.clusterNodes.map((u) => redactUrl(u)).join(',')}`;
  if (options.sentinel) return describeSentinelTarget(options.sentinel.masterName, options.sentinel.sentinels);
  return redactUrl(options.url) ?? 'no URL';
}
