/**
 * The one place the kit loads fast-check, an optional peer dependency. Nothing else in the kit
 * imports it at run time (only its types), so `import 'guard-core/testing'` works without it,
 * and the first use that needs it — registering or running a check — fails with a
 * {@link ConformanceDependencyError} that says what to install, instead of Node's raw
 * `Cannot find module 'fast-check'` at import time.
 *
 * It is loaded synchronously (`require`, which every supported fast-check version ships as a
 * CommonJS build): `runStoreConformance` registers tests synchronously and must fail right there.
 */
import { createRequire } from 'node:module';
import type * as FastCheckModule from 'fast-check';

/** The fast-check API the kit uses (the module's own type: any version in the peer range). */
export type FastCheck = typeof FastCheckModule;

/** The fast-check versions the kit supports: the `peerDependencies` range of guard-core. */
export const FAST_CHECK_RANGE = '>=3.15 <5';

const INSTALL = `install fast-check ${FAST_CHECK_RANGE} as a dev dependency (npm install --save-dev "fast-check@${FAST_CHECK_RANGE}")`;

/** Why the kit could not use fast-check. */
export type ConformanceDependencyCode = 'GUARD_CONFORMANCE_FAST_CHECK_MISSING' | 'GUARD_CONFORMANCE_FAST_CHECK_VERSION';

/**
 * The kit cannot run because its optional peer dependency `fast-check` is missing
 * (`code: 'GUARD_CONFORMANCE_FAST_CHECK_MISSING'`; the loader's error is the `cause`) or is a
 * version outside {@link FAST_CHECK_RANGE} (`code: 'GUARD_CONFORMANCE_FAST_CHECK_VERSION'`).
 * Thrown by `runStoreConformance` at registration and as the rejection of
 * `checkStoreConformance`; the message says what to install.
 */
export class ConformanceDependencyError extends Error {
  override name = 'ConformanceDependencyError';

  /** `code` says which problem it is; `message` says what to install. */
  constructor(
    /** Stable, for programs: which problem it is. */
    readonly code: ConformanceDependencyCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

let loaded: FastCheck | null = null;

/**
 * fast-check, loaded on first use and cached. Throws {@link ConformanceDependencyError} when it
 * cannot be loaded or its version is outside the supported range.
 */
export function fastCheck(): FastCheck {
  if (loaded !== null) return loaded;
  let module: FastCheck;
  try {
    module = createRequire(import.meta.url)('fast-check') as FastCheck;
  } catch (error) {
    throw new ConformanceDependencyError(
      'GUARD_CONFORMANCE_FAST_CHECK_MISSING',
      `guard-core/testing needs fast-check, an optional peer dependency that could not be loaded: ${INSTALL}` +
        ` (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
      { cause: error },
    );
  }
  const version = typeof module.__version === 'string' ? module.__version : 'unknown';
  if (!supported(version)) {
    throw new ConformanceDependencyError(
      'GUARD_CONFORMANCE_FAST_CHECK_VERSION',
      `guard-core/testing needs fast-check ${FAST_CHECK_RANGE}, found ${version}: ${INSTALL}`,
    );
  }
  loaded = module;
  return module;
}

/** True for a version within {@link FAST_CHECK_RANGE}. */
export function supported(version: string): boolean {
  const match = /^(\d+)\.(\d+)\./.exec(version);
  if (match === null) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return (major === 3 && minor >= 15) || major === 4;
}
