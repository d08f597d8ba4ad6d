/**
 * An `HttpClient` that also reads `file:` URLs, so the CLI can load provider feeds from a
 * directory (air-gapped hosts, the offline quick start, tests). Other URLs go to the network client.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GuardHttpError } from '../core/errors.js';
import { fetchHttpClient, type HttpClient, type HttpRequestOptions, type HttpResponse } from '../async/seams/http.js';

/** Wraps `network` (default: the built-in fetch client) with support for `file:` URLs. */
export function fileAwareHttpClient(network: HttpClient = fetchHttpClient): HttpClient {
  return {
    async getText(url: string, options?: HttpRequestOptions): Promise<HttpResponse> {
      if (!url.startsWith('file:')) return network.getText(url, options);
      let body: string;
      try {
        body = await readFile(fileURLToPath(url), 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : 'cannot read file';
        throw new GuardHttpError(url, null, reason, { cause: error });
      }
      return { status: 200, url, body };
    },
  };
}
