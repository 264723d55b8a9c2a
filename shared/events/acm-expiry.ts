import * as z from 'zod';
import { parseOrThrow } from '../validation';
import { eventBridgeEvent, nonEmpty } from './envelope';

/**
 * "ACM Certificate Approaching Expiration" (ACM user guide, EventBridge support). ACM sends
 * one per certificate per day from `DaysBeforeExpiry` (45 by default) until expiry; the
 * certificate ARN is the only entry of `resources`.
 */
export const acmApproachingExpirationEvent = eventBridgeEvent(
  'aws.acm',
  'ACM Certificate Approaching Expiration',
  z.looseObject({
    DaysToExpiry: z.number().int().nonnegative(),
    CommonName: nonEmpty,
  }),
).extend({ resources: z.array(z.string().startsWith('arn:')).length(1) });

export type AcmApproachingExpirationEvent = z.infer<typeof acmApproachingExpirationEvent>;

/** Parse an ACM approaching-expiration event, or throw a ValidationError naming each bad field. */
export function parseAcmApproachingExpiration(input: unknown): AcmApproachingExpirationEvent {
  return parseOrThrow(acmApproachingExpirationEvent, input, 'ACM Certificate Approaching Expiration event');
}
