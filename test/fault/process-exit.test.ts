/**
 * A script whose Redis is unreachable fails fast and then ends: nothing the failed connection
 * left behind (ioredis' disconnect timer, a reconnect) may keep the process alive. ioredis'
 * default disconnect grace (2 s) used to hold such a script open for two seconds after its last
 * line; the bound below is well under that, measured from the script's own last step to 'exit'.
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { freePort } from '../support/redis-server.js';

const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/index.js');

test('a script that cannot reach Redis exits promptly after its failed calls and close()', async () => {
  const port = await freePort(); // nobody listens there
  const script = `
    import { RedisManager, GuardRedisError, silentLogger } from ${JSON.stringify(pathToFileURL(DIST).href)};
    const m = new RedisManager({ redisUrl: 'redis://127.0.0.1:${port}', logger: silentLogger });
    const failures = [];
    for (const call of [() => m.initialize(), () => m.getKey('ns', 'k')]) {
      try { await call(); } catch (e) { failures.push(e instanceof GuardRedisError && e.statusCode); }
    }
    await m.close();
    const last = performance.now();
    process.on('exit', () => console.log(JSON.stringify({ failures, lingerMs: performance.now() - last })));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(child.status, child.stderr).toBe(0);
  const { failures, lingerMs } = JSON.parse(child.stdout.trim()) as { failures: unknown[]; lingerMs: number };
  expect(failures).toEqual([503, 503]);
  expect(lingerMs).toBeLessThan(1000);
});
