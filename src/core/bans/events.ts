/**
 * Ban events: what a replica publishes on `ban_events` when it bans, unbans or resets, so the
 * others apply the change to their local mirror at their next check. JSON, one object per
 * message: `{"op":"ban","target":"1.2.3.4","expiresAt":1796176859.77,"reason":"…","origin":"…"}`.
 * `origin` names the publishing manager, which already applied its own change and skips it.
 */

/** One decoded event. */
export type BanEvent =
  | {
      readonly op: 'ban';
      readonly target: string;
      readonly expiresAt: number;
      readonly reason?: string;
      readonly origin: string;
    }
  | { readonly op: 'unban'; readonly target: string; readonly origin: string }
  | { readonly op: 'reset'; readonly origin: string };

/** The JSON text of an event. */
export function encodeBanEvent(event: BanEvent): string {
  return JSON.stringify(event);
}

/** Decodes a message; `null` for anything that is not a well-formed event (ignored by readers). */
export function decodeBanEvent(message: string): BanEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.origin !== 'string') return null;
  if (v.op === 'reset') return { op: 'reset', origin: v.origin };
  if (typeof v.target !== 'string') return null;
  if (v.op === 'unban') return { op: 'unban', target: v.target, origin: v.origin };
  if (v.op !== 'ban' || typeof v.expiresAt !== 'number' || !Number.isFinite(v.expiresAt)) return null;
  const reason = typeof v.reason === 'string' ? v.reason : undefined;
  return { op: 'ban', target: v.target, expiresAt: v.expiresAt, origin: v.origin, ...(reason ? { reason } : {}) };
}
