import { MESHWARDEN_EVENT_SOURCE } from '../../shared/events/patterns';
import { FUNCTIONS, type FunctionDefinition } from '../function-catalog';
import { functionRoleName } from './names';

/**
 * Who may put `source: meshwarden` events on meshwarden's bus: only meshwarden's own function
 * roles. An ApprovalDecided (or any decision) put there by anyone else could steer the
 * functions, so the bus's resource policy denies everyone else, whatever their own IAM
 * policies or their account's membership allow. One statement, built here, is what the CDK
 * stack deploys and what local AWS enforces.
 */

/** The statement id on the bus policy. */
export const SOURCE_GUARD_SID = 'meshwarden-source-only-from-meshwarden';

/** An IAM policy statement as JSON (what `iam.PolicyStatement.fromJson` takes). */
export interface SourceGuardStatement {
  readonly Sid: string;
  readonly Effect: 'Deny';
  readonly Principal: '*';
  readonly Action: 'events:PutEvents';
  readonly Resource: string;
  readonly Condition: {
    readonly StringEquals: { readonly 'events:source': string };
    /** Absent when no function publishes: then nobody may put `source: meshwarden`. */
    readonly StringNotLike?: { readonly 'aws:PrincipalArn': readonly string[] };
  };
}

/** The role names of the functions that publish on meshwarden's bus (capability `events:publish`). */
export function publisherRoleNames(catalog: readonly FunctionDefinition[] = FUNCTIONS): string[] {
  return catalog
    .filter((d) => d.capabilities.includes('events:publish'))
    .map((d) => functionRoleName(d.name));
}

/** `arn:aws:iam::ACCOUNT:role/NAME` (IAM is global: no region). */
export function roleArnOf(account: string, roleName: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}

/**
 * Deny `events:PutEvents` of `source: meshwarden` on the bus to every principal whose ARN is
 * none of `allowedPrincipalArns` (role ARNs: for a role session, `aws:PrincipalArn` is the role's).
 */
export function sourceGuardStatement(
  busArn: string,
  allowedPrincipalArns: readonly string[],
): SourceGuardStatement {
  return {
    Sid: SOURCE_GUARD_SID,
    Effect: 'Deny',
    Principal: '*',
    Action: 'events:PutEvents',
    Resource: busArn,
    Condition: {
      StringEquals: { 'events:source': MESHWARDEN_EVENT_SOURCE },
      ...(allowedPrincipalArns.length === 0
        ? {}
        : { StringNotLike: { 'aws:PrincipalArn': [...allowedPrincipalArns] } }),
    },
  };
}

/** IAM's `StringLike`: `*` any run of characters, `?` one character, case-sensitive. */
export function stringLike(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${regex}$`, 's').test(value);
}

/**
 * Whether the statement denies one PutEvents entry: EventBridge authorizes each entry with
 * its own `events:source`, so an entry of another source in the same call is not affected.
 */
export function deniesEntry(
  statement: SourceGuardStatement,
  entry: { readonly busArn: string; readonly source: string; readonly principalArn: string },
): boolean {
  if (entry.busArn !== statement.Resource) return false;
  if (entry.source !== statement.Condition.StringEquals['events:source']) return false;
  const allowed = statement.Condition.StringNotLike?.['aws:PrincipalArn'] ?? [];
  return !allowed.some((p) => stringLike(p, entry.principalArn));
}
