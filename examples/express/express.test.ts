/**
 * The Express example over real HTTP (see `test/support/apps-suite.ts` for what is checked).
 */
import { runGuardedAppSuite } from '../../test/support/apps-suite.js';
import { startExpressApp } from './app.js';

runGuardedAppSuite('express', async (config) => {
  const running = await startExpressApp(config);
  return { url: running.url, initializer: () => running.guard.initializer, close: () => running.close() };
});
