/**
 * The GovernanceDecision event detail: the one record of a decision, stored as the audit
 * record and published on the meshwarden bus. Who, what, before/after, rule ids broken,
 * action taken (the outcome is added by the audit record).
 */
import { formatResourceKey } from '../domain/resource-key';
import type { Principal } from '../events/principal';
import { describePrincipal } from '../policy/change-control';
import { describeFinding } from '../policy/judge';
import type { FailedCall, Judged } from './assess';
import { renderDiff } from './diff';
import { describePlan } from './revert-plan';

/** `GovernanceDecision` detail. */
export interface GovernanceDecisionDetail {
  readonly [member: string]: unknown;
  readonly eventId: string;
  readonly eventTime: string;
  readonly meshName: string;
  readonly resourceKey: string;
  readonly operation: string;
  readonly principal: { readonly arn: string; readonly label: string; readonly type: string };
  /**
   * `allow`/`deny` from change control; `failed-call` for a call that did not change anything;
   * `unjudgeable` for a call meshwarden could not judge (reported, see unjudgeable.ts).
   */
  readonly changeControl: 'allow' | 'deny' | 'failed-call' | 'unjudgeable';
  readonly action: 'keep' | 'revert' | 'hold' | 'report' | 'none';
  /** Rule ids the change breaks (compliance, consistency), plus `change-control` when denied. */
  readonly ruleIds: readonly string[];
  readonly findings: readonly string[];
  /** What the effect is (or why there is none). */
  readonly plan: string;
  readonly reasons: readonly string[];
  /** Last known good -> now, one line per changed leaf. */
  readonly diff: string;
  readonly resourceVersion: number | null;
  readonly approvalId?: string;
}

/** Longest finding or reason line kept: a message may quote a value of a very large spec. */
const MAX_LINE = 1000;

function line(text: string): string {
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}...` : text;
}

function principalOf(p: Principal): GovernanceDecisionDetail['principal'] {
  return { arn: p.arn ?? p.invokedBy ?? '(unknown)', label: describePrincipal(p), type: p.type };
}

/** The decision detail of a judged change. */
export function judgedDecision(judged: Judged, approvalId: string | undefined): GovernanceDecisionDetail {
  const { change, decision } = judged;
  const denied = judged.changeControl.decision === 'deny';
  const ruleIds = [
    ...new Set([...(denied ? ['change-control'] : []), ...decision.violations.map((f) => f.ruleId)]),
  ];
  return {
    eventId: change.eventId,
    eventTime: change.eventTime,
    meshName: change.ref.meshName,
    resourceKey: judged.resourceKey,
    operation: change.operation,
    principal: principalOf(judged.principal),
    changeControl: judged.changeControl.decision,
    action: decision.action,
    ruleIds,
    findings: [...decision.violations, ...decision.reported].map((f) => line(describeFinding(f))),
    plan: decision.action === 'keep' ? 'keep the change as last known good' : describePlan(decision.plan),
    reasons: decision.reasons.map(line),
    diff: renderDiff(judged.diff),
    resourceVersion: judged.current?.metadata?.version ?? null,
    ...(approvalId === undefined ? {} : { approvalId }),
  };
}

/** The decision detail of a failed call: audited, no action. */
export function failedCallDecision(failed: FailedCall): GovernanceDecisionDetail {
  const { change } = failed;
  return {
    eventId: change.eventId,
    eventTime: change.eventTime,
    meshName: change.ref.meshName,
    resourceKey: formatResourceKey(change.ref),
    operation: change.operation,
    principal: principalOf(failed.principal),
    changeControl: 'failed-call',
    action: 'none',
    ruleIds: [],
    findings: [],
    plan: 'none: the call failed',
    reasons: [failed.explanation],
    diff: '',
    resourceVersion: null,
  };
}
