/**
 * The HTTP seam used to download provider feeds. One method call = one request, so the sync
 * API forwards each call across its worker bridge once.
 *
 * Hand-written for both APIs: the sync twin lives in `src/bridge/seams/http.ts`.
 */
import { GuardHttpError } from '../../core/errors.js';
import { redactUrl } from '../../core/redact.js';

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
}

/** Fetches text over HTTP(S). Rejects with `GuardHttpError` on network failure, timeout or non-2xx status. */
export interface HttpClient {
  getText(url: string, options?: HttpRequestOptions): Promise<HttpResponse>;
}

/** Default per-request timeout, as in the Python original's fetchers. */
export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

/** The default client, over Node's built-in fetch with an AbortSignal timeout. */
export const fetchHttpClient: HttpClient = {
  async getText(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
    const shown = redactUrl(url) ?? url;
    let response: Response;
    let body: string;
    try {
      response = await fetch(url, {
        headers: options.headers,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'follow',
      });
      body = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new GuardHttpError(shown, null, timedOut ? `request timed out after ${timeoutMs} ms` : 'request failed', {
        cause: error,
      });
    }
    if (!response.ok) throw new GuardHttpError(shown, response.status, 'unexpected HTTP status');
    return { status: response.status, url: response.url, body };
  },
};
