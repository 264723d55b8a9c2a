import * as z from '../schema';
import { parseOrThrow } from '../validation';
import { eventBridgeEvent, nonEmpty } from './envelope';

/**
 * "ACM Certificate Approaching Expiration" (ACM user guide, EventBridge support). ACM sends
 * one per certificate per day from `DaysBeforeExpiry` (45 by default) until expiry; the
 * certificate ARN is the only entry of `resources`.
 */
export const acmApproachingExpirationEvent = z.extend(
  eventBridgeEvent(
    'aws.acm',
    'ACM Certificate Approaching Expiration',
    z.looseObject({
      DaysToExpiry: z.number().check(z.int(), z.nonnegative()),
      CommonName: nonEmpty,
    }),
  ),
  { resources: z.array(z.string().check(z.startsWith('arn:'))).check(z.length(1)) },
);

export type AcmApproachingExpirationEvent = z.infer<typeof acmApproachingExpirationEvent>;

/** Parse an ACM approaching-expiration event, or throw a ValidationError naming each bad field. */
export function parseAcmApproachingExpiration(input: unknown): AcmApproachingExpirationEvent {
  return parseOrThrow(acmApproachingExpirationEvent, input, 'ACM Certificate Approaching Expiration event');
}
