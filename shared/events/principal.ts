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
  /** The caller's account: `accountId`, else the account of its ARN. */
  readonly accountId: string | undefined;
  /**
   * The IAM role ARN: for role sessions from the session issuer (keeps the role path; unknown
   * when CloudTrail wrote no issuer), for a `Role` identity its own ARN.
   */
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
  /**
   * Why meshwarden cannot tell who made the call (an undocumented or unreadable identity, or one
   * CloudTrail itself recorded as `Unknown`); undefined for an identified caller. Fail closed: an
   * unidentified principal matches no allow rule and no override, and its changes are reported
   * as unjudgeable.
   */
  readonly unidentified: string | undefined;
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

const EMPTY = {
  arn: undefined,
  accountId: undefined,
  roleArn: undefined,
  roleName: undefined,
  sessionName: undefined,
  userName: undefined,
  invokedBy: undefined,
  sourceIdentity: undefined,
  mfaAuthenticated: undefined,
  oidc: undefined,
  sessionTags: {},
  unidentified: undefined,
} as const;

function baseOf(identity: UserIdentity): Principal {
  switch (identity.type) {
    case 'AssumedRole': {
      const ctx = identity.sessionContext;
      const mfa = ctx?.attributes?.mfaAuthenticated;
      return {
        ...EMPTY,
        type: identity.type,
        arn: identity.arn,
        accountId: identity.accountId ?? accountOf(identity.arn),
        roleArn: ctx?.sessionIssuer?.arn,
        roleName: ctx?.sessionIssuer?.userName ?? roleNameOfSession(identity.arn),
        sessionName: sessionNameOf(identity.arn),
        invokedBy: identity.invokedBy,
        sourceIdentity: ctx?.sourceIdentity,
        mfaAuthenticated: mfa === undefined ? undefined : mfa === 'true',
        oidc: oidcOf(ctx?.webIdFederationData),
        // Rules name roles by ARN (with path); the session ARN has only the role's name, so a
        // session without its issuer cannot be matched to a rule, for or against it.
        unidentified:
          ctx?.sessionIssuer?.arn === undefined
            ? 'the AssumedRole session names no session issuer, so the ARN of its role is unknown'
            : undefined,
      };
    }
    case 'Role':
      return {
        ...EMPTY,
        type: identity.type,
        arn: identity.arn,
        accountId: identity.accountId ?? accountOf(identity.arn),
        roleArn: identity.arn,
        roleName: identity.userName ?? lastSegmentOf(identity.arn),
        invokedBy: identity.invokedBy,
      };
    case 'IAMUser':
    case 'FederatedUser': {
      const mfa = identity.sessionContext?.attributes?.mfaAuthenticated;
      return {
        ...EMPTY,
        type: identity.type,
        arn: identity.arn,
        accountId: identity.accountId ?? accountOf(identity.arn),
        // An IAM user's name is the last segment of its ARN (`user/path/name`); a federated
        // user's ARN names the federated session, not an IAM user, so no name is made up for it.
        userName:
          identity.userName ?? (identity.type === 'IAMUser' ? lastSegmentOf(identity.arn) : undefined),
        invokedBy: identity.invokedBy,
        mfaAuthenticated: mfa === undefined ? undefined : mfa === 'true',
      };
    }
    case 'Root': {
      const arn = nonBlank(identity.arn);
      const accountId = identity.accountId ?? (arn === undefined ? undefined : accountOf(arn));
      return {
        ...EMPTY,
        type: identity.type,
        arn,
        accountId,
        userName: identity.userName,
        invokedBy: identity.invokedBy,
        unidentified: accountId === undefined ? 'the Root identity names no account' : undefined,
      };
    }
    case 'AWSService':
      return {
        ...EMPTY,
        type: identity.type,
        accountId: identity.accountId,
        invokedBy: identity.invokedBy,
      };
    case 'Unidentified':
      return {
        ...EMPTY,
        type: identity.type,
        arn: identity.arn,
        accountId: identity.accountId,
        unidentified: identity.problem,
      };
    default: {
      const arn = nonBlank(identity.arn);
      return {
        ...EMPTY,
        type: identity.type,
        arn,
        accountId: identity.accountId ?? (arn === undefined ? undefined : accountOf(arn)),
        userName: nonBlank(identity.userName),
        invokedBy: identity.invokedBy,
        unidentified: unnamedOtherCaller({ ...identity, arn }),
      };
    }
  }
}

