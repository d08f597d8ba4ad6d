/**
 * The sync twin of `src/async/seams/http.ts`: each request is one call to the bridge worker,
 * which runs the async API's fetch client.
 */
import { GuardBridgeError, GuardHttpError } from '../../core/errors.js';
import { redactUrl } from '../../core/redact.js';
import {
  DEFAULT_HTTP_MAX_BYTES,
  DEFAULT_HTTP_TIMEOUT_MS,
  type HttpRequestOptions,
  type HttpResponse,
} from '../../async/seams/http.js';
import type { SyncChannel } from '../channel/sync-channel.js';
import { bridgeChannel, bridgeGraceMs } from '../runtime.js';

export { DEFAULT_HTTP_MAX_BYTES, DEFAULT_HTTP_TIMEOUT_MS, type HttpRequestOptions, type HttpResponse };

/** Fetches text over HTTP(S). Throws `GuardHttpError` on network failure, timeout or non-2xx status. */
export interface SyncHttpClient {
  /** GETs `url` and reads the whole body as text, within the options' timeout and size bounds. */
  getText(url: string, options?: HttpRequestOptions): HttpResponse;
}

/** The default client: Node's fetch, run by the sync bridge's worker. */
export const fetchHttpClient: SyncHttpClient = bridgedHttpClient();

/** An HTTP client whose requests run over `channel` (the process's bridge by default). */
export function bridgedHttpClient(channel: () => SyncChannel = bridgeChannel): SyncHttpClient {
  return {
    getText(url: string, options: HttpRequestOptions = {}): HttpResponse {
      const deadline = (options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS) + bridgeGraceMs();
      try {
        return channel().call('http.getText', [url, options], deadline) as HttpResponse;
      } catch (error) {
        if (!(error instanceof GuardBridgeError)) throw error;
        const shown = redactUrl(url) ?? url;
        throw new GuardHttpError(shown, null, `request failed in the sync bridge: ${error.name}`, { cause: error });
      }
    },
  };
}
