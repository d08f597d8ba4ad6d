/** The pure part of the behaviour tracker, shared by the async and the sync API. */
export {
  requireRule,
  compileReturnPattern,
  requireResponse,
  type BehaviorRule,
  type BehaviorResponse,
  type ResponseMatcher,
} from './rule.js';
export { BEHAVIOR_USAGE_NAMESPACE, BEHAVIOR_RETURNS_NAMESPACE, usageKey, returnKey } from './keys.js';
