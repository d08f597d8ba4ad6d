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

/**
 * Parses one provider's payload.
 * @param url where the payload came from (redacted), named in a {@link GuardFeedError}.
 * @throws GuardFeedError when the payload as a whole is unusable.
 */
export function parseProviderFeed(provider: CloudProvider, body: string, url: string | null = null): FeedParseResult {
  const entries = extractEntries(
    provider,
    body,
    (detail, cause) => new GuardFeedError(provider, url, detail, { cause }),
  );
  const result = collect(entries);
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

function extractEntries(provider: CloudProvider, body: string, fail: Fail): RawEntries {
  switch (provider) {
    case 'AWS':
      return awsEntries(parseJsonObject(body, fail), fail);
    case 'GCP':
      return listAt(parseJsonObject(body, fail), 'prefixes', fail).map(
        (p) => field(p, 'ipv4Prefix') ?? field(p, 'ipv6Prefix'),
      );
    case 'Azure':
      return azureEntries(parseJsonObject(body, fail), fail);
    case 'DigitalOcean':
    case 'Linode':
      return geofeedCsvEntries(body, fail);
    case 'Vultr':
      return listAt(parseJsonObject(body, fail), 'subnets', fail).map((s) => field(s, 'ip_prefix'));
  }
}

function awsEntries(doc: Record<string, unknown>, fail: Fail): RawEntries {
  // Only service AMAZON: it is the superset; the other services (EC2, S3…) repeat its networks.
  const amazon = (list: unknown[], key: string) =>
    list.filter((p) => !isObject(p) || p.service === 'AMAZON').map((p) => field(p, key));
  const v6 = doc.ipv6_prefixes === undefined ? [] : listAt(doc, 'ipv6_prefixes', fail);
  return [...amazon(listAt(doc, 'prefixes', fail), 'ip_prefix'), ...amazon(v6, 'ipv6_prefix')];
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

function collect(entries: RawEntries): FeedParseResult {
  const ranges = new Set<string>();
  const skippedExamples: string[] = [];
  let skipped = 0;
  for (const entry of entries) {
    const parsed = typeof entry === 'string' ? parseCidr(entry.trim()) : null;
    if (parsed?.ok) {
      ranges.add(parsed.cidr.text);
      continue;
    }
    skipped++;
    if (skippedExamples.length < MAX_SKIPPED_EXAMPLES) skippedExamples.push(describe(entry));
  }
  return { ranges: [...ranges].sort(), skipped, skippedExamples };
}

function describe(entry: unknown): string {
  if (typeof entry === 'string') return entry;
  if (entry === undefined) return '(missing prefix)';
  return JSON.stringify(entry) ?? String(entry);
}
