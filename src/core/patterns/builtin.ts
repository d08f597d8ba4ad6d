/**
 * The built-in detection patterns: always active, and the whole active set when no custom
 * pattern is known (Redis has none, or is down). Deliberately small and cheap: every quantifier
 * that could run over attacker-controlled text is bounded or stops at a fixed character, so each
 * pattern costs time linear in the input (the original's set has patterns such as
 * `<script[^>]*>[^<]*<\/script\s*>` that are quadratic on crafted input). Compiled with the
 * `i` and `m` flags like every pattern. Each one passes the same ReDoS check as custom patterns.
 */

/** One built-in pattern and what it looks for. */
export interface BuiltinPattern {
  /** The regular expression's source (compiled with the `i` and `m` flags). */
  readonly pattern: string;
  /** What it looks for, in words (e.g. `SQL injection`). */
  readonly detects: string;
}

/** The built-in set, in matching order. */
export const BUILTIN_PATTERNS: readonly BuiltinPattern[] = Object.freeze([
  { pattern: String.raw`<script\b`, detects: 'XSS: a script tag' },
  { pattern: String.raw`\bjavascript\s*:`, detects: 'XSS: the javascript: scheme' },
  {
    pattern: String.raw`\bon(?:error|load|click|mouseover|focus|blur|submit|change)\s*=`,
    detects: 'XSS: an inline event handler',
  },
  { pattern: String.raw`\bunion\s+(?:all\s+)?select\b`, detects: 'SQL injection: UNION SELECT' },
  {
    pattern: String.raw`'\s*(?:or|and)\s+'?\d+'?\s*=`,
    detects: "SQL injection: a tautology such as ' OR 1=1",
  },
  { pattern: String.raw`\b(?:sleep|benchmark)\s*\(\s*\d`, detects: 'SQL injection: time-based probe' },
  { pattern: String.raw`\.\.[/\\]`, detects: 'path traversal: ../ or ..\\' },
  { pattern: String.raw`%2e%2e(?:%2f|%5c|/|\\)`, detects: 'path traversal: URL-encoded ../' },
  { pattern: String.raw`/etc/(?:passwd|shadow)\b`, detects: 'sensitive file: /etc/passwd or /etc/shadow' },
  {
    pattern: String.raw`[;&|\x60]\s*(?:cat|wget|curl|nc|bash|sh|rm)\s`,
    detects: 'command injection: a shell command after a separator',
  },
  {
    pattern: String.raw`\b(?:eval|system|exec|passthru|shell_exec|popen)\s*\(`,
    detects: 'code injection: a call of an evaluation function',
  },
  { pattern: String.raw`[\r\n](?:location|set-cookie)\s*:`, detects: 'HTTP response splitting' },
]);
