/**
 * What starts certificate rotation: the daily schedule, ACM's approaching-expiration notice,
 * an approval decision on a CA rollover, or a rollover that waits for its approval. One parser
 * tells them apart by source and detail-type, each validated by its own schema.
 */
import { BadRequestError, ValidationError } from '../errors';
import { type AcmApproachingExpirationEvent, parseAcmApproachingExpiration } from '../events/acm-expiry';
import { type ApprovalDecidedEvent, parseApprovalDecided } from '../events/approvals';
import { type CaRolloverAwaitingApprovalEvent, parseCaRolloverAwaitingApproval } from '../events/ca-rollover';
import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import { parseScheduledEvent, type ScheduledEvent } from '../events/scheduled-event';
import { describeUntrusted } from '../validation';

export type RotationTrigger =
  | { readonly kind: 'schedule'; readonly event: ScheduledEvent }
  | { readonly kind: 'acm-expiry'; readonly event: AcmApproachingExpirationEvent }
  | { readonly kind: 'rollover-decision'; readonly event: ApprovalDecidedEvent }
  | { readonly kind: 'rollover-awaiting-approval'; readonly event: CaRolloverAwaitingApprovalEvent };

/** Parse an inbound event, or throw a ValidationError naming what is wrong. */
export function parseRotationTrigger(input: unknown): RotationTrigger {
  const envelope = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const source = envelope.source;
  const detailType = envelope['detail-type'];
  if (source === 'aws.events') return { kind: 'schedule', event: parseScheduledEvent(input) };
  if (source === 'aws.acm') return { kind: 'acm-expiry', event: parseAcmApproachingExpiration(input) };
  if (source === 'meshwarden' && detailType === 'ApprovalDecided') {
    const event = parseApprovalDecided(input);
    if (event.detail.action.type !== 'finish-ca-rollover')
      throw new BadRequestError(
        `ApprovalDecided for ${event.detail.action.type} is not for certificate rotation`,
      );
    return { kind: 'rollover-decision', event };
  }
  if (detailType === MESHWARDEN_DETAIL_TYPES.caRolloverAwaitingApproval)
    return { kind: 'rollover-awaiting-approval', event: parseCaRolloverAwaitingApproval(input) };
  throw new ValidationError('Not a certificate rotation trigger', [
    {
      path: 'source',
      message: `expected a Scheduled Event (aws.events), an ACM Certificate Approaching Expiration (aws.acm) a meshwarden ApprovalDecided or a CaRolloverAwaitingApproval; got source ${describeUntrusted(source)}, detail-type ${describeUntrusted(detailType)}`,
    },
  ]);
}
