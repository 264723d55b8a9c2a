import { ValidationError } from '../errors';
import {
  type ApprovalDecidedEvent,
  type ApprovalRequestedEvent,
  parseApprovalDecided,
  parseApprovalRequested,
} from '../events/approvals';
import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import { parseScheduledEvent, type ScheduledEvent } from '../events/scheduled-event';
import { describeUntrusted } from '../validation';

/** What the approval executor is invoked with: a request, a decision, or the sweep schedule. */
export type ExecutorEvent =
  | { readonly kind: 'requested'; readonly event: ApprovalRequestedEvent }
  | { readonly kind: 'decided'; readonly event: ApprovalDecidedEvent }
  | { readonly kind: 'sweep'; readonly event: ScheduledEvent };

/** Tell the three inputs apart by `detail-type`, then validate with that input's schema. */
export function parseExecutorEvent(input: unknown): ExecutorEvent {
  const detailType =
    input !== null && typeof input === 'object'
      ? (input as Record<string, unknown>)['detail-type']
      : undefined;
  switch (detailType) {
    case MESHWARDEN_DETAIL_TYPES.approvalRequested:
      return { kind: 'requested', event: parseApprovalRequested(input) };
    case MESHWARDEN_DETAIL_TYPES.approvalDecided:
      return { kind: 'decided', event: parseApprovalDecided(input) };
    case 'Scheduled Event':
      return { kind: 'sweep', event: parseScheduledEvent(input) };
    default:
      throw new ValidationError(
        `Invalid approval executor event: detail-type ${describeUntrusted(detailType)} is none of ApprovalRequested, ApprovalDecided, Scheduled Event`,
        [{ path: 'detail-type', message: 'expected ApprovalRequested, ApprovalDecided or Scheduled Event' }],
      );
  }
}
