/**
 * configureSyncBridge (issue 11 item 8): unknown keys are refused, a setting that can no longer
 * change says so, and the bridge's settings and channel are one per process even when
 * guard-core is loaded twice (item 3: a second copy of runtime.ts stands for the other build).
 */
import { afterAll, describe, expect, inject, test } from 'vitest';
import { GuardInputError } from '../../src/core/errors.js';
import * as runtime from '../../src/bridge/runtime.js';
import { BRIDGE_PROTOCOL } from '../../src/bridge/protocol.js';
import { RedisManager, silentLogger } from '../../src/sync.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { thrownBy } from './support.js';

const otherCopy = '../../src/bridge/runtime.js?other-build';
const other = (await import(/* @vite-ignore */ otherCopy)) as typeof runtime;
const raw = rawClient();
const prefix = uniquePrefix('configure');
afterAll(async () => {
  await deleteByPrefix(raw, prefix);
  await raw.quit();
});

function refusal(options: unknown): GuardInputError {
  const thrown = thrownBy(() => runtime.configureSyncBridge(options as runtime.SyncBridgeOptions));
  expect(thrown).toBeInstanceOf(GuardInputError);
  return thrown as GuardInputError;
}

describe('configureSyncBridge', () => {
  test('an unknown key is refused with GuardInputError naming it, and nothing changes', () => {
    runtime.configureSyncBridge({ graceMs: 1_000 });
    const thrown = refusal({ graceMs: 5, spinMicro: 10 });
    expect(thrown.field).toBe('spinMicro');
    expect(thrown.message).toMatch(/unknown sync bridge setting.*spinMicros/);
    expect(runtime.bridgeGraceMs()).toBe(1_000);
    expect(refusal(null).field).toBe('options');
  });

  test("bad values are refused naming the field; 'auto' is a value of the busy-wait ceilings only", () => {
    expect(refusal({ startTimeoutMs: 0 }).field).toBe('startTimeoutMs');
    expect(refusal({ spinMicros: -1 }).field).toBe('spinMicros');
    expect(refusal({ pollMicros: 'fast' }).field).toBe('pollMicros');
    expect(refusal({ graceMs: 'auto' }).field).toBe('graceMs');
    runtime.configureSyncBridge({ spinMicros: 7, pollMicros: 0 });
    expect(runtime.bridgeWaiting()).toMatchObject({ spinMicros: 7, pollMicros: 0 });
    runtime.configureSyncBridge({ spinMicros: 'auto', pollMicros: 'auto' });
    const auto = runtime.waitingFor(runtime.bridgeWaiting().usable, 300);
    expect(runtime.bridgeWaiting()).toMatchObject({ spinMicros: auto, pollMicros: auto });
  });

  test('workerUrl, the one worker-start setting, cannot name another file once a worker runs', () => {
    const running = inject('bridgeWorkerUrl');
    const m = new RedisManager({ redisUrl: redisUrl(), redisPrefix: prefix, logger: silentLogger });
    m.initialize(); // starts the process's worker
    expect(runtime.bridgeChannel().workerFile).toBe(running);
    const thrown = refusal({ workerUrl: new URL('./elsewhere/bridge-worker.js', running) });
    expect(thrown.field).toBe('workerUrl');
    expect(thrown.message).toMatch(/only applies when the bridge worker starts.*is running/);
    runtime.configureSyncBridge({ workerUrl: running }); // the same file: nothing to change, accepted
    runtime.configureSyncBridge({ graceMs: 800, spinMicros: 'auto' }); // the others change at any time
    expect(runtime.bridgeGraceMs()).toBe(800);
    expect(m.setKey('ns', 'k', 'still served')).toBe(true);
    m.close();
    runtime.configureSyncBridge({ graceMs: 1_000 });
  });
});

describe('one bridge per process across copies of guard-core', () => {
  test('a second copy of the runtime shares the first one’s channel and settings', () => {
    expect(other.configureSyncBridge).not.toBe(runtime.configureSyncBridge); // really another copy
    expect(other.bridgeChannel()).toBe(runtime.bridgeChannel());
    other.configureSyncBridge({ graceMs: 1_234 });
    expect(runtime.bridgeGraceMs()).toBe(1_234);
    runtime.configureSyncBridge({ graceMs: 1_000 });
    expect(other.bridgeGraceMs()).toBe(1_000);
  });

  test('it lives on globalThis under the protocol-versioned registry symbol, hidden from enumeration', () => {
    expect(runtime.SHARED_BRIDGE_KEY).toBe(Symbol.for(`guard-core.sync-bridge.v${BRIDGE_PROTOCOL}`));
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, runtime.SHARED_BRIDGE_KEY);
    expect(descriptor).toMatchObject({ enumerable: false, writable: false, configurable: false });
    expect((descriptor?.value as { channel: unknown }).channel).toBe(runtime.bridgeChannel());
  });
});
