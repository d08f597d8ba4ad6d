/** The pure part of IP bans: target canonicalisation, the expiry codec, local state, scripts, events. */
export { pythonFloatText, parseBanExpiry } from './python-float.js';
export {
  canonicalIp,
  parseBanAddress,
  parseBanTarget,
  formatNetwork,
  maskWords,
  networkContains,
  networksOverlap,
  networksOf,
  LOOPBACK_NETWORKS,
  PRIVATE_NETWORKS,
  type BanNetwork,
  type BanTarget,
} from './target.js';
export { LocalBans, type BanEntry } from './local-bans.js';
export {
  APPLY_BANS,
  READ_BANS,
  DELETE_EXPIRED_BANS,
  APPLY_FIELDS,
  BANNED_IPS_NAMESPACE,
  BANNED_NETWORKS_NAMESPACE,
  BAN_EVENTS_CHANNEL,
} from './scripts.js';
export { encodeBanEvent, decodeBanEvent, type BanEvent } from './events.js';
