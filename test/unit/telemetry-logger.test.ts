/**
 * The logger contract with pino's `(obj, msg)` convention: a pino logger given as `logger` (or
 * wrapped with `pinoLogger`) writes guard-core's fields into its JSON line instead of dropping
 * them; console-style loggers are used as they are.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import {
  CloudManager,
  RedisManager,
  parseSecurityConfig,
  pinoLogger,
  silentLogger,
  type HttpClient,
  type Logger,
} from '../../src/index.js';
import { FakeConnection } from '../support/fake-connection.js';
import { captureLogger } from '../support/logger.js';

/** A pino logger at `debug` writing synchronously into `lines` (one parsed JSON object per line). */
function capturedPino(): { logger: ReturnType<typeof pino>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('pino', () => {
  test('called the (message, meta) way, pino drops meta — the problem this solves', () => {
    const { logger, lines } = capturedPino();
    (logger as unknown as Logger).warn('range update', { provider: 'AWS', added: 3 });
    expect(lines[0]).toMatchObject({ msg: 'range update' });
    expect(lines[0]).not.toHaveProperty('provider');
  });

  test('pinoLogger(pino) writes the meta fields and the message into one JSON line', () => {
    const { logger, lines } = capturedPino();
    const adapted = pinoLogger(logger);
    adapted.warn('Cloud IP range update for AWS', { provider: 'AWS', added: 3, removed: 1 });
    adapted.error('no fields');
    adapted.info('info line', { entries: 7 });
    adapted.debug('debug line', { first: true });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'Cloud IP range update for AWS',
        provider: 'AWS',
        added: 3,
        removed: 1,
      }),
      expect.objectContaining({ level: 50, msg: 'no fields' }),
      expect.objectContaining({ level: 30, msg: 'info line', entries: 7 }),
      expect.objectContaining({ level: 20, msg: 'debug line', first: true }),
    ]);
  });

  test('a pino logger (or child) given as config.logger is recognised and adapted', () => {
    const { logger, lines } = capturedPino();
    for (const given of [logger, logger.child({ component: 'guard' })]) {
      const config = parseSecurityConfig({ logger: given });
      expect(config.logger).not.toBe(given);
      config.logger.warn('Redis unavailable', { subsystem: 'IP bans', attempt: 2 });
    }
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'Redis unavailable', subsystem: 'IP bans', attempt: 2 }),
      expect.objectContaining({ msg: 'Redis unavailable', subsystem: 'IP bans', attempt: 2, component: 'guard' }),
    ]);
    // Parsing a parsed config again does not wrap twice.
    const config = parseSecurityConfig({ logger });
    expect(parseSecurityConfig(config).logger).toBe(config.logger);
  });

  test('end to end: a manager logging with fields through a plain pino logger keeps them', async () => {
    const { logger, lines } = capturedPino();
    const feed = JSON.stringify({
      prefixes: [{ ip_prefix: '3.5.140.0/22', region: 'us-east-1', service: 'AMAZON' }],
      ipv6_prefixes: [],
    });
    const http: HttpClient = { getText: async (url) => ({ status: 200, url, body: feed }) };
    const cloud = new CloudManager({ logger, blockCloudProviders: ['AWS'] }, { http });
    await cloud.refresh();
    const update = lines.find((l) => String(l.msg).startsWith('Cloud IP range update for AWS'));
    expect(update).toMatchObject({ provider: 'AWS', added: 1, removed: 0, entries: 1, source: 'fetch', first: true });
  });

  test("a failing agent's warning carries its fields into pino's line", async () => {
    const { logger, lines } = capturedPino();
    const manager = new RedisManager(
      { redisUrl: 'redis://fake:6379', logger },
      { openConnection: async () => new FakeConnection() },
    );
    manager.initializeAgent({
      sendEvent() {
        throw new Error('agent offline');
      },
    });
    await manager.initialize();
    await manager.close();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        event_type: 'redis_connection',
        action_taken: 'connection_established',
        msg: expect.stringContaining('agent offline'),
      }),
    );
  });
});

describe('other loggers are used as they are', () => {
  test('console, captureLogger and silentLogger are not wrapped', () => {
    const captured = captureLogger();
    expect(parseSecurityConfig({ logger: captured.logger }).logger).toBe(captured.logger);
    expect(parseSecurityConfig({ logger: console }).logger).toBe(console);
    expect(parseSecurityConfig({ logger: silentLogger }).logger).toBe(silentLogger);
    parseSecurityConfig({ logger: captured.logger }).logger.warn('w', { a: 1 });
    expect(captured.lines).toEqual([{ level: 'warn', message: 'w', meta: { a: 1 } }]);
  });
});
