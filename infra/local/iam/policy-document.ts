import * as z from 'zod';
import { isKnownOperator } from './conditions';

/**
 * IAM identity-based policy documents as IAM takes them (`Version`, `Statement` as one object
 * or a list, `Action`/`Resource` as a string or a list), normalised to one shape for the
 * evaluator. Principal is refused: it belongs to resource-based policies only.
 */

const stringOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const conditionValue = z.union([z.string(), z.boolean(), z.number()]);
const conditionBlock = z.record(
  z.string().min(1),
  z.record(z.string().min(1), z.union([conditionValue, z.array(conditionValue).min(1)])),
);

const statementSchema = z
  .strictObject({
    Sid: z.string().optional(),
    Effect: z.enum(['Allow', 'Deny']),
    Action: stringOrList.optional(),
    NotAction: stringOrList.optional(),
    Resource: stringOrList.optional(),
    NotResource: stringOrList.optional(),
    Condition: conditionBlock.optional(),
  })
  .superRefine((s, ctx) => {
    if ((s.Action === undefined) === (s.NotAction === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a statement needs exactly one of Action and NotAction' });
    }
    if ((s.Resource === undefined) === (s.NotResource === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a statement needs exactly one of Resource and NotResource' });
    }
    for (const action of [s.Action ?? [], s.NotAction ?? []].flat()) {
      if (action !== '*' && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(action)) {
        ctx.addIssue({ code: 'custom', message: `action "${action}" is not "service:Action" or "*"` });
      }
    }
    for (const operator of Object.keys(s.Condition ?? {})) {
      if (!isKnownOperator(operator)) {
        ctx.addIssue({ code: 'custom', message: `condition operator "${operator}" is not supported` });
      }
    }
  });

/** A policy document as written in an identities file or a CloudFormation template (resolved). */
export const policyDocumentSchema = z.strictObject({
  Version: z.enum(['2012-10-17', '2008-10-17']).optional(),
  Id: z.string().optional(),
  Statement: z.union([statementSchema, z.array(statementSchema).min(1)]),
});

export type PolicyDocumentInput = z.input<typeof policyDocumentSchema>;

/** Condition operator -> context key -> values (as strings, the way IAM compares them). */
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

/** One statement, normalised: lists everywhere, `not` telling NotAction/NotResource apart. */
export interface Statement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: { readonly not: boolean; readonly patterns: readonly string[] };
  readonly resources: { readonly not: boolean; readonly patterns: readonly string[] };
  readonly condition: ConditionBlock;
}

export interface PolicyDocument {
  readonly statements: readonly Statement[];
}

function list(value: string | readonly string[]): string[] {
  return typeof value === 'string' ? [value] : [...value];
}

/** Validate one document and normalise it; throws a ZodError that names the bad member. */
export function parsePolicyDocument(input: unknown): PolicyDocument {
  const doc = policyDocumentSchema.parse(input);
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return {
    statements: statements.map((s) => ({
      ...(s.Sid === undefined ? {} : { sid: s.Sid }),
      effect: s.Effect,
      actions:
        s.Action !== undefined
          ? { not: false, patterns: list(s.Action) }
          : { not: true, patterns: list(s.NotAction ?? []) },
      resources:
        s.Resource !== undefined
          ? { not: false, patterns: list(s.Resource) }
          : { not: true, patterns: list(s.NotResource ?? []) },
      condition: Object.fromEntries(
        Object.entries(s.Condition ?? {}).map(([operator, keys]) => [
          operator,
          Object.fromEntries(
            Object.entries(keys).map(([key, values]) => [
              key,
              (Array.isArray(values) ? values : [values]).map(String),
            ]),
          ),
        ]),
      ),
    })),
  };
}
