import { stringLike } from '../../../constructs/bus-trust';
import { AwsError } from '../../protocol/aws-json';
import type { CallerIdentity } from '../../types';

/**
 * KMS key policies, as KMS reads them: every call on a key is authorized by the key's own
 * (resource-based) policy first. A statement naming a principal grants on its own; one naming
 * the account (`arn:aws:iam::ACCOUNT:root` or the bare account id) grants nothing by itself but
 * lets IAM policies decide, which is what the default key policy does. An explicit Deny wins.
 *
 * Identity-policy evaluation is not this module's: the caller passes an {@link IdentityDecision}
 * that says what the principal's IAM policies decide, so a local IAM evaluator composes here.
 */

/** What the caller's own IAM policies say about one action on one resource. */
export type IdentityVerdict = 'allow' | 'deny' | 'no-allow';

/** Evaluates the caller's IAM (identity) policies; local AWS without IAM evaluation allows. */
export type IdentityDecision = (
  caller: CallerIdentity,
  action: string,
  resourceArn: string,
) => IdentityVerdict;

/** Until identity policies are evaluated locally, every identity's IAM policies are taken to allow. */
export const IAM_ALLOWS_EVERYTHING: IdentityDecision = () => 'allow';

/** The largest key policy KMS accepts, in bytes. */
const MAX_POLICY_BYTES = 32_768;

type StringMap = Readonly<Record<string, string>>;

/** The condition operators evaluated here (string ones: all KMS's own keys are strings). */
const STRING_OPERATORS = ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike'] as const;
type StringOperator = (typeof STRING_OPERATORS)[number];

interface Statement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** `*` for everyone; otherwise principal ARNs and account ids. */
  readonly principals: readonly string[] | '*';
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  readonly conditions: readonly {
    readonly operator: StringOperator;
    readonly key: string;
    readonly values: readonly string[];
  }[];
}

/** A validated key policy: the document as given (what GetKeyPolicy returns) and its statements. */
export interface KeyPolicy {
  readonly document: string;
  readonly statements: readonly Statement[];
}

/** One request to authorize: who, which `kms:` action, on which key, with which encryption context. */
export interface AuthorizationRequest {
  readonly caller: CallerIdentity;
  readonly action: string;
  readonly keyArn: string;
  readonly keyAccountId: string;
  readonly encryptionContext?: StringMap;
}

function malformed(message: string): AwsError {
  return new AwsError('MalformedPolicyDocumentException', message);
}

function stringList(value: unknown, where: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string' && v !== '')) {
    throw malformed(`${where} must be a string or a non-empty list of strings`);
  }
  return list as string[];
}

const ACCOUNT_ID = /^\d{12}$/;
const PRINCIPAL_ARN =
  /^arn:aws[\w-]*:(iam::\d{12}:(root|role\/.+|user\/.+)|sts::\d{12}:assumed-role\/[^/]+\/.+)$/;

function parsePrincipals(value: unknown, where: string): readonly string[] | '*' {
  if (value === '*') return '*';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw malformed(`${where}: Principal must be "*" or an object such as {"AWS": [...]}`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const principals: string[] = [];
  for (const [kind, list] of entries) {
    const values = stringList(list, `${where}: Principal.${kind}`);
    // Service and federated principals never match a signed-in identity here; they stay valid.
    if (kind !== 'AWS') continue;
    for (const principal of values) {
      if (principal === '*') return '*';
      if (!ACCOUNT_ID.test(principal) && !PRINCIPAL_ARN.test(principal)) {
        // KMS refuses principals it cannot resolve, and wildcards inside an ARN.
        throw malformed(`Policy contains a statement with one or more invalid principals: ${principal}`);
      }
      principals.push(principal);
    }
  }
  if (entries.length === 0) throw malformed(`${where}: Principal names no principal`);
  return principals;
}

function parseActions(value: unknown, where: string): string[] {
  const actions = stringList(value, where);
  for (const action of actions) {
    if (action !== '*' && !/^kms:[A-Za-z*?]+$/i.test(action)) {
      throw malformed(`${where}: "${action}" is not a KMS action (kms:Name, wildcards allowed)`);
    }
  }
  return actions;
}

function parseConditions(value: unknown, where: string): Statement['conditions'] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw malformed(`${where}: Condition must be an object`);
  }
  const conditions: Statement['conditions'][number][] = [];
  for (const [operator, block] of Object.entries(value as Record<string, unknown>)) {
    if (!(STRING_OPERATORS as readonly string[]).includes(operator)) {
      // A condition local KMS cannot evaluate would silently widen or narrow access: refuse it.
      throw malformed(
        `${where}: local KMS evaluates only ${STRING_OPERATORS.join(', ')} conditions, not ${operator}`,
      );
    }
    if (block === null || typeof block !== 'object' || Array.isArray(block)) {
      throw malformed(`${where}: Condition.${operator} must be an object`);
    }
    for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
      conditions.push({
        operator: operator as StringOperator,
        key,
        values: stringList(values, `${where}: Condition.${operator}.${key}`),
      });
    }
  }
  return conditions;
}

