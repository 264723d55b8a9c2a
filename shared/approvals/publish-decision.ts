import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import type { ApprovalStore, EventPublisher } from '../ports';
import { type Approval, decidedDetail } from './approval';

/**
 * Publish `ApprovalDecided` for a decided approval, then mark it published. The decision is
 * stored first (audit before effect); if publishing fails, the approval stays unpublished and
 * the expiry sweep publishes it later, so no decision is lost.
 */
export async function publishDecision(
  deps: { readonly store: ApprovalStore; readonly publisher: EventPublisher },
  approval: Approval,
): Promise<void> {
  await deps.publisher.publish([
    { detailType: MESHWARDEN_DETAIL_TYPES.approvalDecided, detail: { ...decidedDetail(approval) } },
  ]);
  await deps.store.markPublished(approval.approvalId);
}
