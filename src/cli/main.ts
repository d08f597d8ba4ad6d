#!/usr/bin/env node
/**
 * Entry point of the `guard-core` executable (`dist/cli.js`).
 */
import packageJson from '../../package.json' with { type: 'json' };
import { processIo } from './io.js';
import { runCli } from './program.js';

// A reader that stops early (`guard-core lookup … | head -1`) closes the pipe: stop quietly, as
// other command-line tools do, instead of printing an EPIPE stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

runCli(process.argv.slice(2), processIo, packageJson.version).then(
  (code) => {
    // exitCode rather than exit(): let stdout drain when it is a pipe.
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
