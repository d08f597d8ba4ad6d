/**
 * Checking a custom store with the conformance kit, exactly as in your own project: one vitest
 * file that calls `runStoreConformance`. (Inside this repository `guard-core` resolves to the
 * source through vitest.config.ts and tsconfig.json.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createManualClock, runStoreConformance } from 'guard-core/testing';
import { JsonFileCloudIpStore } from './json-file-store.js';

const dir = mkdtempSync(join(tmpdir(), 'json-file-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The store reads this clock, so TTL checks move time instead of waiting.
const clock = createManualClock(Date.now());

runStoreConformance(
  {
    // One file per prefix. Hex keeps every prefix a distinct, portable file name (the kit's
    // prefixes contain `*`, `\`, `:` and case variants, which some file systems would merge).
    make: ({ prefix }) =>
      new JsonFileCloudIpStore(join(dir, `${Buffer.from(prefix).toString('hex')}.json`), { now: clock.now }),
  },
  { name: 'JsonFileCloudIpStore', capabilities: { clock } },
);
