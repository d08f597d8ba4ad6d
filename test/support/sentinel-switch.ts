/**
 * A stream of writes through one master switch of a private Sentinel deployment (a
 * `SENTINEL FAILOVER` or a crash): how long until writes land on the new master, which failed and
 * why (each must be a fast 503), and whether acknowledged writes were kept. Shared by the Sentinel
 * tests over TCP and over TLS.
 */
import { expect } from 'vitest';
import { GuardRedisError } from '../../src/index.js';
import type { ManagerUnderTest } from './apis.js';
import type { TestRedisSentinel } from './redis-sentinel.js';

/** How long one switch may take before the writer gives up (a healthy one switches in ~1–2 s). */
export const SWITCH_BUDGET_MS = 15_000;

/** `error` is a `GuardRedisError` 503 (fails the test otherwise). */
export function expect503(error: unknown): GuardRedisError {
  expect(error).toBeInstanceOf(GuardRedisError);
  expect((error as GuardRedisError).statusCode).toBe(503);
  return error as GuardRedisError;
}

/** What happened to a stream of writes through one master switch. */
export interface SwitchRun {
  /** From the trigger to the first write acknowledged by the new master, in ms (null: none). */
  readonly firstOnNewMasterMs: number | null;
  readonly attempted: number;
  readonly failed: number;
  readonly slowestFailureMs: number;
  /** How many failures had each reason (the detail up to its first parenthesis). */
  readonly reasons: ReadonlyMap<string, number>;
  readonly acknowledged: number;
  /** Acknowledged writes missing (or different) on the new master afterwards. */
  readonly lost: number;
}

/**
 * Waits until the client's failover watch listens on every sentinel (it connects after the client
 * did: a switch triggered before would not be held), then writes distinct keys one after another
 * from `trigger()` on (every failure must be a 503) until 500 ms after the first write the new
 * master acknowledged itself, or {@link SWITCH_BUDGET_MS}; then checks every acknowledged key on
 * the new master.
 */
export async function writeThroughSwitch(
  deployment: TestRedisSentinel,
  m: Pick<ManagerUnderTest, 'setKey'>,
  prefix: string,
  newMaster: number,
  trigger: () => Promise<void>,
): Promise<SwitchRun> {
  await deployment.waitForFailoverWatch(10_000);
  const acknowledged = new Map<string, string>();
  const reasons = new Map<string, number>();
  let failed = 0;
  let slowestFailureMs = 0;
  let firstOnNewMasterMs: number | null = null;
  const newMasterClient = deployment.dataClient(newMaster);
  const started = performance.now();
  await trigger();
  let attempted = 0;
  while (performance.now() - started < SWITCH_BUDGET_MS) {
    const key = `k${attempted}`;
    const value = `v${attempted}`;
    attempted++;
    const { result, error, elapsedMs } = await attempt(() => m.setKey('fo', key, value, 300));
    if (error !== null) {
      const typed = expect503(error);
      failed++;
      slowestFailureMs = Math.max(slowestFailureMs, elapsedMs);
      const reason = typed.detail.replace(/\s*\(.*$/, '').slice(0, 60);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    } else {
      expect(result).toBe(true);
      acknowledged.set(key, value);
      if (firstOnNewMasterMs === null && (await landedOn(newMasterClient, `${prefix}fo:${key}`, value))) {
        firstOnNewMasterMs = performance.now() - started;
      }
    }
    // Keep writing a little after the switch: every write then succeeds.
    if (firstOnNewMasterMs !== null && performance.now() - started > firstOnNewMasterMs + 500) break;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  let lost = 0;
  for (const [key, value] of acknowledged) {
    if ((await newMasterClient.get(`${prefix}fo:${key}`)) !== value) lost++;
  }
  return { firstOnNewMasterMs, attempted, failed, slowestFailureMs, reasons, acknowledged: acknowledged.size, lost };
}

/** One line for a test's log: the time to the new master, the failures by reason, the losses. */
export function describeRun(run: SwitchRun): string {
  const first = run.firstOnNewMasterMs === null ? 'never' : `${Math.round(run.firstOnNewMasterMs)} ms`;
  const reasons = [...run.reasons].map(([reason, n]) => `${n}× ${reason}`).join('; ');
  return (
    `first write on the new master after ${first}; ${run.failed} of ${run.attempted} writes failed fast ` +
    `(503, slowest ${Math.round(run.slowestFailureMs)} ms${reasons === '' ? '' : `: ${reasons}`}); ` +
    `${run.acknowledged} acknowledged, ${run.lost} lost`
  );
}

/** Runs `call`, returning its result or its error and how long it took. */
async function attempt<T>(
  call: () => T | Promise<T>,
): Promise<{ result: T | null; error: unknown; elapsedMs: number }> {
  const started = performance.now();
  try {
    const result = await call();
    return { result, error: null, elapsedMs: performance.now() - started };
  } catch (error) {
    return { result: null, error, elapsedMs: performance.now() - started };
  }
}

/**
 * Whether a write landed on the new master itself: it holds the value and is a master. (Before
 * the promotion the replica holds replicated writes too, but it is not a master yet.)
 */
async function landedOn(
  client: ReturnType<TestRedisSentinel['dataClient']>,
  key: string,
  value: string,
): Promise<boolean> {
  const role = (await client.call('ROLE')) as unknown[];
  return role[0] === 'master' && (await client.get(key)) === value;
}
