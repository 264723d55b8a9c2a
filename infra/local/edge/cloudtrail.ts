import { randomUUID } from 'node:crypto';
import type { BusEntry, LocalRequest, LocalResponse } from '../types';

/** Services whose mutating calls local CloudTrail records, with their CloudTrail event source. */
export const CLOUDTRAIL_SOURCES: Readonly<Record<string, string>> = {
  appmesh: 'appmesh.amazonaws.com',
  acm: 'acm.amazonaws.com',
  'acm-pca': 'acm-pca.amazonaws.com',
  kms: 'kms.amazonaws.com',
  'vpc-lattice': 'vpc-lattice.amazonaws.com',
};

/**
 * The `AWS API Call via CloudTrail` event for a mutating call, failed ones included, shaped
 * as CloudTrail delivers management events to EventBridge; undefined for calls CloudTrail
 * would not deliver (read-only, or services it does not record here).
 */
export function cloudTrailEntry(req: LocalRequest, res: LocalResponse, now: Date): BusEntry | undefined {
  const eventSource = CLOUDTRAIL_SOURCES[req.service];
  const call = res.apiCall;
  if (eventSource === undefined || call === undefined || call.readOnly) return undefined;
  const failed = res.error !== undefined;
  const detail: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity: req.caller.userIdentity,
    eventTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource,
    eventName: call.eventName,
    awsRegion: req.region,
    sourceIPAddress: '127.0.0.1',
    userAgent: req.headers['user-agent'] ?? 'unknown',
    requestParameters: call.requestParameters ?? null,
    responseElements: failed ? null : (call.responseElements ?? null),
    requestID: req.requestId,
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: req.caller.accountId,
    eventCategory: 'Management',
  };
  if (res.error !== undefined) {
    detail.errorCode = res.error.code;
    detail.errorMessage = res.error.message;
  }
  // The caller's account owns what it called: the event is that account's, wherever it is delivered.
  return {
    source: `aws.${req.service}`,
    detailType: 'AWS API Call via CloudTrail',
    detail,
    time: now,
    account: req.caller.accountId,
  };
}
