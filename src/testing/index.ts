/**
 * guard-core/testing: the conformance kit for cloud-IP stores. Check any store — ours, or your
 * DynamoDB/SQL/file store, async or sync — against the protocol with fast-check properties.
 *
 * Needs the optional peer dependency `fast-check` (and a test runner for `runStoreConformance`);
 * without it, importing this module still works and using the kit throws a
 * `ConformanceDependencyError` saying what to install.
 */
export { runStoreConformance } from './register.js';
export { checkStoreConformance } from './check.js';
export { createManualClock, type ConformanceClock, type ManualClock } from './clock.js';
export { ConformanceDependencyError, type ConformanceDependencyCode } from './fast-check.js';
export type { StoreConformanceOptions, StoreCapabilities, TtlCapability } from './options.js';
export { ConformanceFactoryError, encodePrefix } from './prefix.js';
export { PROPERTY_IDS, type PropertyId } from './property-ids.js';
export {
  formatConformanceReport,
  formatPropertyFailure,
  StoreConformanceError,
  type ConformanceReport,
  type PropertyResult,
  type PropertyStatus,
} from './report.js';
export type {
  ConformanceTestBody,
  DescribeFunctionLike,
  RunnerBinding,
  SkippedTestBody,
  TestFunctionLike,
} from './runner.js';
export type {
  ConformanceStore,
  StoreFactory,
  StoreFactoryContext,
  StoreMode,
  StoreTarget,
  SyncCloudIpStoreShape,
} from './store-types.js';
