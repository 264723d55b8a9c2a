import { type IdentityRegistry, type RoleSpec, roleSessionIdentity } from '../../edge/identities';
import { SessionStore } from '../../edge/sessions';
import { parsePolicyDocument } from '../../iam/policy-document';
import { wireError } from '../../protocol/wire-errors';
import type {
  CallerIdentity,
  LocalRequest,
  LocalResponse,
  LocalService,
  OperationResolver,
} from '../../types';

/** The XML namespace of every STS answer. */
export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The query protocol puts the action in the form body (POST) or the query string (GET). */
function formOf(req: LocalRequest): URLSearchParams {
  if (req.method === 'GET') return req.query;
  return new URLSearchParams(req.body.toString('utf8'));
}

/** What AssumeRole needs: the roles that exist, and where issued sessions are kept for the edge. */
export interface StsOptions {
  readonly identities?: IdentityRegistry;
  readonly sessions?: SessionStore;
  readonly now?: () => Date;
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const MIN_DURATION_SECONDS = 900;
const DEFAULT_MAX_SESSION_SECONDS = 3600;

/** IAM's `aws:PrincipalArn`: the role behind a role session, or the user itself. */
function principalArnOf(caller: CallerIdentity): string {
  const issuer = (caller.userIdentity.sessionContext as { sessionIssuer?: { arn?: string } } | undefined)
    ?.sessionIssuer?.arn;
  return issuer ?? caller.arn;
}

function validationError(message: string, requestId: string): LocalResponse {
  return wireError({ kind: 'query' }, 400, 'ValidationError', message, requestId);
}

/**
 * STS, as far as local AWS needs it: `GetCallerIdentity` answers who signed the request,
 * which the edge has already resolved from the access key; `AssumeRole` issues temporary
 * credentials for a role the identities file lists, to a caller its trust policy names, and
 * the edge then accepts them (with their session token, until they expire) as a session in
 * the role's account. Other actions are refused as STS refuses an unknown action.
 */
export class StsService implements LocalService, OperationResolver {
  readonly signingName = 'sts';
  /** The sessions issued; the edge authenticates temporary credentials against them. */
  readonly sessions: SessionStore;
  private readonly now: () => Date;

  constructor(private readonly options: StsOptions = {}) {
    this.sessions = options.sessions ?? new SessionStore();
    this.now = options.now ?? (() => new Date());
  }

  operationOf(req: LocalRequest): string | undefined {
    return formOf(req).get('Action') ?? undefined;
  }

  async handle(req: LocalRequest): Promise<LocalResponse> {
    const form = formOf(req);
    const action = form.get('Action');
    if (action === 'AssumeRole') return this.assumeRole(req, form);
    if (action !== 'GetCallerIdentity') {
      const message = `Could not find operation ${action ?? '(none)'} for version 2011-06-15`;
      return wireError({ kind: 'query' }, 400, 'InvalidAction', message, req.requestId);
    }
    const { caller } = req;
    const body =
      `<GetCallerIdentityResponse xmlns="${STS_NAMESPACE}"><GetCallerIdentityResult>` +
      `<Arn>${xmlText(caller.arn)}</Arn><UserId>${xmlText(caller.userId)}</UserId>` +
      `<Account>${xmlText(caller.accountId)}</Account></GetCallerIdentityResult>` +
      `<ResponseMetadata><RequestId>${req.requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body,
      apiCall: {
        eventName: 'GetCallerIdentity',
        readOnly: true,
        responseElements: { arn: caller.arn, userId: caller.userId, account: caller.accountId },
      },
    };
  }

  private role(accountId: string, roleName: string): RoleSpec | undefined {
    const file = this.options.identities?.file;
    return file?.roles?.find(
      (role) => role.roleName === roleName && (role.accountId ?? file.accountId) === accountId,
    );
  }

  private assumeRole(req: LocalRequest, form: URLSearchParams): LocalResponse {
    const roleArn = form.get('RoleArn');
    const sessionName = form.get('RoleSessionName');
    if (roleArn === null) {
      return validationError(
        "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
        req.requestId,
      );
    }
    if (sessionName === null || !SESSION_NAME.test(sessionName)) {
      return validationError(
        `1 validation error detected: Value '${sessionName ?? 'null'}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}`,
        req.requestId,
      );
    }
    // Session policies and tags would narrow or label the session; local AWS does not model
    // them, so it refuses them rather than hand out a session broader than asked for.
    for (const key of form.keys()) {
      if (/^(Policy|PolicyArns|Tags|TransitiveTagKeys|SerialNumber|TokenCode|SourceIdentity)\b/.test(key)) {
        return validationError(`local AWS does not emulate AssumeRole's ${key.split('.')[0]}`, req.requestId);
      }
    }
    const match = ROLE_ARN.exec(roleArn);
    const role = match === null ? undefined : this.role(match[1] as string, match[2] as string);
    const principal = principalArnOf(req.caller);
    if (role === undefined || !role.trustedPrincipals.includes(principal)) {
      return wireError(
        { kind: 'query' },
        403,
        'AccessDenied',
        `User: ${req.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        req.requestId,
      );
    }
    const maxSeconds = role.maxSessionDurationSeconds ?? DEFAULT_MAX_SESSION_SECONDS;
    const durationText = form.get('DurationSeconds');
    const duration = durationText === null ? DEFAULT_MAX_SESSION_SECONDS : Number(durationText);
    if (!Number.isInteger(duration) || duration < MIN_DURATION_SECONDS) {
      return validationError(
        `1 validation error detected: Value '${durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to ${MIN_DURATION_SECONDS}`,
        req.requestId,
      );
    }
    if (duration > maxSeconds) {
      return validationError(
        `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`,
        req.requestId,
      );
    }
    const account = match?.[1] as string;
    const now = this.now();
    const expiration = new Date(Math.floor(now.getTime() / 1000) * 1000 + duration * 1000);
    let identity: CallerIdentity | undefined;
    const credentials = this.sessions.issue(
      (keys) => {
        const session = roleSessionIdentity(
          { accountId: account, roleName: role.roleName },
          sessionName,
          keys,
        );
        // A session acts under its role's policies, as IAM evaluates them.
        identity =
          role.policies === undefined
            ? session
            : { ...session, policies: role.policies.map(parsePolicyDocument) };
        return identity;
      },
      expiration,
      now,
    );
    const session = identity as CallerIdentity;
    const expires = expiration.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const body =
      `<AssumeRoleResponse xmlns="${STS_NAMESPACE}"><AssumeRoleResult>` +
      `<AssumedRoleUser><Arn>${xmlText(session.arn)}</Arn><AssumedRoleId>${xmlText(session.userId)}</AssumedRoleId></AssumedRoleUser>` +
      `<Credentials><AccessKeyId>${credentials.accessKeyId}</AccessKeyId>` +
      `<SecretAccessKey>${xmlText(credentials.secretAccessKey)}</SecretAccessKey>` +
      `<SessionToken>${xmlText(credentials.sessionToken)}</SessionToken>` +
      `<Expiration>${expires}</Expiration></Credentials>` +
      `</AssumeRoleResult><ResponseMetadata><RequestId>${req.requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`;
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body,
      apiCall: {
        eventName: 'AssumeRole',
        readOnly: true,
        requestParameters: { roleArn, roleSessionName: sessionName, durationSeconds: duration },
        responseElements: {
          assumedRoleUser: { arn: session.arn, assumedRoleId: session.userId },
          credentials: { accessKeyId: credentials.accessKeyId, expiration: expires },
        },
      },
    };
  }
}
