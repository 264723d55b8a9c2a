import { conditionsHold, substituteVariables } from './conditions';
import type { PolicyDocument, Statement } from './policy-document';
import { type AuthorizationCheck, type ContextValues, normaliseContext } from './request-context';
import { wildcardMatch } from './wildcard';

/**
 * IAM's evaluation of identity-based policies within one account: an explicit Deny in any
 * matching statement wins, else an Allow allows, else the request is implicitly denied.
 */
export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

function actionMatches(statement: Statement, action: string): boolean {
  const hit = statement.actions.patterns.some((p) => wildcardMatch(p, action, true));
  return statement.actions.not ? !hit : hit;
}

function resourceMatches(
  statement: Statement,
  resource: string,
  context: ReadonlyMap<string, readonly string[]>,
): boolean {
  const hit = statement.resources.patterns.some((pattern) => {
    const resolved = substituteVariables(pattern, context);
    return resolved !== undefined && wildcardMatch(resolved, resource);
  });
  return statement.resources.not ? !hit : hit;
}

/** Whether a statement applies to this check: action, resource and every condition. */
export function statementApplies(
  statement: Statement,
  check: AuthorizationCheck,
  context: ReadonlyMap<string, readonly string[]>,
): boolean {
  return (
    actionMatches(statement, check.action) &&
    resourceMatches(statement, check.resource, context) &&
    conditionsHold(statement.condition, context)
  );
}

/**
 * Decide one check against the caller's policies, with the global context keys (principal,
 * region, transport) and the check's own keys on top.
 */
export function evaluate(
  policies: readonly PolicyDocument[],
  check: AuthorizationCheck,
  globalContext: ContextValues = {},
): Decision {
  const context = normaliseContext({ ...globalContext, ...check.context });
  let allowed = false;
  for (const policy of policies) {
    for (const statement of policy.statements) {
      if (!statementApplies(statement, check, context)) continue;
      if (statement.effect === 'Deny') return 'explicit-deny';
      allowed = true;
    }
  }
  return allowed ? 'allow' : 'implicit-deny';
}

/** AWS's AccessDenied message, naming the caller, action, resource and why. */
export function accessDeniedMessage(
  callerArn: string,
  check: AuthorizationCheck,
  decision: Decision,
): string {
  const why =
    decision === 'explicit-deny'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${check.action} action`;
  return `User: ${callerArn} is not authorized to perform: ${check.action} on resource: ${check.resource} ${why}`;
}
