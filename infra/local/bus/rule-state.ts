import type { EnabledRuleState } from '../../../shared/events/patterns';
import type { BusEvent } from '../types';

/**
 * Rule states as EventBridge has them. An `ENABLED` rule is matched against every event except
 * the read-only management events CloudTrail delivers; only an
 * `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` rule sees those too (EventBridge user guide,
 * "Receiving read-only management events from AWS services"). Without this, a rule that needs
 * a read-only call (AssumeRoleWithWebIdentity is one) works locally and never fires in AWS.
 */
export type RuleState = EnabledRuleState | 'DISABLED';

/** Every state PutRule accepts, in the order EventBridge lists them in its validation message. */
export const RULE_STATES: readonly RuleState[] = [
  'ENABLED',
  'DISABLED',
  'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
];

export function isRuleState(value: unknown): value is RuleState {
  return typeof value === 'string' && (RULE_STATES as readonly string[]).includes(value);
}

/** Whether the rule is matched at all (and, for a schedule, fires). */
export function isEnabled(state: RuleState): boolean {
  return state !== 'DISABLED';
}

const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';

/**
 * A read-only management event delivered by CloudTrail: an API call event from an AWS service
 * (`aws.*` sources are reserved to AWS) whose record says `readOnly: true`.
 */
export function isReadOnlyManagementEvent(event: BusEvent): boolean {
  if (event['detail-type'] !== CLOUDTRAIL_API_CALL || !event.source.startsWith('aws.')) return false;
  const detail = event.detail as { readOnly?: unknown; managementEvent?: unknown };
  // Data events say `managementEvent: false`; a record without the field is taken for a
  // management event.
  return detail.readOnly === true && detail.managementEvent !== false;
}

/** Whether a rule in this state is matched against the event at all. */
export function ruleReceives(state: RuleState, event: BusEvent): boolean {
  if (!isEnabled(state)) return false;
  return state === 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' || !isReadOnlyManagementEvent(event);
}
