/**
 * The HTTP seam used to download provider feeds. One method call = one request, so the sync
 * API forwards each call across its worker bridge once.
 *
 * Hand-written for both APIs: the sync twin lives in `src/bridge/seams/http.ts`.
 */
import { GuardHttpError } from '../../core/errors.js';
import { redactUrl, scrubError, scrubSecrets } from '../../core/redact.js';

/** What a feed request returns. Plain data, so it can cross a worker boundary. */
export interface HttpResponse {
  /** HTTP status code. */
  readonly status: number;
  /** The final URL after redirects. */
  readonly url: string;
  /** The body decoded as UTF-8 text. */
  readonly body: string;
}

/** Options of one request. */
export interface HttpRequestOptions {
  /** Abort the request after this many milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Refuse a body larger than this many bytes (default {@link DEFAULT_HTTP_MAX_BYTES}): the
   * download stops as soon as the limit is passed, so an endless or huge answer costs neither
   * memory nor time.
   */
  readonly maxBytes?: number;
}

/** Fetches text over HTTP(S). Rejects with `GuardHttpError` on network failure, timeout or non-2xx status. */
export interface HttpClient {
  /** GETs `url` and reads the whole body as text, within the options' timeout and size bounds. */
  getText(url: string, options?: HttpRequestOptions): Promise<HttpResponse>;
}

/** Default per-request timeout, as in the Python original's fetchers. */
export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

/** Default largest body accepted (32 MiB; the largest real feed, Azure's, is ~4 MB). */
export const DEFAULT_HTTP_MAX_BYTES = 32 * 1024 * 1024;

/**
 * The default client, over Node's built-in fetch. One AbortSignal timeout covers the whole
 * request: connecting, the headers and reading the body (a server that sends its headers and then
 * trickles the body is cut at the deadline too). The body is read chunk by chunk and the request
 * aborted as soon as it passes `maxBytes`.
 */
export const fetchHttpClient: HttpClient = {
  async getText(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
    const maxBytes = options.maxBytes ?? DEFAULT_HTTP_MAX_BYTES;
    const shown = redactUrl(url) ?? url;
    const timeout = AbortSignal.timeout(timeoutMs);
    const abort = new AbortController();
    const signal = AbortSignal.any([timeout, abort.signal]);
    let response: Response;
    let body: string;
    try {
      response = await fetch(url, { headers: options.headers, signal, redirect: 'follow' });
      if (!response.ok) {
        abort.abort();
        throw new GuardHttpError(shown, response.status, 'unexpected HTTP status');
      }
      body = await readBounded(response, maxBytes, shown, abort);
    } catch (error) {
      if (error instanceof GuardHttpError) throw error;
      const timedOut = timeout.aborted || (error instanceof Error && error.name === 'TimeoutError');
      const reason = timedOut
        ? `request timed out after ${timeoutMs} ms`
        : `request failed: ${networkReason(error, url)}`;
      // undici quotes the URL in some messages (one with user info is refused outright): scrubbed.
      throw new GuardHttpError(shown, null, reason, { cause: scrubError(error, [url]) });
    }
    return { status: response.status, url: response.url, body };
  },
};

/** Reads the body as UTF-8 text, refusing it (and aborting the download) past `maxBytes`. */
async function readBounded(
  response: Response,
  maxBytes: number,
  shown: string,
  abort: AbortController,
): Promise<string> {
  const tooLarge = (size: string) =>
    new GuardHttpError(shown, response.status, `response larger than the ${maxBytes} bytes allowed (${size})`);
  const announced = Number(response.headers.get('content-length'));
  if (Number.isFinite(announced) && announced > maxBytes) {
    abort.abort();
    throw tooLarge(`Content-Length ${announced}`);
  }
  if (response.body === null) return '';
  const decoder = new TextDecoder('utf-8');
  const parts: string[] = [];
  let received = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    received += chunk.byteLength;
    if (received > maxBytes) {
      abort.abort();
      throw tooLarge(`more than ${maxBytes} bytes received`);
    }
    parts.push(decoder.decode(chunk, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** The reason of a network failure, secret-free (codes such as ENOTFOUND, ECONNREFUSED). */
function networkReason(error: unknown, url: string): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  // Scrubbed before it is cut short, so a secret is never left half-hidden.
  if (error instanceof Error && error.message) return scrubSecrets(error.message, url).slice(0, 120);
  return 'unknown network error';
}
