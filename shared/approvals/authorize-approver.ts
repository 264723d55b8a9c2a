import {
  type ApprovalsSection,
  type ApproverDocument,
  groupsAllowedFor,
  isApproversOwnPrincipal,
} from '../policy/sections/approvals';
import type { Approval, ClickDecision, Decider } from './approval';

/** Why a click is not accepted as a decision; each has the sentence the person is shown. */
export type RefusalReason = 'no-approvals-policy' | 'not-an-approver' | 'group-not-allowed' | 'self-approval';

export type ApproverCheck =
  | { readonly ok: true; readonly decider: Decider; readonly approver: ApproverDocument }
  | { readonly ok: false; readonly reason: RefusalReason; readonly message: string };

/**
 * Decide, without I/O, whether the Slack user may make this decision on this approval under
 * the mesh's approvals policy: the user must be an approver, in a group allowed for the
 * action type, and (for an approval) not the person who caused the request unless the policy
 * allows self-approval. Rejecting one's own request is allowed: it only withdraws it.
 */
export function authorizeApprover(
  section: ApprovalsSection | undefined,
  approval: Pick<Approval, 'meshName' | 'action' | 'requestedBy'>,
  slackUserId: string,
  decision: ClickDecision,
): ApproverCheck {
  if (section === undefined) {
    return {
      ok: false,
      reason: 'no-approvals-policy',
      message: `Mesh ${approval.meshName} has no approvals policy, so nobody may decide its requests.`,
    };
  }
  const approver = Object.hasOwn(section.approvers, slackUserId) ? section.approvers[slackUserId] : undefined;
  if (approver === undefined) {
    return {
      ok: false,
      reason: 'not-an-approver',
      message: `You are not an approver for mesh ${approval.meshName}. Nothing was recorded.`,
    };
  }
  const allowed = groupsAllowedFor(section, approval.action.type);
  if (!approver.groups.some((g) => allowed.includes(g))) {
    return {
      ok: false,
      reason: 'group-not-allowed',
      message: `Your groups (${approver.groups.join(', ')}) may not decide ${approval.action.type} requests on mesh ${approval.meshName}${
        allowed.length > 0 ? `; ${allowed.join(', ')} may` : ''
      }. Nothing was recorded.`,
    };
  }
  const own =
    approver.identity === approval.requestedBy.label ||
    isApproversOwnPrincipal(approver, approval.requestedBy.arn);
  if (decision === 'approved' && own && !section.allowSelfApproval) {
    return {
      ok: false,
      reason: 'self-approval',
      message:
        'You caused this request, and the policy does not let you approve your own request; ask another approver. Nothing was recorded.',
    };
  }
  return { ok: true, decider: { slackUserId, identity: approver.identity }, approver };
}
