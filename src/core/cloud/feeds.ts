/**
 * Pure parsers of the six providers' published range feeds.
 *
 * One rule for every provider: a malformed prefix is skipped and counted, never fatal (upstream
 * aborted a whole AWS/GCP/Azure refresh on one bad entry); a payload that is unusable as a whole —
 * truncated JSON, the wrong shape, a CSV with no valid line, the `AzureCloud` tag missing — throws
 * {@link GuardFeedError}, so a caller keeps its last good ranges instead of installing nothing.
 */
import { GuardFeedError } from '../errors.js';
import type { CloudProvider } from '../providers.js';
import { parseCidr } from './cidr.js';

export { findAzureDownloadUrl, chooseAzureDownload, type AzureDownloadChoice } from './azure-page.js';

/** What a feed yields: canonical, deduplicated CIDRs (sorted), and how many entries were unusable. */
export interface FeedParseResult {
  /** Canonical CIDR texts (see `parseCidr`), deduplicated, sorted by code unit. */
  readonly ranges: string[];
  /** Number of entries skipped because their prefix is malformed or missing. */
  readonly skipped: number;
  /** Up to {@link MAX_SKIPPED_EXAMPLES} skipped entries as found, for log lines. */
  readonly skippedExamples: readonly string[];
}

/** A region the cache formats can carry verbatim: no `|` or `,` separator, no space or control character. */
const CACHEABLE_REGION = /^[^\s|,\p{Cc}]+$/u;

/** Bounds applied while parsing (see `SecurityConfig.cloudFeedLimits`). */
export interface FeedParseLimits {
  /** Most entries accepted; more throws {@link GuardFeedError} before any is parsed. */
  readonly maxEntries?: number;
  /**
   * When given, receives the region of each kept network whose feed entry names one (AWS
   * `region`, GCP `scope`), keyed by canonical CIDR; a network listed twice keeps the last
   * region, as the Python original's dict does. A sink rather than a result field, so the
   * result's shape stays what callers already compare.
   */
  readonly regions?: Map<string, string>;
}

/** How many skipped entries {@link FeedParseResult.skippedExamples} keeps. */
export const MAX_SKIPPED_EXAMPLES = 10;

/** The providers' public feeds, as the Python original fetches them. Azure's is the download page. */
export const DEFAULT_FEED_URLS: Readonly<Record<CloudProvider, string>> = Object.freeze({
  AWS: 'https://ip-ranges.amazonaws.com/ip-ranges.json',
  GCP: 'https://www.gstatic.com/ipranges/cloud.json',
  Azure: 'https://www.microsoft.com/en-us/download/details.aspx?id=56519',
  DigitalOcean: 'https://www.digitalocean.com/geo/google.csv',
  Linode: 'https://geoip.linode.com/',
  Vultr: 'https://geofeed.constant.com/?json',
});

/**
 * The conventional file name of each provider's feed when feeds are kept as files (the CLI's
 * `--feed-dir`, the repository's sample feeds and test fixtures): the names the public mirrors use.
 */
export const DEFAULT_FEED_FILES: Readonly<Record<CloudProvider, string>> = Object.freeze({
  AWS: 'aws-ip-ranges.json',
  GCP: 'google-cloud-ip-ranges.json',
  Azure: 'microsoft-azure-ip-ranges.json',
  DigitalOcean: 'digitalocean.csv',
  Linode: 'linode.txt',
  Vultr: 'vultr-geofeed.json',
});

/** The service tag whose prefixes make up "Azure" (as upstream). */
export const AZURE_CLOUD_TAG = 'AzureCloud';

/** Feed entries as found: a prefix string, or `undefined` when the entry has none. */
type RawEntries = readonly unknown[];

/** A feed's entries, and each entry's region by position (AWS and GCP only; else `null`). */
interface Extracted {
  readonly entries: RawEntries;
  readonly regions: readonly unknown[] | null;
}

function withRegions(entries: RawEntries, regions: readonly unknown[]): Extracted {
  return { entries, regions };
}

function plain(entries: RawEntries): Extracted {
  return { entries, regions: null };
}

/**
 * Parses one provider's payload.
 * @param url where the payload came from (redacted), named in a {@link GuardFeedError}.
 * @throws GuardFeedError when the payload as a whole is unusable.
 */
export function parseProviderFeed(
  provider: CloudProvider,
  body: string,
  url: string | null = null,
  limits: FeedParseLimits = {},
): FeedParseResult {
  const fail: Fail = (detail, cause) => new GuardFeedError(provider, url, detail, { cause });
  if (typeof body !== 'string') throw fail(`the payload is not text (${typeof body})`);
  const maxEntries = limits.maxEntries ?? Infinity;
  const { entries, regions } = extractEntries(provider, body, fail);
  // Checked before any entry is parsed: a feed of millions of prefixes costs nothing more.
  if (entries.length > maxEntries) throw fail(`${entries.length} entries, more than maxEntries (${maxEntries})`);
  const result = collect(entries, regions, limits.regions);
  if (result.ranges.length === 0 && result.skipped > 0) {
    throw new GuardFeedError(provider, url, `none of its ${result.skipped} entries is a valid prefix`);
  }
  return result;
}

