// The TCP proxy's engine. It runs on a worker thread (see tcp-proxy.ts) so it keeps forwarding
// while the test's main thread is blocked inside a sync-API call. Plain JavaScript on purpose:
// a worker is not loaded through the test runner's TypeScript transform.
import { createConnection, createServer } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

const target = { host: workerData.host, port: workerData.port };
let mode = 'pass'; // 'pass' forwards; 'cut' holds every byte (a black hole that TCP would later deliver)
let delayMs = 0;
let accepted = 0;
const links = new Set();

/**
 * One direction of one connection. Chunks wait in order until their due time (delay) and while
 * the proxy is cut; nothing is ever dropped or reordered, so a Redis client whose reply was held
 * back never reads a reply meant for another command.
 */
class Pipe {
  constructor(dest) {
    this.dest = dest;
    this.queue = [];
    this.lastDue = 0;
    this.timer = null;
    this.ended = false;
  }

  push(chunk) {
    const due = Math.max(Date.now() + delayMs, this.lastDue);
    this.lastDue = due;
    this.queue.push({ chunk, due });
    this.pump();
  }

  end() {
    this.ended = true;
    this.pump();
  }

  pump() {
    if (this.timer !== null || mode !== 'pass') return;
    while (this.queue.length > 0) {
      const wait = this.queue[0].due - Date.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.pump();
        }, wait);
        return;
      }
      const { chunk } = this.queue.shift();
      if (!this.dest.destroyed) this.dest.write(chunk);
    }
    if (this.ended) this.dest.destroy();
  }

  stop() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }
}

const server = createServer((client) => {
  accepted += 1;
  const upstream = createConnection(target);
  const toUpstream = new Pipe(upstream);
  const toClient = new Pipe(client);
  const link = { client, upstream, toUpstream, toClient };
  links.add(link);
  const forget = () => {
    if (client.destroyed && upstream.destroyed) {
      links.delete(link);
      toUpstream.stop();
      toClient.stop();
    }
  };
  client.on('data', (chunk) => toUpstream.push(chunk));
  upstream.on('data', (chunk) => toClient.push(chunk));
  // A close travels like data: after what was sent before it, and not while cut.
  client.on('close', () => {
    toUpstream.end();
    forget();
  });
  upstream.on('close', () => {
    toClient.end();
    forget();
  });
  client.on('error', () => undefined);
  upstream.on('error', () => undefined);
});

const commands = {
  cut() {
    mode = 'cut';
  },
  restore() {
    mode = 'pass';
    delayMs = 0;
    for (const link of links) {
      link.toUpstream.pump();
      link.toClient.pump();
    }
  },
  delay(ms) {
    delayMs = ms;
  },
  drop() {
    for (const link of links) {
      link.toUpstream.stop();
      link.toClient.stop();
      link.client.destroy();
      link.upstream.destroy();
    }
    links.clear();
  },
  stats() {
    return { accepted, active: links.size };
  },
  close() {
    commands.drop();
    return new Promise((resolve) => server.close(() => resolve(undefined)));
  },
};

parentPort.on('message', async ({ id, command, arg }) => {
  try {
    const result = await commands[command](arg);
    parentPort.postMessage({ id, result });
    if (command === 'close') parentPort.close();
  } catch (error) {
    parentPort.postMessage({ id, error: String(error) });
  }
});

server.listen(0, '127.0.0.1', () => {
  parentPort.postMessage({ ready: true, port: server.address().port });
});
