// The fixture feed server's thread (plain JS so it runs without a TypeScript loader).
// It lives off the test's main thread because tests of the sync API block that thread while a
// call is in flight; the server must keep answering meanwhile. Driven by test/support/feed-server.ts.
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { workerData, parentPort } from 'node:worker_threads';

const { fixturesDir, control, signal } = workerData;
const flag = new Int32Array(signal);
const fixtureNames = new Set(readdirSync(fixturesDir));
const routes = new Map();
const requests = [];
const hung = new Set();

function reply(message) {
  control.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

control.on('message', (message) => {
  try {
    if (message.type === 'route') {
      routes.set(message.path, message.response);
      reply({ ok: true });
    } else if (message.type === 'unroute') {
      routes.delete(message.path);
      reply({ ok: true });
    } else if (message.type === 'requests') {
      reply({ ok: true, value: requests });
    } else if (message.type === 'reset') {
      requests.length = 0;
      routes.clear();
      reply({ ok: true });
    } else {
      reply({ ok: false, error: `unknown control message ${message.type}` });
    }
  } catch (error) {
    reply({ ok: false, error: String(error) });
  }
});

function fixture(name) {
  if (!fixtureNames.has(name)) return null;
  return readFileSync(join(fixturesDir, name));
}

function contentType(name) {
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.html')) return 'text/html; charset=utf-8';
  return 'text/plain; charset=utf-8';
}

function send(res, status, body, type, extraHeaders = {}) {
  res.writeHead(status, { 'content-type': type, 'content-length': body.length, ...extraHeaders });
  res.end(body);
}

function serveRoute(req, res, spec) {
  if (spec.hang) {
    // Never answer: keep the socket until the client gives up or the server closes.
    hung.add(res);
    res.on('close', () => hung.delete(res));
    return;
  }
  const delay = spec.delayMs ?? 0;
  const respond = () => {
    let body;
    let type = spec.contentType;
    if (spec.file !== undefined) {
      body = fixture(spec.file);
      if (body === null) return send(res, 404, Buffer.from(`no fixture ${spec.file}`), 'text/plain');
      type = type ?? contentType(spec.file);
    } else {
      body = Buffer.from(spec.body ?? '', 'utf8');
      type = type ?? 'text/plain; charset=utf-8';
    }
    const status = spec.status ?? 200;
    if (spec.truncateAt !== undefined) {
      const cut = body.subarray(0, spec.truncateAt);
      if (spec.abort) {
        // Announce the full length, send a part, then drop the connection: a network-level failure.
        res.writeHead(status, { 'content-type': type, 'content-length': body.length });
        res.write(cut, () => res.socket?.destroy());
        return;
      }
      body = cut;
    }
    send(res, status, body, type, spec.headers);
  };
  if (delay > 0) setTimeout(respond, delay);
  else respond();
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://fixture.invalid');
  requests.push({
    method: req.method,
    path: url.pathname,
    search: url.search,
    userAgent: req.headers['user-agent'] ?? null,
  });
  const spec = routes.get(url.pathname + url.search) ?? routes.get(url.pathname);
  if (spec !== undefined) return serveRoute(req, res, spec);
  const name = decodeURIComponent(url.pathname.slice(1));
  const body = name.includes('/') ? null : fixture(name);
  if (body === null) return send(res, 404, Buffer.from(`not found: ${url.pathname}`), 'text/plain');
  send(res, 200, body, contentType(name));
});

parentPort.on('message', (message) => {
  if (message.type !== 'close') return;
  for (const res of hung) res.socket?.destroy();
  server.closeAllConnections();
  server.close(() => parentPort.postMessage({ type: 'closed' }));
});

server.listen(0, '127.0.0.1', () => {
  parentPort.postMessage({ type: 'ready', port: server.address().port });
});
