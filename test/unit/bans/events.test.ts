import { describe, expect, test } from 'vitest';
import { decodeBanEvent, encodeBanEvent } from '../../../src/core/bans/events.js';

describe('ban events', () => {
  test('round-trip ban, unban and reset', () => {
    const events = [
      { op: 'ban', target: '10.0.0.0/8', expiresAt: 1796176859.7772214, reason: 'scan', origin: 'a' },
      { op: 'ban', target: '1.2.3.4', expiresAt: 12, origin: 'a' },
      { op: 'unban', target: '1.2.3.4', origin: 'b' },
      { op: 'reset', origin: 'c' },
    ] as const;
    for (const e of events) expect(decodeBanEvent(encodeBanEvent(e))).toEqual(e);
  });

  test('malformed messages are null (ignored), never thrown', () => {
    for (const bad of [
      '',
      'nope',
      '[]',
      'null',
      '{"op":"ban","target":"x","origin":"a"}',
      '{"op":"ban","target":"x","expiresAt":1}',
      '{"op":"zap","target":"x","origin":"a"}',
      '{"op":"unban","origin":"a"}',
    ]) {
      expect(decodeBanEvent(bad), bad).toBeNull();
    }
  });
});
