import type * as events from 'aws-cdk-lib/aws-events';
import { type EventPattern, type NamedPattern, ruleStateOf } from '../../shared/events/patterns';

/**
 * The CDK's `EventPattern` names the envelope fields in camelCase; everything below the top
 * level (the `detail` content) is passed through unchanged. An unknown top-level key is a
 * mistake in a shared pattern, so it fails synth instead of being dropped.
 */
const CDK_KEYS: Readonly<Record<string, keyof events.EventPattern>> = {
  version: 'version',
  id: 'id',
  'detail-type': 'detailType',
  source: 'source',
  account: 'account',
  time: 'time',
  region: 'region',
  resources: 'resources',
  detail: 'detail',
};

/** Map a shared EventBridge pattern (wire keys) to the CDK's `EventPattern` (camelCase keys). */
export function toCdkEventPattern(pattern: EventPattern): events.EventPattern {
  const mapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pattern)) {
    const cdkKey = CDK_KEYS[key];
    if (cdkKey === undefined) {
      throw new Error(`EventBridge pattern key "${key}" is not an event envelope field`);
    }
    // A deep copy, so the CDK can never mutate the shared, frozen-by-convention pattern.
    mapped[cdkKey] = structuredClone(value);
  }
  return mapped as events.EventPattern;
}

/**
 * Give a rule made from a shared pattern the pattern's state. The L2 `events.Rule` knows only
 * enabled or disabled, so ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (without which the rule
 * never sees a read-only management event) is set on the underlying CfnRule.
 */
export function applyRuleState(rule: events.Rule, pattern: NamedPattern): void {
  const state = ruleStateOf(pattern);
  if (state === 'ENABLED') return;
  (rule.node.defaultChild as events.CfnRule).addPropertyOverride('State', state);
}
