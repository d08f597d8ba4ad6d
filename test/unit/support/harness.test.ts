/**
 * The test harness itself: how it picks a Redis, and the loud failure when there is none.
 */
import { describe, expect, test } from 'vitest';
import { HOW_TO_GET_REDIS, resolveRedisSource } from '../../support/redis-server.js';

describe('resolveRedisSource', () => {
  test('prefers the redis-server binary, then Docker', async () => {
    expect(await resolveRedisSource({ hasBinary: () => true, hasDocker: async () => true })).toBe('binary');
    expect(await resolveRedisSource({ hasBinary: () => false, hasDocker: async () => true })).toBe('docker');
  });

  test('with neither, fails loudly naming all three ways to provide a Redis', async () => {
    const error = await resolveRedisSource({ hasBinary: () => false, hasDocker: async () => false }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toBe(HOW_TO_GET_REDIS);
    expect(message).toContain('REDIS_URL');
    expect(message).toContain('redis-server');
    expect(message).toContain('Docker');
    expect(message).toContain('testcontainers');
  });
});
