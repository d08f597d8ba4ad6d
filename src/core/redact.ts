/**
 * Secret-free renderings of connection URLs, for log lines and error messages.
 * The real connection still uses the raw URL; only what people may read is redacted.
 */

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
  const secrets = secretsOf(url);
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}

function secretsOf(url: string | null | undefined): string[] {
  if (!url) return [];
  try {
    const parsed = new URL(url);
    const found = [parsed.password, decodeURIComponent(parsed.password), parsed.username];
    for (const [key, value] of parsed.searchParams) if (SECRET_QUERY_KEYS.test(key)) found.push(value);
    // Longest first, so a secret that contains another is removed whole.
    return [...new Set(found.filter((s) => s.length >= 3))].sort((a, b) => b.length - a.length);
  } catch {
    return [];
  }
}
