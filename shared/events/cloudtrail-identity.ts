import * as z from '../schema';
import { formatPath } from '../validation';
import { awsAccountId, nonEmpty } from './envelope';

/**
 * CloudTrail `userIdentity` as documented in the CloudTrail user guide ("CloudTrail
 * userIdentity element"). CloudTrail marks nearly every field of it optional and keeps adding
 * fields (`sourceIdentity`, `credentialId`, `inScopeOf`, `onBehalfOf`, ...), so every shape is
 * loose and requires only what meshwarden needs to tell who called: an identity it cannot read
 * still parses, as {@link UnidentifiedIdentity}, so that its call is reported rather than
 * dead-lettered, and it matches no policy rule (see principal.ts).
 */

/**
 * An IAM or STS ARN of a caller. Bounded because meshwarden keys state by it (OIDC sessions
 * under `WEBID#<ARN>`, within DynamoDB's 2,048-byte partition key): a user ARN is at most a
 * 512-character path and a 64-character name, an assumed-role ARN a role and a session name.
 */
export const principalArn = nonEmpty.check(z.maxLength(1024));

/** An ARN a type may leave out; CloudTrail writes `""` for some (`Unknown`), which names nothing. */
const optionalArn = z.optional(z.union([principalArn, z.literal('')]));

/** Names and ids that end up in audit records and messages: short in AWS, so bounded here. */
const name = z.string().check(z.maxLength(1024));

/**
 * `sessionContext.attributes`: when the session was created and whether MFA was used (CloudTrail
 * writes the flag as the string "true" or "false"). Informational: an odd value is dropped, not
 * a reason to refuse the record.
 */
const sessionAttributes = z.looseObject({
  creationDate: z.catch(z.optional(z.string()), undefined),
  mfaAuthenticated: z.catch(z.optional(z.enum(['true', 'false'])), undefined),
});

/**
 * How a session was issued: for role sessions the IAM role that was assumed, for federated users
 * the IAM user or root that called GetFederationToken. Console sessions of IAM users carry an
 * empty one.
 */
const sessionIssuer = z.looseObject({
  type: z.optional(name),
  principalId: z.optional(name),
  arn: z.optional(principalArn),
  accountId: z.optional(awsAccountId),
  userName: z.optional(name),
});

/**
 * `sessionContext.webIdFederationData`. CloudTrail writes `{}` for sessions that did not come
 * from web identity federation; when they did, `federatedProvider` names the IdP (an IAM OIDC
 * provider ARN, or a well-known issuer such as `accounts.google.com`) and `attributes` carries
 * what the provider reported (application id, user id).
 */
const webIdFederationData = z.looseObject({
  federatedProvider: z.optional(nonEmpty),
  attributes: z.optional(z.record(z.string(), z.unknown())),
});

/** Present when the call was made with temporary credentials (and for console sessions). */
const sessionContext = z.looseObject({
  sessionIssuer: z.optional(sessionIssuer),
  attributes: z.optional(sessionAttributes),
  webIdFederationData: z.optional(webIdFederationData),
  sourceIdentity: z.optional(name),
});

/** Fields any identity type may carry; which ones CloudTrail writes depends on the type. */
const common = {
  principalId: z.optional(name),
  accountId: z.optional(awsAccountId),
  userName: z.optional(name),
  accessKeyId: z.optional(z.string()),
  invokedBy: z.optional(name),
};

/** A request made with temporary credentials from sts:AssumeRole* (incl. web identity). The session ARN names the caller. */
export const assumedRoleIdentity = z.looseObject({
  ...common,
  type: z.literal('AssumedRole'),
  arn: principalArn,
  sessionContext: z.optional(sessionContext),
});

/** A request made by an IAM role itself (the issuer of role sessions); its ARN names it. */
export const roleIdentity = z.looseObject({
  ...common,
  type: z.literal('Role'),
  arn: principalArn,
});

/** A request made with an IAM user's long-term (or console session) credentials. */
export const iamUserIdentity = z.looseObject({
  ...common,
  type: z.literal('IAMUser'),
  arn: principalArn,
  sessionContext: z.optional(sessionContext),
});

/** Temporary credentials from sts:GetFederationToken; the issuer is the IAM user or root that called it. */
export const federatedUserIdentity = z.looseObject({
  ...common,
  type: z.literal('FederatedUser'),
  arn: principalArn,
  sessionContext: z.optional(sessionContext),
});

/** A request made with the account root user's credentials (`userName` holds the account alias when one is set). */
export const rootIdentity = z.looseObject({
  ...common,
  type: z.literal('Root'),
  arn: optionalArn,
  sessionContext: z.optional(sessionContext),
});

/** A request an AWS service made on its own behalf (`invokedBy` names it). */
export const awsServiceIdentity = z.looseObject({
  ...common,
  type: z.literal('AWSService'),
  invokedBy: nonEmpty.check(z.maxLength(1024)),
});

