/**
 * The Fastify example over real HTTP (see `test/support/apps-suite.ts` for what is checked).
 */
import { runGuardedAppSuite } from '../../test/support/apps-suite.js';
import { startFastifyApp } from './app.js';

runGuardedAppSuite('fastify', async (config) => {
  const running = await startFastifyApp(config);
  return { url: running.url, initializer: () => running.app.guard.initializer, close: () => running.close() };
});
