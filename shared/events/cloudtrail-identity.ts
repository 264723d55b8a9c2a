import * as z from 'zod';
import { awsAccountId, nonEmpty } from './envelope';

/**
 * CloudTrail `userIdentity` as documented in the CloudTrail user guide ("CloudTrail
 * userIdentity element"). Every shape is loose because AWS keeps adding fields
 * (`sourceIdentity`, `credentialId`, `inScopeOf`, ...); only what meshwarden decides on is
 * required.
 */

/**
 * An IAM or STS ARN of a caller. Bounded because meshwarden keys state by it (OIDC sessions
 * under `WEBID#<ARN>`, within DynamoDB's 2,048-byte partition key): a user ARN is at most a
 * 512-character path and a 64-character name, an assumed-role ARN a role and a session name.
 */
export const principalArn = nonEmpty.max(1024);

/** `sessionContext.attributes`: when the session was created and whether MFA was used. */
const sessionAttributes = z.looseObject({
  creationDate: nonEmpty,
  // CloudTrail writes this flag as the string "true" or "false", not as a JSON boolean.
  mfaAuthenticated: z.enum(['true', 'false']),
});

/** How an AssumedRole session was issued: the IAM role that was assumed. */
const roleSessionIssuer = z.looseObject({
  type: z.literal('Role'),
  principalId: nonEmpty,
  arn: principalArn,
  accountId: awsAccountId,
  userName: nonEmpty,
});

/**
 * `sessionContext.webIdFederationData`. CloudTrail writes `{}` for sessions that did not come
 * from web identity federation; when they did, `federatedProvider` names the IdP (an IAM OIDC
 * provider ARN, or a well-known issuer such as `accounts.google.com`) and `attributes` carries
 * what the provider reported (application id, user id).
 */
const webIdFederationData = z.looseObject({
  federatedProvider: nonEmpty.optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});

/** A request made with temporary credentials from sts:AssumeRole* (incl. web identity). */
export const assumedRoleIdentity = z.looseObject({
  type: z.literal('AssumedRole'),
  principalId: nonEmpty,
  arn: principalArn,
  accountId: awsAccountId,
  accessKeyId: z.string().optional(),
  invokedBy: z.string().optional(),
  sessionContext: z.looseObject({
    sessionIssuer: roleSessionIssuer,
    attributes: sessionAttributes,
    webIdFederationData: webIdFederationData.optional(),
    sourceIdentity: z.string().optional(),
  }),
});

/** A request made with an IAM user's long-term (or console session) credentials. */
export const iamUserIdentity = z.looseObject({
  type: z.literal('IAMUser'),
  principalId: nonEmpty,
  arn: principalArn,
  accountId: awsAccountId,
  userName: nonEmpty,
  accessKeyId: z.string().optional(),
  invokedBy: z.string().optional(),
  // Console sessions carry a sessionContext with an empty sessionIssuer.
  sessionContext: z.looseObject({ attributes: sessionAttributes.optional() }).optional(),
});

/** A request made with the account root user's credentials. */
export const rootIdentity = z.looseObject({
  type: z.literal('Root'),
  principalId: nonEmpty,
  arn: principalArn,
  accountId: awsAccountId,
  // Holds the account alias when one is set.
  userName: z.string().optional(),
  accessKeyId: z.string().optional(),
  invokedBy: z.string().optional(),
});

/** A request an AWS service made on its own behalf (`invokedBy` names it). */
export const awsServiceIdentity = z.looseObject({
  type: z.literal('AWSService'),
  invokedBy: nonEmpty,
  accountId: awsAccountId.optional(),
});

/**
 * The remaining documented identity types. meshwarden does not grant anything to them, but
 * an event made by one must still parse so that it is judged (and refused) rather than
 * dead-lettered as malformed.
 */
export const otherIdentity = z.looseObject({
  type: z.enum([
    'FederatedUser',
    'AWSAccount',
    'IdentityCenterUser',
    'Directory',
    'Unknown',
    'SAMLUser',
    'WebIdentityUser',
  ]),
  principalId: z.string().optional(),
  arn: principalArn.optional(),
  accountId: awsAccountId.optional(),
  userName: z.string().optional(),
  identityProvider: z.string().optional(),
  invokedBy: z.string().optional(),
});

/** CloudTrail `userIdentity`, discriminated on `type`. */
export const userIdentity = z.discriminatedUnion('type', [
  assumedRoleIdentity,
  iamUserIdentity,
  rootIdentity,
  awsServiceIdentity,
  otherIdentity,
]);

export type UserIdentity = z.infer<typeof userIdentity>;
export type AssumedRoleIdentity = z.infer<typeof assumedRoleIdentity>;
export type IamUserIdentity = z.infer<typeof iamUserIdentity>;
export type RootIdentity = z.infer<typeof rootIdentity>;
export type AwsServiceIdentity = z.infer<typeof awsServiceIdentity>;
export type OtherIdentity = z.infer<typeof otherIdentity>;
