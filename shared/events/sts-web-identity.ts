import { ValidationError } from '../errors';
import * as z from '../schema';
import { parseOrThrow } from '../validation';
import { CLOUDTRAIL_API_CALL, cloudTrailApiCallDetail } from './cloudtrail';
import { principalArn } from './cloudtrail-identity';
import { eventBridgeEvent, nonEmpty } from './envelope';

/**
 * Session tags from an OIDC token (the `https://aws.amazon.com/tags` claim) are NOT in the
 * `userIdentity` of later calls made with the session: CloudTrail records them once, in the
 * `AssumeRoleWithWebIdentity` event, under `requestParameters.principalTags` (and
 * `transitiveTagKeys`), as the IAM user guide's web identity CloudTrail example shows. Later
 * calls only carry `sessionContext.webIdFederationData`. This module models that event so the
 * tags can be joined to a session by its assumed-role ARN.
 */

const webIdentityRequestParameters = z.looseObject({
  roleArn: principalArn,
  roleSessionName: nonEmpty,
  durationSeconds: z.optional(z.number().check(z.int(), z.positive())),
  sourceIdentity: z.optional(z.string()),
  principalTags: z.optional(z.record(z.string(), z.string())),
  transitiveTagKeys: z.optional(z.array(z.string())),
});

const webIdentityResponseElements = z.looseObject({
  provider: nonEmpty,
  subjectFromWebIdentityToken: nonEmpty,
  audience: nonEmpty,
  sourceIdentity: z.optional(z.string()),
  assumedRoleUser: z.looseObject({ assumedRoleId: nonEmpty, arn: principalArn }),
});

/** The CloudTrail record of an sts:AssumeRoleWithWebIdentity call. */
export const assumeRoleWithWebIdentityDetail = z.extend(
  cloudTrailApiCallDetail('sts.amazonaws.com', webIdentityRequestParameters, webIdentityResponseElements),
  { eventName: z.literal('AssumeRoleWithWebIdentity') },
);

/** sts:AssumeRoleWithWebIdentity as EventBridge delivers it (`source: aws.sts`). */
export const assumeRoleWithWebIdentityEvent = eventBridgeEvent(
  'aws.sts',
  CLOUDTRAIL_API_CALL,
  assumeRoleWithWebIdentityDetail,
);

export type AssumeRoleWithWebIdentityEvent = z.infer<typeof assumeRoleWithWebIdentityEvent>;

/** Parse an AssumeRoleWithWebIdentity CloudTrail event, or throw a ValidationError. */
export function parseAssumeRoleWithWebIdentity(input: unknown): AssumeRoleWithWebIdentityEvent {
  return parseOrThrow(assumeRoleWithWebIdentityEvent, input, 'AssumeRoleWithWebIdentity CloudTrail event');
}

/** What a successful web identity federation established, keyed by the session's ARN. */
export interface WebIdentitySession {
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>`: equals `userIdentity.arn` of later calls. */
  readonly assumedRoleArn: string;
  readonly roleArn: string;
  readonly sessionName: string;
  /** The token issuer: the IAM OIDC provider ARN, or the issuer name for built-in IdPs. */
  readonly provider: string;
  readonly subject: string;
  readonly audience: string;
  readonly sessionTags: Readonly<Record<string, string>>;
  readonly transitiveTagKeys: readonly string[];
  readonly sourceIdentity: string | undefined;
}

/**
 * Extract the session a successful AssumeRoleWithWebIdentity created. A failed call created
 * none, so it is refused rather than mapped to an empty session.
 */
export function webIdentitySessionOf(event: AssumeRoleWithWebIdentityEvent): WebIdentitySession {
  const { requestParameters: req, responseElements: res, errorCode } = event.detail;
  if (errorCode !== undefined || req == null || res == null) {
    throw new ValidationError(
      `AssumeRoleWithWebIdentity ${event.detail.eventID} created no session (${errorCode ?? 'no response'})`,
      [{ path: 'detail.responseElements', message: 'expected the response of a successful call' }],
    );
  }
  return {
    assumedRoleArn: res.assumedRoleUser.arn,
    roleArn: req.roleArn,
    sessionName: req.roleSessionName,
    provider: res.provider,
    subject: res.subjectFromWebIdentityToken,
    audience: res.audience,
    sessionTags: { ...(req.principalTags ?? {}) },
    transitiveTagKeys: [...(req.transitiveTagKeys ?? [])],
    sourceIdentity: res.sourceIdentity ?? req.sourceIdentity,
  };
}
