import type { Logger } from '@aws-lambda-powertools/logger';
import type { CompiledPolicy } from '../policy/compile';
import type { ApprovalsSection } from '../policy/sections/approvals';
import type { ApprovalStore, EventPublisher } from '../ports';
import { type Approval, type ClickDecision, isPastExpiry } from './approval';
import { type ApproverCheck, authorizeApprover } from './authorize-approver';
import { publishDecision } from './publish-decision';

/**
 * One approver's decision on one approval, whatever channel it came through (a Slack click, a
 * call to the HTTP API): the same rules everywhere. The approver must be allowed by the mesh's
 * approvals policy (groups per action type, no self-approval), only a pending approval within
 * its expiry can be decided, the first decision wins (a conditional write), and the decision
 * is stored before `ApprovalDecided` is published.
 */

export interface DecideApprovalDeps {
  readonly store: ApprovalStore;
  readonly publisher: EventPublisher;
  readonly policy: Pick<CompiledPolicy, 'forMesh'>;
  /**
   * The policy as an account sees it (see policy/account-view.ts): an approval naming an account
   * is authorized by that account's entry for its mesh. Without it, such an approval has no
   * approvers: the whole policy's first match could be another account's mesh of that name.
   */
  readonly policyIn?: (account: string) => Pick<CompiledPolicy, 'forMesh'>;
  readonly now: () => Date;
  readonly log: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export interface DecisionRequest {
  readonly approvalId: string;
  /** The approver's key in the approvals section (their Slack user id). */
  readonly approverId: string;
  readonly decision: ClickDecision;
  /** What decided (a Slack click, an API request): the same interaction again is not a second decision. */
  readonly interaction: string;
  /**
   * A last check of the channel's own, after the policy allowed the approver and before
   * anything is recorded (Slack: the profile email). A message refuses.
   */
  readonly confirm?: (
    check: Extract<ApproverCheck, { ok: true }>,
    approval: Approval,
  ) => Promise<string | undefined>;
}

export type DecisionOutcome =
  | { readonly kind: 'recorded'; readonly approval: Approval }
  /** The same interaction decided it already (a retry): nothing new. */
  | { readonly kind: 'repeated'; readonly approval: Approval }
  | { readonly kind: 'unknown' }
  /** Decided by someone else, or expired. */
  | { readonly kind: 'closed'; readonly approval: Approval }
  | {
      readonly kind: 'refused';
      readonly reason: string;
      readonly message: string;
      readonly approval: Approval;
    };

function when(iso: string): string {
  return iso
    .replace(/\.\d{3}Z$/, 'Z')
    .replace('T', ' ')
    .replace('Z', ' UTC');
}

/** What a person who clicks on a closed request is told. */
export function closedExplanation(approval: Approval): string {
  if (approval.status === 'expired' || approval.status === 'pending') {
    return `This request expired at ${when(approval.expiresAt)} and can no longer be decided; nothing was applied. Ask ${approval.requestedBy.label} to make the change again if it is still needed.`;
  }
  const by =
    approval.decidedBy === undefined
      ? 'someone'
      : `<@${approval.decidedBy.slackUserId}> (${approval.decidedBy.identity})`;
  return `Already ${approval.status} by ${by} at ${when(approval.decidedAt ?? '')}. Your click changed nothing.`;
}

/** The approvals section of the approval's mesh, in the approval's account. */
export function approvalsSectionOf(
  deps: Pick<DecideApprovalDeps, 'policy' | 'policyIn'>,
  approval: Approval,
): ApprovalsSection | undefined {
  if (approval.account === undefined) return deps.policy.forMesh(approval.meshName)?.document.approvals;
  return deps.policyIn?.(approval.account).forMesh(approval.meshName)?.document.approvals;
}

/** Decide an approval under its mesh's approvals policy in its account; nothing is recorded unless `recorded`. */
export async function decideApproval(
  deps: DecideApprovalDeps,
  request: DecisionRequest,
): Promise<DecisionOutcome> {
  const now = deps.now();
  const approval = await deps.store.get(request.approvalId);
  if (approval === undefined) return { kind: 'unknown' };
  if (approval.status !== 'pending') return closedOrRepeated(deps, approval, request.interaction);
  if (isPastExpiry(approval, now)) return { kind: 'closed', approval };

  const check = authorizeApprover(
    approvalsSectionOf(deps, approval),
    approval,
    request.approverId,
    request.decision,
  );
  if (!check.ok) {
    deps.log.warn('decision refused', {
      approvalId: approval.approvalId,
      approverId: request.approverId,
      reason: check.reason,
    });
    return { kind: 'refused', reason: check.reason, message: check.message, approval };
  }
  const objection = await request.confirm?.(check, approval);
  if (objection !== undefined)
    return { kind: 'refused', reason: 'confirmation', message: objection, approval };

  const result = await deps.store.recordDecision(
    approval.approvalId,
    {
      status: request.decision,
      decidedAt: now.toISOString(),
      decidedBy: check.decider,
      click: request.interaction,
    },
    now,
  );
  switch (result.outcome) {
    case 'recorded':
      deps.log.info('approval decided', {
        approvalId: approval.approvalId,
        decision: request.decision,
        decidedBy: check.decider,
      });
      await publishOrLeaveForSweep(deps, result.approval);
      return { kind: 'recorded', approval: result.approval };
    case 'already-decided':
      return closedOrRepeated(deps, result.approval, request.interaction);
    case 'expired':
      return { kind: 'closed', approval: result.approval };
    case 'not-found':
      return { kind: 'unknown' };
  }
}

/**
 * A decided approval: the same interaction again (a retry or a replay) publishes what is still
 * unpublished and is answered as before; any other is told it is closed.
 */
async function closedOrRepeated(
  deps: DecideApprovalDeps,
  approval: Approval,
  interaction: string,
): Promise<DecisionOutcome> {
  if (approval.decidedByClick !== interaction) return { kind: 'closed', approval };
  if (approval.published !== true) await publishOrLeaveForSweep(deps, approval);
  return { kind: 'repeated', approval };
}

async function publishOrLeaveForSweep(deps: DecideApprovalDeps, approval: Approval): Promise<void> {
  try {
    await publishDecision(deps, approval);
  } catch (error) {
    // The decision is stored; the sweep publishes unpublished decisions, so the person is not
    // shown an error for something that will still happen.
    deps.log.error('ApprovalDecided not published yet; the sweep will retry', {
      approvalId: approval.approvalId,
      error: String(error),
    });
  }
}