/** True when `body` starts (after whitespace) like a JSON document rather than HTML or CSV. */
export function looksLikeJson(body: string): boolean {
  const first = /\S/.exec(body)?.[0];
  return first === '{' || first === '[';
}

type Fail = (detail: string, cause?: unknown) => GuardFeedError;

function extractEntries(provider: CloudProvider, body: string, fail: Fail): Extracted {
  switch (provider) {
    case 'AWS':
      return awsEntries(parseJsonObject(body, fail), fail);
    case 'GCP': {
      const list = listAt(parseJsonObject(body, fail), 'prefixes', fail);
      return withRegions(
        list.map((p) => field(p, 'ipv4Prefix') ?? field(p, 'ipv6Prefix')),
        list.map((p) => field(p, 'scope')),
      );
    }
    case 'Azure':
      return plain(azureEntries(parseJsonObject(body, fail), fail));
    case 'DigitalOcean':
    case 'Linode':
      return plain(geofeedCsvEntries(body, fail));
    case 'Vultr':
      return plain(listAt(parseJsonObject(body, fail), 'subnets', fail).map((s) => field(s, 'ip_prefix')));
  }
}

function awsEntries(doc: Record<string, unknown>, fail: Fail): Extracted {
  // Only service AMAZON: it is the superset; the other services (EC2, S3…) repeat its networks.
  const isAmazon = (p: unknown) => !isObject(p) || p.service === 'AMAZON';
  const v6 = doc.ipv6_prefixes === undefined ? [] : listAt(doc, 'ipv6_prefixes', fail);
  const v4 = listAt(doc, 'prefixes', fail).filter(isAmazon);
  const v6Amazon = v6.filter(isAmazon);
  return withRegions(
    [...v4.map((p) => field(p, 'ip_prefix')), ...v6Amazon.map((p) => field(p, 'ipv6_prefix'))],
    [...v4, ...v6Amazon].map((p) => field(p, 'region')),
  );
}

function azureEntries(doc: Record<string, unknown>, fail: Fail): RawEntries {
  const tag = listAt(doc, 'values', fail).find((v) => isObject(v) && v.name === AZURE_CLOUD_TAG);
  if (tag === undefined) throw fail(`no "${AZURE_CLOUD_TAG}" service tag in values[]`);
  const properties = (tag as Record<string, unknown>).properties;
  const prefixes = isObject(properties) ? properties.addressPrefixes : undefined;
  if (!Array.isArray(prefixes)) throw fail(`"${AZURE_CLOUD_TAG}" has no properties.addressPrefixes list`);
  return prefixes;
}

/** RFC 8805 geofeed: one `prefix,country,region,city,postal` per line; `#` starts a comment line. */
function geofeedCsvEntries(body: string, fail: Fail): RawEntries {
  const lines = body
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.length === 0) throw fail('no entries (empty geofeed)');
  return lines.map((line) => line.split(',', 1)[0]!.trim());
}

function parseJsonObject(body: string, fail: Fail): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (error) {
    throw fail(`not valid JSON (${error instanceof Error ? error.message : String(error)})`, error);
  }
  if (!isObject(doc)) throw fail('JSON document is not an object');
  return doc;
}

function listAt(doc: Record<string, unknown>, key: string, fail: Fail): unknown[] {
  const value = doc[key];
  if (!Array.isArray(value)) throw fail(`"${key}" is not a list`);
  return value;
}

function field(entry: unknown, key: string): unknown {
  return isObject(entry) ? entry[key] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function collect(
  entries: RawEntries,
  regions: readonly unknown[] | null,
  regionSink: Map<string, string> | undefined,
): FeedParseResult {
  const ranges = new Set<string>();
  const skippedExamples: string[] = [];
  let skipped = 0;
  for (const [i, entry] of entries.entries()) {
    const parsed = typeof entry === 'string' ? parseCidr(entry.trim()) : null;
    if (parsed?.ok) {
      ranges.add(parsed.cidr.text);
      const region = regionSink === undefined ? undefined : regions?.[i];
      // Only a region the cache formats can carry verbatim (no separator, no space) is kept.
      if (typeof region === 'string' && CACHEABLE_REGION.test(region)) regionSink?.set(parsed.cidr.text, region);
      continue;
    }
    skipped++;
    if (skippedExamples.length < MAX_SKIPPED_EXAMPLES) skippedExamples.push(describe(entry));
  }
  return { ranges: [...ranges].sort(), skipped, skippedExamples };
}

/** A short description of a skipped entry, for log lines: never recursive (an entry may be nested 100,000 deep). */
function describe(entry: unknown): string {
  if (typeof entry === 'string') return entry.length > 60 ? `${entry.slice(0, 60)}…` : entry;
  if (entry === undefined) return '(missing prefix)';
  if (entry === null || typeof entry === 'number' || typeof entry === 'boolean') return String(entry);
  if (Array.isArray(entry)) return `(a list of ${entry.length})`;
  return '(an object)';
}
