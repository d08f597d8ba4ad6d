/**
 * Downloading provider feeds through the `HttpClient` seam. Parsing is pure (`src/core/cloud/feeds.ts`);
 * this module only decides what to request and within which time budget. Mirrored to the sync API.
 */
import { GuardFeedError, GuardHttpError } from '../../core/errors.js';
import { azureChoiceAgeDays, AZURE_STALE_AFTER_DAYS, chooseAzureDownload } from '../../core/cloud/azure-page.js';
import { DEFAULT_FEED_URLS, looksLikeJson, parseProviderFeed, type FeedParseResult } from '../../core/cloud/feeds.js';
import type { Logger } from '../../core/logger.js';
import type { CloudProvider } from '../../core/providers.js';
import { redactUrl } from '../../core/redact.js';
import { DEFAULT_HTTP_MAX_BYTES, DEFAULT_HTTP_TIMEOUT_MS, type HttpClient } from '../seams/http.js';

/** How to fetch one provider's feed. */
export interface FeedFetchOptions {
  /** The HTTP seam (e.g. `fetchHttpClient`, or a client that reads files). */
  readonly http: HttpClient;
  /** Overrides `DEFAULT_FEED_URLS[provider]`; for Azure it may be the download page or the JSON itself. */
  readonly url?: string;
  /** Total time budget in milliseconds, shared by Azure's two requests (default 10 000). */
  readonly timeoutMs?: number;
  /** Receives a warning when the Azure file picked looks stale (older than 90 days, or undated). */
  readonly logger?: Logger;
  /** Milliseconds since the epoch; injectable so tests can drive the shared deadline. */
  readonly clock?: () => number;
  /** Largest response accepted, in bytes (default 32 MiB; `cloudFeedLimits.maxBytes`). */
  readonly maxBytes?: number;
  /** Most entries accepted in the feed (default unbounded; `cloudFeedLimits.maxEntries`). */
  readonly maxEntries?: number;
  /** When given, receives each kept network's region (AWS `region`, GCP `scope`), keyed by canonical CIDR. */
  readonly regions?: Map<string, string>;
}

/** Microsoft's page answers a browser, not a bare client (the original sends a Chrome UA too). */
const BROWSER_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

/**
 * Fetches and parses one provider's ranges.
 *
 * Azure: when the body at the URL is JSON it is the ServiceTags document; otherwise it is the
 * download page, whose JSON link is found (`findAzureDownloadUrl`) and fetched within what is
 * left of the same deadline.
 * @throws GuardHttpError on a network failure, a non-2xx status or a timeout.
 * @throws GuardFeedError when the payload is unusable as a whole.
 */
export async function fetchProviderRanges(
  provider: CloudProvider,
  options: FeedFetchOptions,
): Promise<FeedParseResult> {
  const url = options.url ?? DEFAULT_FEED_URLS[provider];
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const clock = options.clock ?? Date.now;
  const deadline = clock() + timeoutMs;
  const shown = redactUrl(url) ?? url;
  const headers = provider === 'Azure' ? { 'User-Agent': BROWSER_USER_AGENT } : undefined;
  const maxBytes = options.maxBytes ?? DEFAULT_HTTP_MAX_BYTES;
  const limits = { maxEntries: options.maxEntries, regions: options.regions };
  const first = await options.http.getText(url, { timeoutMs, headers, maxBytes });
  checkSize(first.body, maxBytes, shown);
  if (provider !== 'Azure' || looksLikeJson(first.body)) {
    return withinDeadline(parseProviderFeed(provider, first.body, shown, limits), deadline, clock, shown, timeoutMs);
  }

  const now = new Date(clock());
  const choice = chooseAzureDownload(first.body, now, first.url || url);
  if (choice === null) throw new GuardFeedError(provider, shown, 'no ServiceTags JSON link on the download page');
  warnIfStale(options.logger, choice.url, azureChoiceAgeDays(choice, now));
  const remaining = deadline - clock();
  const jsonShown = redactUrl(choice.url) ?? choice.url;
  if (remaining <= 0) {
    throw new GuardHttpError(jsonShown, null, `request timed out: the ${timeoutMs} ms budget was spent on the page`);
  }
  const second = await options.http.getText(choice.url, { timeoutMs: remaining, maxBytes });
  checkSize(second.body, maxBytes, jsonShown);
  return withinDeadline(
    parseProviderFeed(provider, second.body, jsonShown, limits),
    deadline,
    clock,
    jsonShown,
    timeoutMs,
  );
}

/**
 * The size bound, checked again on the text received: an `HttpClient` other than the built-in one
 * (a file reader, a custom transport) may not enforce `maxBytes` itself.
 */
function checkSize(body: string, maxBytes: number, shown: string): void {
  // A UTF-16 code unit is at least one UTF-8 byte: only a body this long can be too large.
  if (body.length > maxBytes || Buffer.byteLength(body, 'utf8') > maxBytes) {
    throw new GuardHttpError(shown, null, `response larger than the ${maxBytes} bytes allowed`);
  }
}

/** The time budget covers reading and parsing: a result that came too late is refused like a timeout. */
function withinDeadline<T>(result: T, deadline: number, clock: () => number, shown: string, timeoutMs: number): T {
  if (clock() > deadline) {
    throw new GuardHttpError(
      shown,
      null,
      `request timed out: the ${timeoutMs} ms budget ran out while reading and parsing`,
    );
  }
  return result;
}

function warnIfStale(logger: Logger | undefined, url: string, ageDays: number | null): void {
  if (logger === undefined) return;
  const shown = redactUrl(url) ?? url;
  if (ageDays === null)
    logger.warn('Azure ServiceTags link has no parseable date; cannot confirm it is current', { url: shown });
  else if (ageDays > AZURE_STALE_AFTER_DAYS)
    logger.warn(`Azure ServiceTags file is ${ageDays} days old, possibly stale`, { url: shown });
}
