/**
 * The sync-API tests run the bridge worker built from the current source for this run, not
 * `dist/` (which may be older than the source when vitest is run by hand).
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, inject, test } from 'vitest';
import { bridgeChannel } from '../../src/bridge/runtime.js';
import * as syncApi from '../../src/sync.js';
import { redisUrl, uniquePrefix } from '../support/redis.js';

test('the sync bridge of this run uses the worker built from source, not dist/', () => {
  const url = inject('bridgeWorkerUrl');
  const file = fileURLToPath(url);
  expect(file).not.toMatch(/[/\\]dist[/\\]/);
  expect(file).toMatch(/node_modules[/\\]\.cache[/\\]guard-core-test[/\\]bridge-worker-\d+-\d+\.mjs$/);
  expect(statSync(file).isFile()).toBe(true);
  // The channel the sync API uses starts exactly that file.
  const manager = new syncApi.RedisManager({ redisUrl: redisUrl(), redisPrefix: uniquePrefix('srcw') });
  manager.initialize();
  expect(manager.getKey('ns', 'missing')).toBeNull();
  manager.close();
  expect(bridgeChannel().workerFile).toBe(url);
});
