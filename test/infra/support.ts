import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';

/** The context `npx cdk synth` reads from cdk.json, so tests synthesize what a user would. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson: unknown = JSON.parse(readFileSync('cdk.json', 'utf8'));
  if (typeof cdkJson !== 'object' || cdkJson === null || !('context' in cdkJson)) {
    throw new Error('cdk.json has no context');
  }
  return cdkJson.context as Record<string, unknown>;
}

/** An app writing to its own temporary cloud assembly, optionally without bundling functions. */
export function testApp(context: Record<string, unknown>, options: { bundle: boolean }): App {
  return new App({
    outdir: mkdtempSync(join(tmpdir(), 'meshwarden-cdk-')),
    context: {
      ...context,
      // No stack is bundled: synth stays fast when a test is about wiring, not bundles.
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
}

/** A CloudFormation resource as the template holds it. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** Every IAM statement (resolved JSON) of the policies attached to the role with this logical id prefix. */
export function statementsOfRole(
  resources: Record<string, CfnResource>,
  roleLogicalId: string,
): Record<string, unknown>[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => JSON.stringify(r.Properties?.Roles) === JSON.stringify([{ Ref: roleLogicalId }]))
    .flatMap(statementsOf);
}

/** The statements of one AWS::IAM::Policy resource. */
export function statementsOf(policy: CfnResource): Record<string, unknown>[] {
  const doc = policy.Properties?.PolicyDocument as { Statement?: Record<string, unknown>[] } | undefined;
  return doc?.Statement ?? [];
}

/** `a` or `[a, b]` -> array. */
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}
