/**
 * The change-control decision for one judged change: a pure function of (what change control
 * said about the caller, what the judge found, what a revert could do). Effects come later.
 */
import type { ChangeDecision } from '../policy/change-control';
import type { Finding } from '../policy/judge';
import type { RuleId } from '../policy/rule-ids';
import type { ViolationAction } from '../policy/schema';
import type { RevertPlan } from './revert-plan';

/** What meshwarden does about a change. */
export type ChangeAction = 'keep' | 'revert' | 'hold' | 'report';

/**
 * Rules about references to resources that do not exist (yet). Ordered deployments (seeding,
 * CloudFormation, Terraform) create a node before the service it calls; undoing the first
 * step of such a deployment would break it. For an allowed change these are reported; the
 * periodic audit reports them again if they persist.
 */
export const REPORTED_FOR_ALLOWED_CHANGES: readonly RuleId[] = [
  'consistency.backend-exists',
  'consistency.provider-exists',
];

/** The outcome of {@link decideAction}. */
export interface ActionDecision {
  readonly action: ChangeAction;
  /** Findings that made the change a violation. */
  readonly violations: readonly Finding[];
  /** Findings reported without acting on them (see {@link REPORTED_FOR_ALLOWED_CHANGES}). */
  readonly reported: readonly Finding[];
  /** The plan to carry out: `none` for keep and report. */
  readonly plan: RevertPlan;
  /** Plain sentences: why this action. */
  readonly reasons: readonly string[];
}

export interface DecideInput {
  readonly changeControl: ChangeDecision;
  /** Findings of the judge on the changed resource and its neighbours. */
  readonly findings: readonly Finding[];
  /** What a violation by this caller gets (the override for the caller, or the mesh default). */
  readonly onViolation: ViolationAction;
  /** How the change would be undone. */
  readonly revert: RevertPlan;
}

const NONE: RevertPlan = { type: 'none', reason: 'nothing to do' };

/** Decide what to do about a judged change. */
export function decideAction(input: DecideInput): ActionDecision {
  const { changeControl, findings, revert } = input;
  const denied = changeControl.decision === 'deny';
  const open = findings.filter((f) => f.status === 'violation');
  const violations = denied ? open : open.filter((f) => !REPORTED_FOR_ALLOWED_CHANGES.includes(f.ruleId));
  const reported = open.filter((f) => !violations.includes(f));
  const reasons: string[] = [changeControl.explanation];
  for (const f of violations) reasons.push(`${f.ruleId}: ${f.message}`);
  for (const f of reported) reasons.push(`reported only (${f.ruleId}): ${f.message}`);

  if (!denied && violations.length === 0)
    return { action: 'keep', violations, reported, plan: NONE, reasons };

  const wanted: ChangeAction = denied ? changeControl.onViolation : input.onViolation;
  if (!denied) reasons.push(`the change breaks ${violations.length} rule(s); the policy says ${wanted}`);
  if (wanted === 'report') return { action: 'report', violations, reported, plan: NONE, reasons };
  if (revert.type === 'none') {
    reasons.push(`cannot ${wanted}: ${revert.reason}`);
    return { action: 'report', violations, reported, plan: NONE, reasons };
  }
  return { action: wanted, violations, reported, plan: revert, reasons };
}
