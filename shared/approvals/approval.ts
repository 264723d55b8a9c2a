import type { ApprovalAction, ApprovalDecidedDetail } from '../events/approvals';

/** Where an approval request was posted in chat, so it can be updated. */
export interface ChatMessageRef {
  readonly channel: string;
  readonly ts: string;
}

/** The state of an approval: open until the first decision or its expiry. */
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired';

/** Who decided: the Slack user and the identity the approvers policy maps them to. */
export interface Decider {
  readonly slackUserId: string;
  readonly identity: string;
}

/** What became of the action after the decision (only for actions the executor carries out). */
export interface ApprovalExecution {
  /**
   * `reasked`: the resource moved on since the change was held, so nothing was written and
   * a fresh request with the change against the current state was published;
   * `not-applied`: the resource is gone, or the action was called off (an aborted CA rollover).
   */
  readonly outcome: 'applied' | 'failed' | 'reasked' | 'not-applied';
  readonly at: string;
  readonly detail: string;
}

/** One approval as stored: the request, where it was asked, and its decision. */
export interface Approval {
  readonly approvalId: string;
  readonly meshName: string;
  /** The account of the mesh (a member account's); meshwarden's own account when absent. */
  readonly account?: string;
  readonly action: ApprovalAction;
  readonly title: string;
  readonly reason: string;
  readonly requestedBy: { readonly arn: string; readonly label: string };
  readonly diff: string;
  readonly requestedAt: string;
  /** ISO-8601; after it no decision is accepted. */
  readonly expiresAt: string;
  readonly status: ApprovalStatus;
  readonly message?: ChatMessageRef;
  readonly decidedBy?: Decider;
  readonly decidedAt?: string;
  /**
   * The interaction that decided (Slack trigger id and action timestamp), so a retried or
   * replayed delivery of the same click is recognised as that click, not a second decision.
   */
  readonly decidedByClick?: string;
  /** True once `ApprovalDecided` was published for the decision. */
  readonly published?: boolean;
  readonly execution?: ApprovalExecution;
}

/** Button action ids of the request message; the button's value is the approval id. */
export const APPROVAL_ACTION_IDS = {
  approve: 'meshwarden.approve',
  reject: 'meshwarden.reject',
} as const;

/** A decision an approver can make by clicking. */
export type ClickDecision = 'approved' | 'rejected';

/** True when the approval can no longer be decided because its time is up. */
export function isPastExpiry(approval: Pick<Approval, 'expiresAt'>, now: Date): boolean {
  return Date.parse(approval.expiresAt) <= now.getTime();
}

/** The `ApprovalDecided` detail for a decided approval. */
export function decidedDetail(approval: Approval): ApprovalDecidedDetail {
  if (approval.status === 'pending' || approval.decidedAt === undefined) {
    throw new TypeError(`approval ${approval.approvalId} is not decided`);
  }
  return {
    approvalId: approval.approvalId,
    meshName: approval.meshName,
    action: approval.action,
    decision: approval.status,
    ...(approval.decidedBy === undefined ? {} : { decidedBy: approval.decidedBy }),
    decidedAt: approval.decidedAt,
  };
}