/**
 * The remaining documented identity types: another account (`AWSAccount`), IAM Identity Center
 * users, directory users, the STS federation calls themselves (`SAMLUser`, `WebIdentityUser`,
 * with `identityProvider`), and `Unknown` (CloudTrail could not tell). No policy field names
 * them, but their calls must parse so that they are judged or reported, not dead-lettered.
 */
export const otherIdentity = z.looseObject({
  ...common,
  type: z.enum(['AWSAccount', 'IdentityCenterUser', 'Directory', 'Unknown', 'SAMLUser', 'WebIdentityUser']),
  arn: optionalArn,
  identityProvider: z.optional(name),
  onBehalfOf: z.optional(z.looseObject({ userId: z.optional(name), identityStoreArn: z.optional(name) })),
});

/** Every identity type the CloudTrail userIdentity element documents. */
export const DOCUMENTED_IDENTITY_TYPES = [
  'Root',
  'IAMUser',
  'AssumedRole',
  'Role',
  'FederatedUser',
  'Directory',
  'AWSAccount',
  'AWSService',
  'IdentityCenterUser',
  'Unknown',
  'SAMLUser',
  'WebIdentityUser',
] as const;

/** A documented `userIdentity`, discriminated on `type`. */
export const documentedIdentity = z.discriminatedUnion('type', [
  assumedRoleIdentity,
  roleIdentity,
  iamUserIdentity,
  federatedUserIdentity,
  rootIdentity,
  awsServiceIdentity,
  otherIdentity,
]);

/**
 * A `userIdentity` meshwarden cannot read: a type CloudTrail does not document (yet), a
 * documented type without what names its caller, or no identity at all. Only the parts that
 * are well-formed are kept (bounded), with the reason, so the call can be reported.
 */
export interface UnidentifiedIdentity {
  readonly type: 'Unidentified';
  /** The `type` the record gave, cut to 64 characters; undefined when it gave none. */
  readonly declaredType: string | undefined;
  readonly arn: string | undefined;
  readonly accountId: string | undefined;
  /** Why the caller cannot be identified, for the report. */
  readonly problem: string;
}

const MAX_PROBLEMS = 5;

function problemOf(raw: unknown, declaredType: string | undefined): string {
  if (raw === undefined) return 'the record has no userIdentity';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'userIdentity is not an object';
  if (declaredType === undefined) return 'userIdentity has no type';
  if (!(DOCUMENTED_IDENTITY_TYPES as readonly string[]).includes(declaredType)) {
    return `userIdentity type ${JSON.stringify(declaredType)} is not one CloudTrail documents`;
  }
  const result = documentedIdentity.safeParse(raw);
  const issues = result.success ? [] : result.error.issues.slice(0, MAX_PROBLEMS);
  const listed = issues.map((i) => `userIdentity.${formatPath(i.path)}: ${i.message}`).join('; ');
  return `the ${declaredType} identity lacks what names its caller (${listed})`;
}

function unidentifiedOf(raw: unknown): UnidentifiedIdentity {
  const fields = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const declaredType = typeof fields.type === 'string' ? fields.type.slice(0, 64) : undefined;
  const arn = principalArn.safeParse(fields.arn);
  const accountId = awsAccountId.safeParse(fields.accountId);
  return {
    type: 'Unidentified',
    declaredType,
    arn: arn.success ? arn.data : undefined,
    accountId: accountId.success ? accountId.data : undefined,
    problem: problemOf(raw, declaredType),
  };
}

/**
 * CloudTrail `userIdentity`: a documented identity, or else an {@link UnidentifiedIdentity}.
 * It never refuses a record: who made a call is judged from what is here, and an unreadable
 * caller is the change-control use case's to report (fail closed), not the parser's to drop.
 */
export const userIdentity = z.union([
  documentedIdentity,
  // Optional so that a record without userIdentity reaches the fallback too, instead of being refused.
  z.pipe(
    z.optional(z.unknown()),
    z.transform((raw): UnidentifiedIdentity => unidentifiedOf(raw)),
  ),
]);

export type UserIdentity = z.infer<typeof userIdentity>;
export type DocumentedIdentity = z.infer<typeof documentedIdentity>;
export type AssumedRoleIdentity = z.infer<typeof assumedRoleIdentity>;
export type RoleIdentity = z.infer<typeof roleIdentity>;
export type IamUserIdentity = z.infer<typeof iamUserIdentity>;
export type FederatedUserIdentity = z.infer<typeof federatedUserIdentity>;
export type RootIdentity = z.infer<typeof rootIdentity>;
export type AwsServiceIdentity = z.infer<typeof awsServiceIdentity>;
export type OtherIdentity = z.infer<typeof otherIdentity>;
