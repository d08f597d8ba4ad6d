// One process loading both builds of guard-core/sync (require → dist/*.cjs, import() → dist/*.js):
// it must start one bridge worker, not two, and errors must be instanceof across the builds.
const workerThreads = require('node:worker_threads');
const { syncBuiltinESMExports } = require('node:module');

// Count the bridge workers started, whichever build starts them: the CommonJS build reads
// `Worker` from this very exports object, the ESM build through the builtin's ESM bindings,
// which syncBuiltinESMExports() updates.
let workersStarted = 0;
const OriginalWorker = workerThreads.Worker;
workerThreads.Worker = class CountingWorker extends OriginalWorker {
  constructor(...args) {
    super(...args);
    workersStarted += 1;
  }
};
syncBuiltinESMExports();

const [redisUrl, prefix] = process.argv.slice(2);

function refused(api) {
  try {
    // Port 1: connection refused, raised inside the bridge worker and rebuilt on this thread.
    new api.RedisManager({
      redisUrl: 'redis://127.0.0.1:1',
      redisConnectTimeoutMs: 500,
      logger: api.silentLogger,
    }).initialize();
  } catch (error) {
    return error;
  }
  return null;
}

(async () => {
  const cjs = require('guard-core/sync');
  const esm = await import('guard-core/sync');
  const fromCjs = new cjs.RedisManager({ redisUrl, redisPrefix: `${prefix}cjs:`, logger: cjs.silentLogger });
  const fromEsm = new esm.RedisManager({ redisUrl, redisPrefix: `${prefix}esm:`, logger: esm.silentLogger });
  fromCjs.initialize();
  fromEsm.initialize();
  const calls = [
    fromCjs.setKey('ns', 'k', 'set through require', 60),
    fromEsm.setKey('ns', 'k', 'set through import', 60),
    fromCjs.getKey('ns', 'k'),
    fromEsm.getKey('ns', 'k'),
    fromCjs.deletePattern('*'),
    fromEsm.deletePattern('*'),
  ];
  const cjsError = refused(cjs);
  const esmError = refused(esm);
  const identity = (error, own, other) => ({
    name: error && error.name,
    own: error instanceof own.GuardRedisError,
    other: error instanceof other.GuardRedisError,
    otherBase: error instanceof other.GuardCoreError,
    notOtherSubclass: !(error instanceof other.GuardRedisDataError),
    reason: /ECONNREFUSED/.test(error && error.message),
  });
  const plain = new Error('plain');
  fromCjs.close();
  fromEsm.close();
  process.stdout.write(
    `${JSON.stringify({
      distinctBuilds: cjs.GuardRedisError !== esm.GuardRedisError,
      calls,
      workersStarted,
      cjsError: identity(cjsError, cjs, esm),
      esmError: identity(esmError, esm, cjs),
      plainErrorIsNot: !(plain instanceof cjs.GuardCoreError) && !(plain instanceof esm.GuardCoreError),
    })}\n`,
  );
})();
