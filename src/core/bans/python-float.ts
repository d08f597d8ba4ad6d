/**
 * The ban-expiry codec: a ban's value in Redis is its expiry in epoch seconds, written as Python
 * writes a float (`str(time.time() + duration)`, e.g. `1796176859.7772214`), so a Python replica
 * on the same Redis reads what this package writes and the other way round.
 */

/**
 * Python's `repr(float)` / `str(float)` text of `value`: the shortest digits that read back to
 * the same double (JS finds the same ones), fixed notation when the decimal exponent is in
 * [-4, 16), else `d.ddde+XX` with a sign and at least two exponent digits; an integral value
 * keeps a `.0` (`1796176859.0`). Infinities and NaN as Python prints them (`inf`, `-inf`, `nan`).
 */
export function pythonFloatText(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  // toExponential() without an argument gives as many digits as needed to be unique: the
  // shortest round-trip digits, the same ones Python's repr picks.
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const body = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const magnitude = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${body}e${exponent < 0 ? '-' : '+'}${magnitude}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction.length > 0 ? fraction : '0'}`;
}

// What Python's float() accepts for a finite number (surrounding whitespace aside): an optional
// sign, digits with an optional fraction (or a bare fraction), an optional exponent. Underscores
// between digits are legal in Python 3.6+ but no writer of ban values produces them.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^[+]?(?:inf|infinity)$/i;

/**
 * Reads a stored ban expiry (epoch seconds): Python float text, an integer string (older
 * writers), or `inf` (a ban that never ends). Returns `null` for anything else, so a corrupt
 * value is never mistaken for a ban that never ends.
 */
export function parseBanExpiry(text: string | null): number | null {
  if (text === null) return null;
  const trimmed = text.trim();
  if (DECIMAL.test(trimmed)) {
    const value = Number(trimmed);
    return Number.isFinite(value) ? value : null;
  }
  return INFINITY.test(trimmed) ? Infinity : null;
}