/** CloudTrail writes `""` for some fields it has no value for. */
function nonBlank(value: string | undefined): string | undefined {
  return value === undefined || value.length === 0 ? undefined : value;
}

/** Why a caller of the other documented types cannot be identified, if it cannot. */
function unnamedOtherCaller(identity: {
  readonly type: string;
  readonly arn?: string | undefined;
  readonly accountId?: string | undefined;
  readonly principalId?: string | undefined;
  readonly userName?: string | undefined;
}): string | undefined {
  if (identity.type === 'Unknown') return 'CloudTrail recorded the caller as Unknown';
  const named = [identity.arn, identity.accountId, identity.principalId, identity.userName].some(
    (v) => v !== undefined && v.length > 0,
  );
  return named ? undefined : `the ${identity.type} identity carries no ARN, account, principal id or name`;
}

/**
 * The principal of a caller as STS GetCallerIdentity names it (the ARN is all it says), derived
 * as change control derives CloudTrail's `userIdentity`, so a CLI can ask before it writes what
 * change control will decide about that write. GetCallerIdentity names no session issuer: a role
 * session's role ARN is rebuilt from the session ARN without the role's path (change control sees
 * it with its path), and OIDC claims and session tags are unknown, so a rule that needs them does
 * not match here. An ARN of no caller type it knows is unidentified (matches no rule).
 */
export function principalOfCallerArn(arn: string): Principal {
  const [prefix, partition, service, , account, ...rest] = arn.split(':');
  const resource = rest.join(':');
  const accountId = account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
  const [kind, ...names] = resource.split('/');
  const known =
    prefix === 'arn' && partition !== undefined && partition.length > 0 && accountId !== undefined;
  if (known && service === 'sts' && kind === 'assumed-role' && names.length >= 2 && names[0] !== '') {
    const roleName = names[0] as string;
    return derivePrincipal({
      type: 'AssumedRole',
      arn,
      accountId,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          arn: `arn:${partition}:iam::${accountId}:role/${roleName}`,
          accountId,
          userName: roleName,
        },
      },
    });
  }
  if (known && service === 'iam' && kind === 'user' && names.length >= 1)
    return derivePrincipal({ type: 'IAMUser', arn, accountId });
  if (known && service === 'iam' && resource === 'root')
    return derivePrincipal({ type: 'Root', arn, accountId });
  if (known && service === 'sts' && kind === 'federated-user' && names.length >= 1)
    return derivePrincipal({ type: 'FederatedUser', arn, accountId });
  return derivePrincipal({
    type: 'Unidentified',
    declaredType: undefined,
    arn: undefined,
    accountId,
    problem: `the caller ARN ${JSON.stringify(arn.slice(0, 256))} names no role session, IAM user, federated user or root`,
  });
}

/** True when the caller is one of meshwarden's own roles (the loop guard). */
export function isSelfPrincipal(principal: Principal, selfRoleArns: readonly string[]): boolean {
  if (principal.type === 'AssumedRole' && principal.roleArn === undefined && principal.arn !== undefined) {
    // No session issuer recorded: a role's name is unique in its account whatever its path, so
    // the session ARN's account and role name still tell meshwarden's own sessions.
    const account = principal.accountId;
    const roleName = roleNameOfSession(principal.arn);
    return selfRoleArns.some(
      (arn) => account !== undefined && accountOf(arn) === account && lastSegmentOf(arn) === roleName,
    );
  }
  if (principal.unidentified !== undefined || principal.roleArn === undefined) return false;
  return selfRoleArns.includes(principal.roleArn);
}

/** The account field of an ARN (`arn:aws:iam::123456789012:...`), when it is one. */
function accountOf(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}

/** `arn:aws:iam::1:user/path/name` -> `name`. */
function lastSegmentOf(arn: string): string | undefined {
  const resource = arn.split(':').slice(5).join(':');
  const last = resource.split('/').at(-1);
  return last === undefined || last.length === 0 || last === resource ? undefined : last;
}

/** `arn:aws:sts::123456789012:assumed-role/RoleName/SessionName` -> `RoleName`. */
function roleNameOfSession(assumedRoleArn: string): string | undefined {
  const resource = assumedRoleArn.split(':').slice(5).join(':');
  const [kind, role] = resource.split('/');
  return kind === 'assumed-role' && role !== undefined && role.length > 0 ? role : undefined;
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
