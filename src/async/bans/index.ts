/** The IP-bans subsystem: the manager, and the pure helpers a caller may want (canonical forms, the expiry codec). */
export { IPBanManager, UNSUBSCRIBED_STALE_MS, type IPBanManagerOptions } from './manager.js';
export type { BanEntry } from '../../core/bans/local-bans.js';
export {
  canonicalIp,
  parseBanTarget,
  pythonFloatText,
  parseBanExpiry,
  BANNED_IPS_NAMESPACE,
  BANNED_NETWORKS_NAMESPACE,
  BAN_EVENTS_CHANNEL,
  type BanTarget,
  type BanNetwork,
} from '../../core/bans/index.js';
