import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  defaultLogger,
  GuardConfigError,
  GuardCoreError,
  GuardInputError,
  GuardRedisError,
  silentLogger,
} from '../../../src/index.js';

describe('errors', () => {
  test('GuardRedisError carries statusCode and detail, keeps its cause, and is instanceof-able', () => {
    const cause = new Error('socket closed');
    const error = new GuardRedisError(503, 'Redis connection failed', { cause });
    expect(error).toBeInstanceOf(GuardRedisError);
    expect(error).toBeInstanceOf(GuardCoreError);
    expect(error).toBeInstanceOf(Error);
    expect(error.statusCode).toBe(503);
    expect(error.detail).toBe('Redis connection failed');
    expect(error.message).toBe('Redis connection failed (status 503)');
    expect(error.name).toBe('GuardRedisError');
    expect(error.cause).toBe(cause);
  });

  test('GuardConfigError lists every issue and names the first field', () => {
    const error = new GuardConfigError([
      { field: 'redisPrefix', message: 'must not be empty' },
      { field: 'redisRetries', message: 'too big' },
    ]);
    expect(error.field).toBe('redisPrefix');
    expect(error.message).toBe(
      'Invalid guard-core configuration: redisPrefix: must not be empty; redisRetries: too big',
    );
    expect(error.name).toBe('GuardConfigError');
  });

  test('GuardInputError names the parameter', () => {
    const error = new GuardInputError('ttl', 'must be positive');
    expect(error.field).toBe('ttl');
    expect(error.message).toBe('Invalid ttl: must be positive');
    expect(error).toBeInstanceOf(GuardCoreError);
  });
});

describe('defaultLogger', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  function spies() {
    return {
      debug: vi.spyOn(console, 'debug').mockImplementation(() => undefined),
      info: vi.spyOn(console, 'info').mockImplementation(() => undefined),
      warn: vi.spyOn(console, 'warn').mockImplementation(() => undefined),
      error: vi.spyOn(console, 'error').mockImplementation(() => undefined),
    };
  }

  function logAll(): void {
    const logger = defaultLogger();
    logger.debug('d');
    logger.info('i', { n: 1 });
    logger.warn('w');
    logger.error('e', { n: 2 });
  }

  test('by default only warnings and errors reach the console, tagged', () => {
    vi.stubEnv('GUARD_CORE_LOG', undefined);
    const s = spies();
    logAll();
    expect(s.debug).not.toHaveBeenCalled();
    expect(s.info).not.toHaveBeenCalled();
    expect(s.warn).toHaveBeenCalledWith('[guard-core] w');
    expect(s.error).toHaveBeenCalledWith('[guard-core] e', { n: 2 });
  });

  test('GUARD_CORE_LOG=debug shows everything; =silent nothing', () => {
    vi.stubEnv('GUARD_CORE_LOG', 'debug');
    let s = spies();
    logAll();
    expect(s.debug).toHaveBeenCalledWith('[guard-core] d');
    expect(s.info).toHaveBeenCalledWith('[guard-core] i', { n: 1 });
    vi.restoreAllMocks();
    vi.stubEnv('GUARD_CORE_LOG', 'silent');
    s = spies();
    logAll();
    for (const spy of Object.values(s)) expect(spy).not.toHaveBeenCalled();
  });

  test('silentLogger drops everything', () => {
    const s = spies();
    silentLogger.error('x');
    silentLogger.warn('x');
    for (const spy of Object.values(s)) expect(spy).not.toHaveBeenCalled();
  });
});
