/**
 * Finding the Azure "Service Tags – Public" JSON on Microsoft's download page, as the Python
 * original does (`_cloud_azure_fetch.py`): Microsoft publishes the JSON under a new, dated URL
 * every week and only links it from that page.
 */

/** The trusted download host: a link elsewhere is never followed (unless on the page's own origin). */
export const AZURE_DOWNLOAD_HOST = 'download.microsoft.com';

/** A selected link older than this many days is reported as possibly stale. */
export const AZURE_STALE_AFTER_DAYS = 90;

/** The link chosen on the page, with the date its file name carries (if any). */
export interface AzureDownloadChoice {
  /** The JSON URL to download. */
  readonly url: string;
  /** The `ServiceTags_Public_YYYYMMDD` date (UTC midnight), or `null` when absent, invalid or in the future. */
  readonly published: Date | null;
  /** Which rule picked it: the failover anchor, the newest dated link, or any JSON link. */
  readonly rule: 'failoverLink' | 'newestServiceTags' | 'anyJson';
}

// Every pattern below runs in linear time on any input: each is applied to one bounded token (a
// tag, a run of URL characters) found by a single forward scan, never retried from every offset
// of the page. (The former page-wide `<a\b[^>]*\bid=…` was quadratic: 100 KB of `<a ` took 1.4 s.)
const ANCHOR_START = /<a\b/i;
const FAILOVER_ID = /\bid=["']failoverLink["']/i;
const HREF = /\bhref=["']([^"']+)["']/i;
/** Runs of characters a URL in the page may hold. */
const URL_RUN = /[^"'\s<>]+/g;
const URL_START = /https?:\/\//;
const JSON_HREF = /\bhref=["'](https?:\/\/[^"']+\.json(?:\?[^"']*)?)["']/gi;
const DATE_IN_NAME = /ServiceTags_Public_(\d{4})(\d{2})(\d{2})/;

/**
 * The ServiceTags JSON URL linked from the download page, or `null`. Rules, in order:
 * 1. the `href` of the anchor with `id="failoverLink"`;
 * 2. else the newest `…ServiceTags….json` URL anywhere in the page, newest by the
 *    `ServiceTags_Public_YYYYMMDD` date (dates after `now` are treated as undated; ties and undated
 *    links are ordered by URL text);
 * 3. else any `href` to a `.json` file.
 * Every candidate must be `https` on `download.microsoft.com` — or, when `pageUrl` is given, on the
 * page's own origin, so an air-gapped mirror can serve the page and the JSON together.
 */
export function findAzureDownloadUrl(html: string, now: Date = new Date(), pageUrl?: string): string | null {
  return chooseAzureDownload(html, now, pageUrl)?.url ?? null;
}

/** Like {@link findAzureDownloadUrl}, with the date and the rule that picked the link. */
export function chooseAzureDownload(
  html: string,
  now: Date = new Date(),
  pageUrl?: string,
): AzureDownloadChoice | null {
  const page = unescapeHtml(html);
  const trusted = (url: string): boolean => isTrustedDownload(url, pageUrl);
  const failover = failoverHref(page);
  if (failover !== null && trusted(failover)) return choice(failover, now, 'failoverLink');

  const dated = serviceTagsUrls(page).filter(trusted);
  if (dated.length > 0) {
    const newest = dated.reduce((best, url) => (compareByDate(url, best, now) > 0 ? url : best));
    return choice(newest, now, 'newestServiceTags');
  }
  const anyJson = [...page.matchAll(JSON_HREF)].map((m) => m[1]!).find(trusted);
  return anyJson === undefined ? null : choice(anyJson, now, 'anyJson');
}

/** Age in whole days of a choice's file date, or `null` when it has none. */
export function azureChoiceAgeDays(choice: AzureDownloadChoice, now: Date = new Date()): number | null {
  if (choice.published === null) return null;
  return Math.floor((startOfUtcDay(now) - choice.published.getTime()) / 86_400_000);
}

function choice(url: string, now: Date, rule: AzureDownloadChoice['rule']): AzureDownloadChoice {
  return { url, published: publishedDate(url, now), rule };
}

/**
 * The `href` of the first `<a …>` tag carrying `id="failoverLink"`. One pass over the tags: the
 * page is cut at each `>`, and in each piece only the first `<a` can start the tag that ends at
 * that `>` (a later `<a` in the same piece would be inside it).
 */
function failoverHref(page: string): string | null {
  let from = 0;
  while (from < page.length) {
    const end = page.indexOf('>', from);
    if (end < 0) return null; // an unterminated tag is no anchor
    const piece = page.slice(from, end);
    const start = ANCHOR_START.exec(piece);
    if (start !== null) {
      const tag = piece.slice(start.index);
      if (FAILOVER_ID.test(tag)) return HREF.exec(tag)?.[1] ?? null;
    }
    from = end + 1;
  }
  return null;
}

/**
 * Every `http(s)://…ServiceTags….json` URL in the page (with its query string), one per run of URL
 * characters: the URL starts at the run's first `http(s)://` and ends at its last `.json` (or at
 * the end of the run when a `?` follows), as the former single pattern matched.
 */
function serviceTagsUrls(page: string): string[] {
  const found: string[] = [];
  for (const run of page.matchAll(URL_RUN)) {
    const text = run[0];
    const start = URL_START.exec(text);
    if (start === null) continue;
    const url = text.slice(start.index);
    const tags = url.indexOf('ServiceTags', 1);
    const json = url.lastIndexOf('.json');
    if (tags < 0 || json < tags + 'ServiceTags'.length) continue;
    const after = json + '.json'.length;
    found.push(url[after] === '?' ? url : url.slice(0, after));
  }
  return found;
}

function isTrustedDownload(url: string, pageUrl: string | undefined): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'https:' && parsed.hostname === AZURE_DOWNLOAD_HOST) return true;
  if (pageUrl === undefined) return false;
  try {
    return new URL(pageUrl).origin === parsed.origin;
  } catch {
    return false;
  }
}

/** The file date of a ServiceTags URL; `null` when absent, not a real date, or after `now`. */
function publishedDate(url: string, now: Date): Date | null {
  const m = DATE_IN_NAME.exec(url);
  if (m === null) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 20250231 over into March: such a name carries no real date.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.getTime() > startOfUtcDay(now) ? null : date;
}

function startOfUtcDay(now: Date): number {
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
}

/** Orders by (has a date, date, URL text), as the original's sort key. */
function compareByDate(a: string, b: string, now: Date): number {
  const da = publishedDate(a, now)?.getTime() ?? -Infinity;
  const db = publishedDate(b, now)?.getTime() ?? -Infinity;
  if (da !== db) return da < db ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the character references a download page uses in its attributes (`&amp;`, `&#x2F;`, `&quot;`…). */
function unescapeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}
