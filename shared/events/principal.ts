import { BadRequestError } from '../errors';
import type { UserIdentity } from './cloudtrail-identity';
import type { WebIdentitySession } from './sts-web-identity';

/** The OIDC identity behind a role session obtained with AssumeRoleWithWebIdentity. */
export interface OidcIdentity {
  /** `webIdFederationData.federatedProvider` as CloudTrail wrote it. */
  readonly provider: string;
  /** The IAM OIDC provider ARN, when the provider is one (it is for any custom IdP). */
  readonly providerArn: string | undefined;
  /** What the provider reported in `webIdFederationData.attributes` (string values only). */
  readonly claims: Readonly<Record<string, string>>;
}

/**
 * Who made a call, normalised across identity types so that policy rules match on fields
 * rather than on CloudTrail's nesting.
 */
export interface Principal {
  readonly type: UserIdentity['type'];
  /** The caller ARN (`assumed-role/...` for sessions); absent for AWS services. */
  readonly arn: string | undefined;
  readonly accountId: string | undefined;
  /** For role sessions: the IAM role ARN from the session issuer (keeps the role path). */
  readonly roleArn: string | undefined;
  readonly roleName: string | undefined;
  readonly sessionName: string | undefined;
  /** IAM user name, or the account alias for Root. */
  readonly userName: string | undefined;
  /** The AWS service that made or relayed the call (`invokedBy`). */
  readonly invokedBy: string | undefined;
  readonly sourceIdentity: string | undefined;
  /** `undefined` when CloudTrail did not say (no session context). */
  readonly mfaAuthenticated: boolean | undefined;
  readonly oidc: OidcIdentity | undefined;
  /** Session tags, known only when the AssumeRoleWithWebIdentity of the session was seen. */
  readonly sessionTags: Readonly<Record<string, string>>;
}

/** Options for {@link derivePrincipal}. */
export interface DerivePrincipalOptions {
  /** The web identity session this call ran in, to contribute its session tags. */
  readonly webIdentitySession?: WebIdentitySession;
}

/**
 * Derive the normalised principal of a CloudTrail `userIdentity`.
 *
 * @throws BadRequestError when `webIdentitySession` belongs to another session: joining the
 *   wrong session's tags would grant rights the caller does not have.
 */
export function derivePrincipal(identity: UserIdentity, options: DerivePrincipalOptions = {}): Principal {
  const base = baseOf(identity);
  const session = options.webIdentitySession;
  if (session === undefined) return base;
  if (session.assumedRoleArn !== base.arn) {
    throw new BadRequestError(
      `web identity session ${session.assumedRoleArn} does not belong to caller ${base.arn ?? '(no arn)'}`,
    );
  }
  return { ...base, sessionTags: { ...session.sessionTags } };
}

function baseOf(identity: UserIdentity): Principal {
  const empty = {
    roleArn: undefined,
    roleName: undefined,
    sessionName: undefined,
    userName: undefined,
    sourceIdentity: undefined,
    mfaAuthenticated: undefined,
    oidc: undefined,
    sessionTags: {},
  } as const;
  switch (identity.type) {
    case 'AssumedRole': {
      const ctx = identity.sessionContext;
      return {
        ...empty,
        type: identity.type,
        arn: identity.arn,
        accountId: identity.accountId,
        roleArn: ctx.sessionIssuer.arn,
        roleName: ctx.sessionIssuer.userName,
        sessionName: sessionNameOf(identity.arn),
        invokedBy: identity.invokedBy,
        sourceIdentity: ctx.sourceIdentity,
        mfaAuthenticated: ctx.attributes.mfaAuthenticated === 'true',
        oidc: oidcOf(ctx.webIdFederationData),
      };
    }
    case 'IAMUser': {
      const mfa = identity.sessionContext?.attributes?.mfaAuthenticated;
      return {
        ...empty,
        type: identity.type,
        arn: identity.arn,
        accountId: identity.accountId,
        userName: identity.userName,
        invokedBy: identity.invokedBy,
        mfaAuthenticated: mfa === undefined ? undefined : mfa === 'true',
      };
    }
    case 'Root':
      return {
        ...empty,
        type: identity.type,
        arn: identity.arn,
        accountId: identity.accountId,
        userName: identity.userName,
        invokedBy: identity.invokedBy,
      };
    case 'AWSService':
      return {
        ...empty,
        type: identity.type,
        arn: undefined,
        accountId: identity.accountId,
        invokedBy: identity.invokedBy,
      };
    default:
      return {
        ...empty,
        type: identity.type,
        arn: identity.arn,
        accountId: identity.accountId,
        userName: identity.userName,
        invokedBy: identity.invokedBy,
      };
  }
}

/** `arn:aws:sts::123456789012:assumed-role/RoleName/SessionName` -> `SessionName`. */
function sessionNameOf(assumedRoleArn: string): string | undefined {
  const resource = assumedRoleArn.split(':').slice(5).join(':');
  const [kind, , ...session] = resource.split('/');
  return kind === 'assumed-role' && session.length > 0 ? session.join('/') : undefined;
}

function oidcOf(data: { federatedProvider?: string; attributes?: Record<string, unknown> } | undefined) {
  if (data?.federatedProvider === undefined) return undefined;
  const claims: Record<string, string> = {};
  for (const [key, value] of Object.entries(data.attributes ?? {})) {
    if (typeof value === 'string') claims[key] = value;
  }
  const provider = data.federatedProvider;
  return { provider, providerArn: provider.startsWith('arn:') ? provider : undefined, claims };
}