/** Parse and validate a key policy document as PutKeyPolicy and CreateKey do. */
export function parseKeyPolicy(document: string): KeyPolicy {
  if (Buffer.byteLength(document) > MAX_POLICY_BYTES) {
    throw new AwsError('ValidationException', `The key policy is longer than ${MAX_POLICY_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw malformed('The key policy is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw malformed('The key policy must be a JSON object');
  }
  const { Version, Statement: raw } = parsed as { Version?: unknown; Statement?: unknown };
  if (Version !== undefined && Version !== '2012-10-17' && Version !== '2008-10-17') {
    throw malformed(`Version "${String(Version)}" is not a policy language version`);
  }
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (list.length === 0) throw malformed('The key policy has no Statement');
  const statements = list.map((s: unknown, index): Statement => {
    const where = `Statement ${index + 1}`;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) throw malformed(`${where} is not an object`);
    const statement = s as Record<string, unknown>;
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
      throw malformed(`${where}: Effect must be Allow or Deny`);
    }
    if (statement.NotPrincipal !== undefined) {
      throw malformed(`${where}: local KMS does not evaluate NotPrincipal`);
    }
    if (statement.Principal === undefined) throw malformed(`${where} has no Principal`);
    if ((statement.Action === undefined) === (statement.NotAction === undefined)) {
      throw malformed(`${where} must have exactly one of Action and NotAction`);
    }
    if (statement.Resource === undefined && statement.NotResource === undefined) {
      throw malformed(`${where} has no Resource`);
    }
    return {
      ...(typeof statement.Sid === 'string' ? { sid: statement.Sid } : {}),
      effect: statement.Effect,
      principals: parsePrincipals(statement.Principal, where),
      ...(statement.Action === undefined
        ? { notActions: parseActions(statement.NotAction, `${where}: NotAction`) }
        : { actions: parseActions(statement.Action, `${where}: Action`) }),
      conditions: parseConditions(statement.Condition, where),
    };
  });
  return { document, statements };
}

/** The policy CreateKey gives a key when none is passed: the account root may do anything, so IAM decides. */
export function defaultKeyPolicy(accountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });
}

/** IAM actions are case-insensitive; `*` and `?` are wildcards. */
function actionMatches(pattern: string, action: string): boolean {
  return stringLike(pattern.toLowerCase(), action.toLowerCase());
}

function coversAction(statement: Statement, action: string): boolean {
  if (statement.actions !== undefined) return statement.actions.some((a) => actionMatches(a, action));
  return !(statement.notActions ?? []).some((a) => actionMatches(a, action));
}

/** The role behind a role session, as `aws:PrincipalArn` gives it. */
function principalArnOf(caller: CallerIdentity): string {
  const issuer = (caller.userIdentity.sessionContext as { sessionIssuer?: { arn?: unknown } } | undefined)
    ?.sessionIssuer?.arn;
  return typeof issuer === 'string' ? issuer : caller.arn;
}

function accountRootOf(principal: string): string | undefined {
  if (ACCOUNT_ID.test(principal)) return principal;
  return /^arn:aws[\w-]*:iam::(\d{12}):root$/.exec(principal)?.[1];
}

type PrincipalMatch = 'direct' | 'account' | undefined;

function matchPrincipal(statement: Statement, caller: CallerIdentity): PrincipalMatch {
  if (statement.principals === '*') return 'direct';
  const principalArn = principalArnOf(caller);
  let match: PrincipalMatch;
  for (const principal of statement.principals) {
    if (principal === principalArn || principal === caller.arn) return 'direct';
    if (accountRootOf(principal) === caller.accountId) match = 'account';
  }
  return match;
}

function conditionValues(request: AuthorizationRequest, key: string): string[] | undefined {
  const lower = key.toLowerCase();
  if (lower === 'aws:principalarn') return [principalArnOf(request.caller)];
  if (lower === 'aws:principalaccount' || lower === 'kms:calleraccount') return [request.caller.accountId];
  if (lower.startsWith('kms:encryptioncontext:')) {
    const name = key.slice('kms:EncryptionContext:'.length);
    const value = request.encryptionContext?.[name];
    return value === undefined ? undefined : [value];
  }
  return undefined;
}

function conditionsHold(statement: Statement, request: AuthorizationRequest): boolean {
  return statement.conditions.every(({ operator, key, values }) => {
    const actual = conditionValues(request, key);
    const matches = (value: string) =>
      operator.endsWith('Like') ? values.some((p) => stringLike(p, value)) : values.includes(value);
    const negated = operator.startsWith('StringNot');
    // A missing key fails a positive operator and satisfies a negated one, as in IAM.
    if (actual === undefined) return negated;
    return negated ? !actual.some(matches) : actual.some(matches);
  });
}

/**
 * Whether `request` may proceed: an explicit Deny in the key policy or in the caller's IAM
 * policies refuses; a key policy statement naming the caller allows; one naming the caller's
 * account allows when the caller's IAM policies do. A caller from another account needs both.
 */
export function authorize(
  policy: KeyPolicy,
  request: AuthorizationRequest,
  identity: IdentityDecision,
): { readonly allowed: true } | { readonly allowed: false; readonly why: string } {
  let direct = false;
  let account = false;
  for (const statement of policy.statements) {
    if (!coversAction(statement, request.action)) continue;
    const match = matchPrincipal(statement, request.caller);
    if (match === undefined || !conditionsHold(statement, request)) continue;
    if (statement.effect === 'Deny') {
      return { allowed: false, why: `with an explicit deny in a resource-based policy` };
    }
    if (match === 'direct') direct = true;
    else account = true;
  }
  const iam = identity(request.caller, request.action, request.keyArn);
  if (iam === 'deny') return { allowed: false, why: 'with an explicit deny in an identity-based policy' };
  const sameAccount = request.caller.accountId === request.keyAccountId;
  if (sameAccount && direct) return { allowed: true };
  if ((direct || account) && iam === 'allow') return { allowed: true };
  if (direct || account) return { allowed: false, why: 'because no identity-based policy allows the action' };
  return { allowed: false, why: 'because no resource-based policy allows the action' };
}
