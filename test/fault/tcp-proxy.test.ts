/**
 * The fault-injection proxy does what the fault tests rely on: it passes bytes, holds them
 * (in order) while cut, delays them, drops connections, and counts what it accepted.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

let echo: Server;
let proxy: TcpProxy;

beforeAll(async () => {
  echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const address = echo.address();
  proxy = await startTcpProxy({ port: typeof address === 'object' && address ? address.port : 0 });
});
afterAll(async () => {
  await proxy.close();
  await new Promise((resolve) => echo.close(resolve));
});

async function connect(): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = createConnection({ port: proxy.port, host: '127.0.0.1' });
  let data = '';
  socket.on('data', (chunk) => (data += chunk.toString()));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received: () => data, closed };
}

async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('TCP proxy', () => {
  test('passes bytes both ways and counts connections', async () => {
    const before = await proxy.stats();
    const c = await connect();
    c.socket.write('hello');
    await until(() => c.received() === 'hello');
    const stats = await proxy.stats();
    expect(stats.accepted).toBe(before.accepted + 1);
    expect(stats.active).toBeGreaterThanOrEqual(1);
    c.socket.destroy();
  });

  test('cut holds every byte, accepts new connections, and delivers in order on restore', async () => {
    const c = await connect();
    await proxy.cut();
    c.socket.write('one,');
    c.socket.write('two,');
    const late = await connect(); // accepted while cut
    late.socket.write('late');
    await new Promise((r) => setTimeout(r, 150));
    expect(c.received()).toBe('');
    expect(late.received()).toBe('');
    await proxy.restore();
    await until(() => c.received() === 'one,two,' && late.received() === 'late');
    c.socket.destroy();
    late.socket.destroy();
  });

  test('delay holds each chunk for at least the delay, order kept', async () => {
    const c = await connect();
    await proxy.delay(120);
    const started = Date.now();
    c.socket.write('a');
    c.socket.write('b');
    await until(() => c.received() === 'ab');
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    await proxy.restore();
    c.socket.destroy();
  });

  test('dropConnections closes every open connection', async () => {
    const before = (await proxy.stats()).accepted;
    const a = await connect();
    const b = await connect();
    // The client side connects before the proxy's worker has seen the accept.
    for (let i = 0; i < 200 && (await proxy.stats()).accepted < before + 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    await proxy.dropConnections();
    await Promise.all([a.closed, b.closed]);
    expect((await proxy.stats()).active).toBe(0);
  });
});
