import type { GuardDeps } from './deps';
import type { Deployment, RouteRecord } from './model';

/**
 * A deployment that ended or rolled back while its last step waited for (or had) an approval:
 * close that approval with the reason, so nobody approves into the void and an "Approved"
 * message is not left hanging. A pending one is expired; every one gets an execution record
 * saying nothing was applied, and its chat message is updated with a reply in its thread.
 * Best effort for chat: the decision on the deployment stands whatever Slack says.
 */
export async function closeApprovalsOf(
  deps: GuardDeps,
  record: RouteRecord,
  deployment: Deployment,
  reason: string,
): Promise<void> {
  const approvals = deps.approvals;
  const approvalId = deployment.progress?.approvalId ?? deployment.progress?.approved?.approvalId;
  // A deployment that reached 100% applied its approval; that one is not closed as unapplied.
  if (approvalId === undefined || deployment.promotedAt !== undefined) return;
  const approval = await approvals.store.get(approvalId);
  if (approval === undefined || approval.execution !== undefined) return;
  const at = deps.now().toISOString();
  if (approval.status === 'pending') {
    await approvals.store.recordDecision(approvalId, { status: 'expired', decidedAt: at }, deps.now());
  }
  const detail = `Closed: deployment ${deployment.deploymentId} of ${record.routeKey} ${reason}. Nothing was applied.`;
  await approvals.store.recordExecution(approvalId, { outcome: 'failed', at, detail });
  const closed = await approvals.store.get(approvalId);
  const chat = approvals.chat;
  if (chat === undefined || closed?.message === undefined) return;
  await Promise.allSettled([
    chat.updateApprovalMessage(closed),
    chat.postThreadReply(closed.message, detail),
  ]);
}

/** The approved last step was applied: record it on the approval, so it is not left "Approved then nothing". */
export async function recordApprovalApplied(
  deps: GuardDeps,
  record: RouteRecord,
  approvalId: string | undefined,
  weights: string,
): Promise<void> {
  const approvals = deps.approvals;
  if (approvalId === undefined) return;
  const detail = `Applied: ${record.routeKey} promoted to ${weights}`;
  await approvals.store.recordExecution(approvalId, {
    outcome: 'applied',
    at: deps.now().toISOString(),
    detail,
  });
  const applied = await approvals.store.get(approvalId);
  if (approvals.chat === undefined || applied?.message === undefined) return;
  await Promise.allSettled([
    approvals.chat.updateApprovalMessage(applied),
    approvals.chat.postThreadReply(applied.message, detail),
  ]);
}
