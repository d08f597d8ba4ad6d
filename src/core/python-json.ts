/**
 * Byte-compatible JSON with Python's `json.dumps` defaults, so a value written by this
 * package equals the one the Python guard-core writes for the same data:
 * `", "` between items and `ensure_ascii=True` (every non-ASCII code unit as `\uXXXX`).
 */

/** Encodes a list of strings exactly as Python's `json.dumps(list_of_str)` would. */
export function pythonJsonStringList(values: readonly string[]): string {
  return `[${values.map(pythonJsonString).join(', ')}]`;
}

/** Encodes one string as Python's `json.dumps(str)` would. */
export function pythonJsonString(value: string): string {
  // JSON.stringify already escapes quotes, backslashes and control characters the way Python
  // does (lowercase hex); what remains is ensure_ascii, which escapes everything outside
  // space..tilde — DEL (0x7f) included, which JSON.stringify leaves raw.
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Sorts strings by Unicode code point, as Python's `sorted()` does (not by UTF-16 unit). */
export function sortByCodePoint(values: Iterable<string>): string[] {
  const list = [...values];
  // UTF-16 order differs from code-point order only around surrogates; skip the slow
  // comparator in the common (CIDR) case.
  return list.some((v) => SURROGATE.test(v)) ? list.sort(compareCodePoints) : list.sort();
}

const SURROGATE = /[\ud800-\udfff]/;

function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return ca.done === cb.done ? 0 : ca.done ? -1 : 1;
    const diff = (ca.value.codePointAt(0) ?? 0) - (cb.value.codePointAt(0) ?? 0);
    if (diff !== 0) return diff;
  }
}

/**
 * Reads a JSON list of strings. Returns `null` when the text is not valid JSON or not a list
 * of strings, so a corrupt cache entry reads as a miss.
 */
export function parseStringList(text: string): string[] | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return null;
  return value;
}
