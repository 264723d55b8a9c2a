import * as z from 'zod';
import { userIdentity } from './cloudtrail-identity';
import { awsAccountId, awsRegion, nonEmpty } from './envelope';

/** The EventBridge `detail-type` of every CloudTrail management API call. */
export const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';

/**
 * Build the schema of a CloudTrail API-call record (the EventBridge `detail`) for one
 * service. Fields follow the CloudTrail record-contents reference; `requestParameters` and
 * `responseElements` are `null` for calls that have none (and `responseElements` is `null` on
 * failed calls), so each service supplies its own shapes for them.
 */
export function cloudTrailApiCallDetail<Source extends string, Req extends z.ZodType, Res extends z.ZodType>(
  eventSource: Source,
  requestParameters: Req,
  responseElements: Res,
) {
  return z.looseObject({
    eventVersion: nonEmpty,
    userIdentity,
    eventTime: z.iso.datetime(),
    eventSource: z.literal(eventSource),
    eventName: nonEmpty,
    awsRegion,
    sourceIPAddress: nonEmpty,
    userAgent: z.string(),
    requestParameters: requestParameters.nullable(),
    responseElements: responseElements.nullable(),
    requestID: nonEmpty.max(128),
    // A UUID; part of the audit record's sort key, which DynamoDB caps at 1,024 bytes.
    eventID: nonEmpty.max(128),
    readOnly: z.boolean(),
    eventType: z.literal('AwsApiCall'),
    managementEvent: z.boolean(),
    recipientAccountId: awsAccountId,
    eventCategory: nonEmpty,
    // Present only on failed calls: the service's error code and message. Both end up in the
    // audit record's explanation, so they are bounded: AWS writes short codes and messages.
    errorCode: nonEmpty.max(256).optional(),
    errorMessage: z.string().max(4096).optional(),
  });
}
