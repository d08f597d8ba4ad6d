/**
 * Entry point of `npm run codegen` (see README.md).
 */
import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv.slice(2));
