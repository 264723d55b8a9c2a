import type { ApprovalRequestedDetail } from '../events/approvals';
import type { CompiledPolicy } from '../policy/compile';
import type { ApprovalStore, ChatApprovals } from '../ports';
import type { Approval } from './approval';
import type { ApprovalLog } from './decide';
import { approvalExpiresAt } from './expiry';

export interface RequestDeps {
  readonly store: ApprovalStore;
  readonly chat: ChatApprovals;
  readonly policy: Pick<CompiledPolicy, 'forMesh'>;
  readonly now: () => Date;
  readonly log: ApprovalLog;
}

/** What handling a request did. */
export type RequestOutcome = 'posted' | 'already-posted' | 'already-closed' | 'no-channel';

/**
 * On `ApprovalRequested`: store the pending approval (its expiry cut to the policy's
 * `expiresAfterMinutes`) and post the request in the mesh's approvals channel. A redelivered
 * request finds the stored approval and posts only if the first delivery did not get that far.
 */
export async function requestApproval(
  deps: RequestDeps,
  request: ApprovalRequestedDetail,
): Promise<RequestOutcome> {
  const now = deps.now();
  const section = deps.policy.forMesh(request.meshName)?.document.approvals;
  // A later expiry than the policy's is cut to it; requesters compute theirs with the same rule.
  const latest = Date.parse(approvalExpiresAt(deps.policy, request.meshName, now));
  const expiresAt = new Date(Math.min(Date.parse(request.expiresAt), latest)).toISOString();
  const fresh: Approval = { ...request, requestedAt: now.toISOString(), expiresAt, status: 'pending' };
  const created = await deps.store.create(fresh);
  const approval = created ? fresh : await deps.store.get(request.approvalId);
  if (approval === undefined) throw new Error(`approval ${request.approvalId} exists but cannot be read`);
  if (approval.message !== undefined) return 'already-posted';
  if (approval.status !== 'pending') return 'already-closed';
  if (section === undefined) {
    // Nobody can be asked; the approval stays pending and the sweep expires it, which tells
    // the holder through ApprovalDecided (expired). Logged as an error so it is seen.
    deps.log.error('no approvals channel for the mesh; the request will expire unanswered', {
      approvalId: approval.approvalId,
      meshName: approval.meshName,
    });
    return 'no-channel';
  }
  const message = await deps.chat.postApprovalRequest(section.slack.channel, approval);
  await deps.store.attachMessage(approval.approvalId, message);
  deps.log.info('approval requested', { approvalId: approval.approvalId, message });
  return 'posted';
}
