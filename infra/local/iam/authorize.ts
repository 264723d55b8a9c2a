import type { CallerIdentity } from '../types';
import { accessDeniedMessage, type Decision, evaluate } from './evaluate';
import type { AuthorizationCheck, ContextValues } from './request-context';

/** The global condition keys local AWS can supply for a caller in a region at a time. */
export function globalContext(caller: CallerIdentity, region: string, now: Date): ContextValues {
  const context: Record<string, string> = {
    'aws:PrincipalArn': caller.principalArn ?? caller.arn,
    'aws:PrincipalAccount': caller.accountId,
    'aws:PrincipalType': caller.userIdentity.type === 'IAMUser' ? 'User' : caller.userIdentity.type,
    'aws:userid': caller.userId,
    'aws:RequestedRegion': region,
    // The local endpoint is plain HTTP.
    'aws:SecureTransport': 'false',
    'aws:CurrentTime': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    'aws:ViaAWSService': 'false',
  };
  if (caller.userIdentity.type === 'IAMUser' && typeof caller.userIdentity.userName === 'string') {
    context['aws:username'] = caller.userIdentity.userName;
  }
  for (const [key, value] of Object.entries(caller.principalTags ?? {})) {
    context[`aws:PrincipalTag/${key}`] = value;
  }
  return context;
}

export type AuthorizationResult =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly check: AuthorizationCheck;
      readonly decision: Exclude<Decision, 'allow'>;
      readonly message: string;
    };

/**
 * Authorize every check of a request for its caller. A caller without policies is allowed
 * everything (the identities file's default); the first check denied refuses the request.
 */
export function authorize(
  caller: CallerIdentity,
  checks: readonly AuthorizationCheck[],
  region: string,
  now: Date,
): AuthorizationResult {
  if (caller.policies === undefined) return { allowed: true };
  const context = globalContext(caller, region, now);
  for (const check of checks) {
    const decision = evaluate(caller.policies, check, context);
    if (decision !== 'allow') {
      return { allowed: false, check, decision, message: accessDeniedMessage(caller.arn, check, decision) };
    }
  }
  return { allowed: true };
}

/**
 * What a caller's identity policies alone say about one action on one resource, for a service
 * that weighs them against a resource policy of its own (KMS and its key policies).
 */
export function identityVerdict(
  caller: CallerIdentity,
  action: string,
  resource: string,
  region: string,
  now: Date,
): 'allow' | 'deny' | 'no-allow' {
  if (caller.policies === undefined) return 'allow';
  const decision = evaluate(caller.policies, { action, resource }, globalContext(caller, region, now));
  return decision === 'allow' ? 'allow' : decision === 'explicit-deny' ? 'deny' : 'no-allow';
}
