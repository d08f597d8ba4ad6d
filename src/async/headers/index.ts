/** The security-headers subsystem's public exports. */
export { SecurityHeadersManager, RENDERED_HEADERS_TTL_MS, type SecurityHeadersManagerOptions } from './manager.js';
export {
  securityHeadersSchema,
  MAX_HEADER_VALUE_LENGTH,
  type SecurityHeadersInput,
  type SecurityHeadersConfig,
} from '../../core/headers/schema.js';
export {
  DEFAULT_HEADER_SETTINGS,
  SHARED_HEADER_FIELDS,
  renderHeaders,
  renderCsp,
  renderHsts,
  type HeaderSettings,
  type HstsSettings,
  type CspSettings,
  type SharedHeaderField,
} from '../../core/headers/settings.js';
export {
  HEADERS_NAMESPACE,
  HEADER_KEYS,
  HEADERS_TTL_SECONDS,
  HEADERS_CHANNEL,
  encodeSharedHeader,
  decodeSharedHeader,
} from '../../core/headers/codec.js';
