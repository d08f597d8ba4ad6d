/**
 * The kit must reject every broken store in the zoo with the property meant for it, at the
 * default budget, over several fixed seeds — and pass the reference store those mutants break.
 */
import { describe, expect, test } from 'vitest';
import { checkStoreConformance, formatConformanceReport } from '../../src/testing/index.js';
import { MUTANTS } from './zoo/mutants.js';
import { coreTarget, ReferenceCore } from './zoo/reference.js';

const SEEDS = [1, 2, 3];

describe('positive control: the reference store passes everything', () => {
  for (const mode of ['async', 'sync'] as const) {
    test(`reference (${mode})`, async () => {
      for (const seed of SEEDS) {
        const { factory, clock } = coreTarget(ReferenceCore, mode);
        const report = await checkStoreConformance(factory, { mode, seed, capabilities: { clock } });
        expect(report.ok, formatConformanceReport(report)).toBe(true);
        const notRun = report.results.filter((r) => r.status !== 'passed').map((r) => r.id);
        expect(notRun, 'a sync store cannot overlap calls; nothing else may be skipped').toEqual(
          mode === 'sync' ? ['P20', 'P21', 'P22', 'P23'] : [],
        );
      }
    });
  }
});

describe('every mutant is rejected by its property', () => {
  for (const mutant of MUTANTS) {
    for (const mode of mutant.modes) {
      test(`${mutant.id} ${mutant.fault} (${mode}) → caught by ${mutant.caughtBy}`, async () => {
        for (const seed of SEEDS) {
          const { target, clock } = mutant.make(mode);
          const report = await checkStoreConformance(target, {
            mode,
            seed,
            only: [mutant.caughtBy],
            capabilities: { clock },
          });
          const result = report.results.find((r) => r.id === mutant.caughtBy);
          expect(result?.status, `seed ${seed}: ${result?.reason ?? ''}`).toBe('failed');
          expect(result?.callSequence).toBeTruthy();
        }
      });
    }
  }
});

describe('without a clock (real waiting, as on Redis), the TTL mutants are still rejected', () => {
  const ttlMutants = MUTANTS.filter((m) => ['P09', 'P10', 'P11', 'P12', 'P13', 'P27'].includes(m.caughtBy));
  test(`${ttlMutants.map((m) => `${m.id}→${m.caughtBy}`).join(', ')} (resolution 50 ms)`, async () => {
    // Concurrently: each check mostly waits for its deadline.
    const reports = await Promise.all(
      ttlMutants.map((mutant) =>
        checkStoreConformance(mutant.make('async', true).target, {
          mode: 'async',
          seed: 1,
          only: [mutant.caughtBy],
          capabilities: { ttl: { resolutionMs: 50 } },
        }),
      ),
    );
    const outcomes = ttlMutants.map(
      (m, i) => `${m.id} ${reports[i]?.results.find((r) => r.id === m.caughtBy)?.status}`,
    );
    expect(outcomes).toEqual(ttlMutants.map((m) => `${m.id} failed`));
  });

  test('and the reference passes the same real-time checks', async () => {
    const { factory } = coreTarget(ReferenceCore, 'async', true);
    const report = await checkStoreConformance(factory, {
      seed: 1,
      only: ['P09', 'P10', 'P11', 'P12', 'P13', 'P27'],
      capabilities: { ttl: { resolutionMs: 50 } },
    });
    expect(report.ok, formatConformanceReport(report)).toBe(true);
    expect(report.counts.passed).toBe(6);
  });
});
