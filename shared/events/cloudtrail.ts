import * as z from '../schema';
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
export function cloudTrailApiCallDetail<
  Source extends string,
  Req extends z.core.$ZodType,
  Res extends z.core.$ZodType,
>(eventSource: Source, requestParameters: Req, responseElements: Res) {
  return z.looseObject({
    eventVersion: z.optional(z.string()),
    userIdentity,
    eventTime: z.iso.datetime(),
    eventSource: z.literal(eventSource),
    // An API operation's name (`UpdateRoute`): it names the decision and its reasons, so bounded.
    eventName: nonEmpty.check(z.maxLength(128)),
    awsRegion: z.optional(awsRegion),
    sourceIPAddress: z.optional(z.string()),
    userAgent: z.optional(z.string()),
    requestParameters: z.nullish(requestParameters),
    responseElements: z.nullish(responseElements),
    requestID: z.optional(z.string()),
    // A UUID; part of the audit record's sort key, which DynamoDB caps at 1,024 bytes.
    eventID: nonEmpty.check(z.maxLength(128)),
    readOnly: z.optional(z.boolean()),
    eventType: z.literal('AwsApiCall'),
    managementEvent: z.optional(z.boolean()),
    recipientAccountId: z.optional(awsAccountId),
    eventCategory: z.optional(z.string()),
    // Present only on failed calls: the service's error code and message. Both end up in the
    // audit record's explanation, so they are bounded: AWS writes short codes and messages.
    errorCode: z.optional(nonEmpty.check(z.maxLength(256))),
    errorMessage: z.optional(z.string().check(z.maxLength(4096))),
  });
}
