/** The behaviour tracker's public exports. */
export { BehaviorTracker, type BehaviorTrackerOptions, type BehaviorResult } from './tracker.js';
export type { BehaviorRule, BehaviorResponse } from '../../core/behavior/rule.js';
export { BEHAVIOR_USAGE_NAMESPACE, BEHAVIOR_RETURNS_NAMESPACE } from '../../core/behavior/keys.js';
