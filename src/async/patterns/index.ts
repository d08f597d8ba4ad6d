/** The custom-patterns subsystem's public exports. */
export { SusPatternsManager, type SusPatternsManagerOptions } from './manager.js';
export { BUILTIN_PATTERNS, type BuiltinPattern } from '../../core/patterns/builtin.js';
export type { PatternMatchResult } from '../../core/patterns/matcher.js';
export {
  REDOS_CHECK,
  PATTERN_FLAGS,
  checkPattern,
  type CompiledPattern,
  type PatternVerdict,
} from '../../core/patterns/safety.js';
export { PATTERNS_NAMESPACE, PATTERNS_CHANNEL, patternKeys } from '../../core/patterns/store.js';
