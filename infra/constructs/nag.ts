import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag 3 acknowledgements, through CDK's `Validations` (cdk-nag 2's `NagSuppressions` and
 * Aspects do not exist any more). Each one names the exact finding and why it stays.
 */

/** What has been acknowledged on each construct, so two capabilities needing the same wildcard acknowledge it once. */
const acknowledged = new WeakMap<IConstruct, Set<string>>();

/** Every acknowledgement made in this process, for review (`npx tsx infra/nag-report.ts`) and tests. */
const ledger: { readonly path: string; readonly id: string; readonly reason: string }[] = [];

/** The acknowledgements made so far: where, which finding, and why it stays. */
export function acknowledgements(): readonly {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}[] {
  return ledger;
}

/** Acknowledge one cdk-nag rule (or `Rule[finding]`) on a construct and everything below it. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  const ids = acknowledged.get(scope) ?? new Set<string>();
  if (ids.has(id)) return;
  ids.add(id);
  acknowledged.set(scope, ids);
  Validations.of(scope).acknowledge({ id, reason });
  ledger.push({ path: scope.node.path, id, reason });
}

/**
 * Acknowledge AwsSolutions-IAM5 for one wildcard resource. cdk-nag names the finding after
 * the resource with CloudFormation references flattened (`arn:<AWS::Partition>:...`), so the
 * id is computed the way cdk-nag computes it, from the resolved value.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const flat = flattenCfnReference(Stack.of(scope).resolve(resource));
  acknowledge(scope, `AwsSolutions-IAM5[Resource::${flat}]`, reason);
}

/** Acknowledge AwsSolutions-IAM5 for one wildcard action (e.g. `appmesh:Describe*`). */
export function acknowledgeWildcardAction(scope: IConstruct, action: string, reason: string): void {
  acknowledge(scope, `AwsSolutions-IAM5[Action::${action}]`, reason);
}
