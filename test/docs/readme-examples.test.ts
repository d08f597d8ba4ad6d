/**
 * The README's code is real code: every block marked `<!-- example: examples/readme/<file> -->`
 * is that file, byte for byte, and every such file runs to completion as a child process — plain
 * `node` for `.mjs`/`.cjs` (as a user would paste it), `node --import tsx` for `.ts` — against the
 * run's private Redis (`REDIS_URL`), exiting by itself within a time bound and leaving no key.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { rawClient, redisUrl } from '../support/redis.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const EXAMPLES_DIR = join(ROOT, 'examples', 'readme');
const MARKER = /<!-- example: (examples\/readme\/[\w.-]+) -->\n```\w*\n([\s\S]*?)```/g;

const blocks = [...README.matchAll(MARKER)].map((m) => ({ file: m[1]!, code: m[2]! }));
const raw = rawClient();
afterAll(() => raw.quit());

function run(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = file.endsWith('.ts') ? ['--import', 'tsx', file] : [file];
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      args,
      { cwd: ROOT, timeout: 30_000, env: { ...process.env, REDIS_URL: redisUrl(), GUARD_CORE_LOG: 'silent' } },
      (error, stdout, stderr) => done({ code: child.exitCode ?? (error ? 1 : 0), stdout, stderr }),
    );
  });
}

describe('README examples', () => {
  test('every example file is shown in the README, and every marked block is its file verbatim', () => {
    const files = readdirSync(EXAMPLES_DIR).map((name) => `examples/readme/${name}`);
    expect(blocks.map((b) => b.file).sort()).toEqual(files.sort());
    for (const block of blocks) expect(block.code, block.file).toBe(readFileSync(join(ROOT, block.file), 'utf8'));
  });

  test.each(blocks.map((b) => [b.file]))('%s runs, exits by itself and leaves no key', async (file) => {
    const result = await run(file);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(0);
    const prefix = /redisPrefix: '([^']+)'/.exec(readFileSync(join(ROOT, file), 'utf8'))?.[1];
    expect(prefix).toBeDefined();
    expect(await raw.keys(`${prefix!}*`)).toEqual([]);
  });
});
