/**
 * Behaviour keys, as the Python original writes them (every segment SHA-256 hex, so no raw input
 * reaches a key): `{prefix}behavior_usage:behavior:usage:{h(endpoint)}:{h(ip)}` and
 * `{prefix}behavior_returns:behavior:return:{h(endpoint)}:{h(ip)}:{h(pattern)}`.
 */
import { sha256Hex } from '../ratelimit/keys.js';

/** Namespace of usage windows. */
export const BEHAVIOR_USAGE_NAMESPACE = 'behavior_usage';
/** Namespace of return-pattern windows. */
export const BEHAVIOR_RETURNS_NAMESPACE = 'behavior_returns';

/** Key (inside {@link BEHAVIOR_USAGE_NAMESPACE}) of a usage window. */
export function usageKey(endpointId: string, clientIp: string): string {
  return `behavior:usage:${sha256Hex(endpointId)}:${sha256Hex(clientIp)}`;
}

/** Key (inside {@link BEHAVIOR_RETURNS_NAMESPACE}) of a return-pattern window. */
export function returnKey(endpointId: string, clientIp: string, pattern: string): string {
  return `behavior:return:${sha256Hex(endpointId)}:${sha256Hex(clientIp)}:${sha256Hex(pattern)}`;
}
