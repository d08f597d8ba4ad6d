/**
 * Redis Sentinel, the pure parts shared by the config schema and the ioredis seam: parsing a
 * sentinel's address, naming a Sentinel target in logs, reading the sentinels' failover events
 * and the replies of `ROLE`. No I/O here.
 */

/** The port a sentinel listens on when an address names none. */
export const DEFAULT_SENTINEL_PORT = 26379;

/** A sentinel's address, parsed. */
export interface SentinelAddress {
  readonly host: string;
  readonly port: number;
  /** True for a `rediss://` entry: TLS to this sentinel. */
  readonly tls?: boolean;
}

/**
 * Parses one `redisSentinels` entry: `host:port`, `[ipv6]:port`, a bare `host` (port 26379),
 * `redis://host:port`, or `rediss://host:port` (TLS to the sentinel, with `redisTls`). Returns the
 * address, or the reason it is refused. A URL may carry neither credentials (the sentinels' own
 * are `redisSentinelUsername`/`redisSentinelPassword`), nor a path or query.
 */
export function parseSentinelAddress(text: string): SentinelAddress | string {
  if (text.length === 0 || text.length > 1024) return 'must be host:port (1–1024 characters)';
  if (/[\s\p{Cc}]/u.test(text)) return 'must not contain whitespace or control characters';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return parseSentinelUrl(text);
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d+))?$/i.exec(text);
  if (bracketed) return addressOf(bracketed[1]!, bracketed[2]);
  const plain = /^([^:/?#@[\]]+)(?::(\d+))?$/.exec(text);
  if (plain) return addressOf(plain[1]!, plain[2]);
  return 'must be host:port, [ipv6]:port, redis://host:port or rediss://host:port';
}

function parseSentinelUrl(text: string): SentinelAddress | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a valid URL (expected host:port, redis://host:port or rediss://host:port)';
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    return 'must be host:port or a redis:// or rediss:// URL';
  if (url.username !== '' || url.password !== '') {
    return 'must not carry credentials: set redisSentinelUsername / redisSentinelPassword';
  }
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    return `must be ${url.protocol}//host:port, without a path or query`;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '') return 'must name a host';
  const address = addressOf(host, url.port === '' ? undefined : url.port);
  return typeof address === 'string' || url.protocol === 'redis:' ? address : { ...address, tls: true };
}

function addressOf(host: string, port: string | undefined): SentinelAddress | string {
  if (port === undefined) return { host, port: DEFAULT_SENTINEL_PORT };
  const value = Number(port);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) return `port must be 1–65535, got ${port}`;
  return { host, port: value };
}

/**
 * Whether the sentinels are reached over TLS: every entry is `rediss://` (the config refuses a
 * mix, since one client reaches every sentinel the same way).
 */
export function sentinelsUseTls(entries: readonly string[]): boolean {
  const addresses = sentinelAddresses(entries);
  return addresses.length > 0 && addresses.every((address) => address.tls === true);
}

/** Whether the entries mix `rediss://` with plain addresses (refused by the config). */
export function sentinelsMixTls(entries: readonly string[]): boolean {
  const addresses = sentinelAddresses(entries);
  const tls = addresses.filter((address) => address.tls === true).length;
  return tls > 0 && tls < addresses.length;
}

/** `host:port`, bracketing an IPv6 host. */
export function formatSentinelAddress(address: SentinelAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** The parsed form of a validated `redisSentinels` list (entries that do not parse are skipped). */
export function sentinelAddresses(entries: readonly string[]): SentinelAddress[] {
  const out: SentinelAddress[] = [];
  for (const entry of entries) {
    const parsed = parseSentinelAddress(entry);
    if (typeof parsed !== 'string') out.push(parsed);
  }
  return out;
}

/** A Sentinel target for log lines and errors: `sentinel master "mymaster" via a:26379,b:26379`. */
export function describeSentinelTarget(masterName: string, sentinels: readonly string[]): string {
  const where = sentinelAddresses(sentinels).map(formatSentinelAddress).join(',');
  return `sentinel master ${JSON.stringify(masterName)} via ${where}`;
}

/**
 * A URL that holds the sentinels' credentials as its user info, so the package's URL scrubbing
 * (`scrubError`, `scrubSecrets`) removes them from driver errors like a `redisUrl` password.
 * `null` when the sentinels need no credentials.
 */
export function sentinelSecretsUrl(username: string | null, password: string | null): string | null {
  if (username === null && password === null) return null;
  const user = encodeURIComponent(username ?? '');
  const pass = password === null ? '' : `:${encodeURIComponent(password)}`;
  return `redis://${user}${pass}@sentinel/`;
}

/** The sentinel events a connection follows, by channel. */
export const SENTINEL_FAILOVER_CHANNELS = [
  '+try-failover',
  '+switch-master',
  '-failover-abort-not-elected',
  '-failover-abort-no-good-slave',
  '-failover-abort-slave-timeout',
] as const;

/** What one sentinel event means for the master group being followed. */
export type SentinelEvent =
  | { readonly kind: 'try-failover' }
  | { readonly kind: 'abort' }
  | { readonly kind: 'switch'; readonly host: string; readonly port: number }
  | null;

/**
 * Reads one message of {@link SENTINEL_FAILOVER_CHANNELS} for the master group `masterName`:
 * `+try-failover` and the `-failover-abort-*` events say `master <name> <ip> <port>`,
 * `+switch-master` says `<name> <old ip> <old port> <new ip> <new port>`. `null` for another
 * group's event or an unreadable message.
 */
export function readSentinelEvent(channel: string, message: string, masterName: string): SentinelEvent {
  const words = message.split(' ');
  if (channel === '+switch-master') {
    if (words.length < 5 || words[0] !== masterName) return null;
    const port = Number(words[4]);
    return Number.isInteger(port) && port > 0 ? { kind: 'switch', host: words[3]!, port } : null;
  }
  if (words[0] !== 'master' || words[1] !== masterName) return null;
  if (channel === '+try-failover') return { kind: 'try-failover' };
  return channel.startsWith('-failover-abort-') ? { kind: 'abort' } : null;
}

/**
 * The role a `ROLE` reply names: `master`, `slave`, `sentinel`, or `null` for a reply that is
 * not a ROLE reply (a proxy's answer, an error turned into a value).
 */
export function roleOf(reply: unknown): 'master' | 'slave' | 'sentinel' | null {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string') return null;
  const role = reply[0].toLowerCase();
  return role === 'master' || role === 'slave' || role === 'sentinel' ? role : null;
}

/** The master group names a sentinel's `ROLE` reply lists (`["sentinel", [names…]]`). */
export function monitoredMasters(reply: unknown): string[] {
  if (!Array.isArray(reply) || !Array.isArray(reply[1])) return [];
  return (reply[1] as unknown[]).filter((name): name is string => typeof name === 'string').slice(0, 20);
}

/**
 * The bound on opening a connection, in milliseconds. A single server or a cluster:
 * `connectTimeoutMs`. Over Sentinel, each sentinel may be tried once (its connect, then one
 * `SENTINEL GET-MASTER-ADDR-BY-NAME` bounded by the command timeout) before the master's connect,
 * so that a black-holed first sentinel does not fail the open while the others answer.
 */
export function connectBudgetMs(options: {
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly sentinel?: { readonly sentinels: readonly string[] } | null;
}): number {
  if (!options.sentinel) return options.connectTimeoutMs;
  const tries = options.sentinel.sentinels.length;
  return tries * (options.connectTimeoutMs + options.commandTimeoutMs) + options.connectTimeoutMs;
}
