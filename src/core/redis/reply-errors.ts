/**
 * Telling a Redis outage from a data error. Redis answering with an error reply is not always an
 * outage: `WRONGTYPE` or "value is not an integer" says the data at a key is not what the caller
 * expected, and switching every subsystem to memory (or answering 503) for it would hide the bug
 * and punish every other request. Replies that mean "this server cannot serve us right now"
 * (loading, read-only replica, cluster down, out of memory, authentication and ACL refusals) are
 * outages; every other reply is a data error.
 */

/** How a failure is reported: Redis cannot serve (`outage`, 503) or refused this data (`data`, 500). */
export type RedisFailureKind = 'outage' | 'data';

/** Error-reply prefixes that mean the server cannot serve us: reported as an outage (503). */
export const OUTAGE_REPLY_CODES: ReadonlySet<string> = new Set([
  'LOADING',
  'READONLY',
  'MASTERDOWN',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'MOVED',
  'ASK',
  'NOAUTH',
  'WRONGPASS',
  'NOPERM',
  'OOM',
  'BUSY',
  'MISCONF',
  'NOREPLICAS',
  'NOTREADY',
]);

/** Longest reason kept from a reply (the first line of it). */
const MAX_REASON_LENGTH = 160;

/** A Redis error reply (ioredis' `ReplyError`, or its copy rebuilt by the sync bridge), by name. */
export function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError';
}

/** The reply's code: its first word when upper-case (`WRONGTYPE`, `ERR`, `NOPERM`), else `ERR`. */
export function replyCode(error: Error): string {
  const word = /^[A-Z][A-Z_-]*(?=\s|$)/.exec(error.message)?.[0];
  return word ?? 'ERR';
}

/** Whether an error reply means an outage or a data error. */
export function replyKind(error: Error): RedisFailureKind {
  return OUTAGE_REPLY_CODES.has(replyCode(error)) ? 'outage' : 'data';
}

/** The reply text for a log line or an error detail: its first line, bounded. Scrub it before use. */
export function replyReason(error: Error): string {
  const line = error.message.split('\n', 1)[0] ?? '';
  return line.length > MAX_REASON_LENGTH ? `${line.slice(0, MAX_REASON_LENGTH)}…` : line;
}

/** True for the reply INCR gives on a value that is not a 64-bit integer (or would overflow). */
export function isNotAnInteger(error: unknown): boolean {
  return isReplyError(error) && /not an integer|out of range|would overflow/i.test(error.message);
}

/**
 * The reason of a transport failure in one short, secret-free phrase: the system error code
 * (`ECONNREFUSED`, `ENOTFOUND`…) when there is one, else the first line of the message.
 */
export function failureReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, MAX_REASON_LENGTH);
  const code = (error as { code?: unknown }).code;
  const line = (error.message.split('\n', 1)[0] ?? '').slice(0, MAX_REASON_LENGTH);
  if (typeof code === 'string' && !line.includes(code)) return line ? `${code}: ${line}` : code;
  return line || error.name;
}
