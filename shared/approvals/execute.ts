import type { ApprovalDecidedDetail } from '../events/approvals';
import type { ApprovalStore, ChatApprovals, MeshProvider } from '../ports';
import type { Approval, ApprovalExecution } from './approval';
import type { ApprovalLog } from './decide';
import { reapplyChange } from './reapply-change';

export interface ExecuteDeps {
  readonly store: ApprovalStore;
  readonly chat: ChatApprovals;
  readonly meshes: MeshProvider;
  readonly now: () => Date;
  readonly log: ApprovalLog;
}

function when(iso: string): string {
  return iso
    .replace(/\.\d{3}Z$/, 'Z')
    .replace('T', ' ')
    .replace('Z', ' UTC');
}

/**
 * On `ApprovalDecided`: carry out an approved `reapply-change` (the other action types belong
 * to the functions that hold them: deployment guard, certificate rotation), then update the
 * request message with the outcome; on expiry also say so in the message's thread. A failed
 * re-apply is recorded and shown, then rethrown so EventBridge retries it; the retry uses the
 * same client token, and an applied change is never applied twice.
 */
export async function executeDecision(
  deps: ExecuteDeps,
  detail: ApprovalDecidedDetail,
): Promise<ApprovalExecution | undefined> {
  const stored = await deps.store.get(detail.approvalId);
  if (stored === undefined)
    deps.log.warn('decided approval not in the store; no message to update', {
      approvalId: detail.approvalId,
    });
  const approval: Approval | undefined =
    stored === undefined
      ? undefined
      : {
          ...stored,
          status: detail.decision,
          decidedAt: detail.decidedAt,
          ...(detail.decidedBy === undefined ? {} : { decidedBy: detail.decidedBy }),
        };

  let execution: ApprovalExecution | undefined = approval?.execution;
  let failure: unknown;
  if (
    detail.decision === 'approved' &&
    detail.action.type === 'reapply-change' &&
    execution?.outcome !== 'applied'
  ) {
    try {
      const done = await reapplyChange(deps.meshes, detail.action, detail.approvalId);
      execution = { outcome: 'applied', at: deps.now().toISOString(), detail: done };
    } catch (error) {
      failure = error;
      execution = {
        outcome: 'failed',
        at: deps.now().toISOString(),
        detail: `Re-applying failed: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    if (stored !== undefined) await deps.store.recordExecution(detail.approvalId, execution);
    deps.log.info('held change re-applied', { approvalId: detail.approvalId, execution });
  }

  if (approval?.message !== undefined) {
    const shown = execution === undefined ? approval : { ...approval, execution };
    await deps.chat.updateApprovalMessage(shown);
    if (detail.decision === 'expired') {
      await deps.chat.postThreadReply(
        approval.message,
        `This request expired at ${when(approval.expiresAt)} without a decision; nothing was applied.`,
      );
    }
  }
  if (failure !== undefined) throw failure;
  return execution;
}
