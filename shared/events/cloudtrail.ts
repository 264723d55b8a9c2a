import * as z from 'zod';
import { userIdentity } from './cloudtrail-identity';
import { awsAccountId, awsRegion, nonEmpty } from './envelope';

/** The EventBridge `detail-type` of every CloudTrail management API call. */
export const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';

/**
 * Build the schema of a CloudTrail API-call record (the EventBridge `detail`) for one
 * service. The CloudTrail record-contents reference marks most fields optional, and one record
 * refused is one call neither judged nor reported, so only what meshwarden reads is required:
 * what the call was (`eventSource`, `eventName`, `eventType`), when (`eventTime`), its id
 * (`eventID`, the audit key) and who made it (`userIdentity`, which itself never refuses; see
 * cloudtrail-identity.ts). `requestParameters` and `responseElements` are `null` or absent for
 * calls that have none (`responseElements` on failed calls too), so each service supplies its
 * own shapes for them. `readOnly` is absent from records before eventVersion 1.01; a call not
 * marked read-only is judged.
 */
export function cloudTrailApiCallDetail<Source extends string, Req extends z.ZodType, Res extends z.ZodType>(
  eventSource: Source,
  requestParameters: Req,
  responseElements: Res,
) {
  return z.looseObject({
    eventVersion: z.string().optional(),
    userIdentity,
    eventTime: z.iso.datetime(),
    eventSource: z.literal(eventSource),
    eventName: nonEmpty,
    awsRegion: awsRegion.optional(),
    sourceIPAddress: z.string().optional(),
    userAgent: z.string().optional(),
    requestParameters: requestParameters.nullish(),
    responseElements: responseElements.nullish(),
    requestID: z.string().optional(),
    // A UUID; part of the audit record's sort key, which DynamoDB caps at 1,024 bytes.
    eventID: nonEmpty.max(128),
    readOnly: z.boolean().optional(),
    eventType: z.literal('AwsApiCall'),
    managementEvent: z.boolean().optional(),
    recipientAccountId: awsAccountId.optional(),
    eventCategory: z.string().optional(),
    // Present only on failed calls: the service's error code and message. Both end up in the
    // audit record's explanation, so they are bounded: AWS writes short codes and messages.
    errorCode: nonEmpty.max(256).optional(),
    errorMessage: z.string().max(4096).optional(),
  });
}
