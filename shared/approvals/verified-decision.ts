import { sameValue } from '../change-control/diff';
import type { ApprovalActionType, ApprovalDecidedDetail } from '../events/approvals';
import type { ApprovalStore } from '../ports';
import type { Approval } from './approval';

/**
 * `ApprovalDecided` on meshwarden's bus is only a wake-up call: anyone allowed to put events
 * there could write one. What a consumer acts on is the approval meshwarden stored, decided
 * by a person (a verified Slack click, recorded with who clicked), and its stored action.
 */

/** The name of the metric every consumer counts a refused decision event under. */
export const FORGED_APPROVAL_METRIC = 'ForgedApprovalRefused';

/** Why a decision event was not acted on. */
export type DecisionRefusalReason =
  /** No approval with this id was ever stored (or it is past its retention). */
  | 'unknown-approval'
  /** The stored approval is still pending: nobody decided it. */
  | 'not-decided'
  /** The event says another decision than the stored one. */
  | 'decision-mismatch'
  /** Approved or rejected, but not recorded with the person who decided. */
  | 'no-decider'
  /** The event names another mesh or another action than the stored approval. */
  | 'action-mismatch'
  /** The stored approval is for another kind of action than the consumer carries out. */
  | 'not-for-this-consumer';

/** A decision a consumer may act on: the stored approval, decided. */
export interface StoredDecision {
  readonly ok: true;
  readonly approval: Approval & { readonly status: 'approved' | 'rejected' | 'expired' };
}

export interface DecisionRefusal {
  readonly ok: false;
  readonly reason: DecisionRefusalReason;
  /** One sentence for the log. */
  readonly message: string;
}

/**
 * Load the approval an `ApprovalDecided` event names and check that the store holds that very
 * decision, made by a person, for the action the consumer carries out. Never throws for a
 * refusal: a forged event is refused once, not retried into the dead-letter queue.
 */
export async function loadStoredDecision(
  store: Pick<ApprovalStore, 'get'>,
  detail: ApprovalDecidedDetail,
  /** The action type the consumer carries out; undefined for one that handles every type. */
  actionType: ApprovalActionType | undefined,
): Promise<StoredDecision | DecisionRefusal> {
  const id = detail.approvalId;
  const refuse = (reason: DecisionRefusalReason, message: string): DecisionRefusal => ({
    ok: false,
    reason,
    message: `ApprovalDecided for ${id} refused: ${message}; nothing was done`,
  });
  const approval = await store.get(id);
  if (approval === undefined) return refuse('unknown-approval', 'meshwarden stored no such approval');
  if (actionType !== undefined && approval.action.type !== actionType)
    return refuse(
      'not-for-this-consumer',
      `the stored approval is for ${approval.action.type}, not ${actionType}`,
    );
  if (approval.status === 'pending') return refuse('not-decided', 'the stored approval is still pending');
  if (approval.status !== detail.decision)
    return refuse(
      'decision-mismatch',
      `the event says ${detail.decision} but the stored decision is ${approval.status}`,
    );
  if (approval.status !== 'expired' && approval.decidedBy === undefined)
    return refuse('no-decider', `the stored ${approval.status} decision names no person who made it`);
  if (approval.meshName !== detail.meshName || !sameValue(approval.action, detail.action))
    return refuse('action-mismatch', 'the event names another mesh or action than the stored approval');
  return { ok: true, approval: approval as StoredDecision['approval'] };
}
