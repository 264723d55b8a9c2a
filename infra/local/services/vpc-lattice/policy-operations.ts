import * as z from 'zod';
import { type Call, KIND_INFO, kindOfArn, type Operation } from './call';
import { notFound, validationError } from './errors';
import { serviceNetworkOf, serviceOf } from './lookups';
import type { LatticeRecord, PolicyRecord, ServiceNetworkRecord, ServiceRecord } from './records';
import type { LatticeStore } from './store';
import {
  authPolicyResourceIdentifier,
  putAuthPolicyBody,
  putResourcePolicyBody,
  resourcePolicyArn,
  taggableArn,
  tagMap,
  tagResourceBody,
  validate,
} from './validation';

/** The auth policy size quota: 10 KB, not adjustable. */
const AUTH_POLICY_MAX_BYTES = 10 * 1024;
const MAX_TAGS = 50;

const stringOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const principal = z.union([
  z.literal('*'),
  z.record(z.enum(['AWS', 'Service', 'Federated', 'CanonicalUser']), stringOrList),
]);
const statement = z
  .strictObject({
    Sid: z.string().optional(),
    Effect: z.enum(['Allow', 'Deny']),
    Principal: principal.optional(),
    NotPrincipal: principal.optional(),
    Action: stringOrList.optional(),
    NotAction: stringOrList.optional(),
    Resource: stringOrList.optional(),
    NotResource: stringOrList.optional(),
    Condition: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  })
  .superRefine((s, ctx) => {
    const exactlyOne = (a: unknown, b: unknown, names: string) => {
      if ((a === undefined) === (b === undefined)) {
        ctx.addIssue({ code: 'custom', message: `A statement needs exactly one of ${names}` });
      }
    };
    exactlyOne(s.Principal, s.NotPrincipal, 'Principal and NotPrincipal');
    exactlyOne(s.Action, s.NotAction, 'Action and NotAction');
    exactlyOne(s.Resource, s.NotResource, 'Resource and NotResource');
    for (const action of [s.Action ?? [], s.NotAction ?? []].flat()) {
      if (action !== '*' && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(action)) {
        ctx.addIssue({ code: 'custom', message: `Action "${action}" is not "service:Action" or "*"` });
      }
    }
  });
/** A resource-based IAM policy document, as auth and resource policies are. */
const policyDocument = z.strictObject({
  Version: z.enum(['2012-10-17', '2008-10-17']).optional(),
  Id: z.string().optional(),
  Statement: z.union([statement, z.array(statement).min(1)]),
});

/** Refuse a policy that is not JSON or not a valid IAM policy document. */
function requirePolicyDocument(text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw validationError([
      { name: 'policy', message: `The policy is not valid JSON: ${(error as Error).message}` },
    ]);
  }
  const result = policyDocument.safeParse(parsed);
  if (!result.success) {
    throw validationError(
      result.error.issues.map((issue) => ({
        name: ['policy', ...issue.path.map(String)].join('.'),
        message: issue.message,
      })),
    );
  }
}

/** Auth policies, resource policies and tags. */
export function policyOperations(store: LatticeStore): Record<string, Operation> {
  const authTarget = (call: Call): ServiceNetworkRecord | ServiceRecord => {
    const identifier = call.params.resourceIdentifier ?? '';
    validate(authPolicyResourceIdentifier, identifier, 'resourceIdentifier');
    const isNetwork = /(^|\/)sn-/.test(identifier);
    return isNetwork ? serviceNetworkOf(store, call, identifier) : serviceOf(store, call, identifier);
  };
  const policyTarget = (call: Call): ServiceNetworkRecord | ServiceRecord => {
    const arn = call.params.resourceArn ?? '';
    validate(resourcePolicyArn, arn, 'resourceArn');
    return arn.includes(':servicenetwork/')
      ? serviceNetworkOf(store, call, arn)
      : serviceOf(store, call, arn);
  };
  const tagged = (call: Call): LatticeRecord => {
    const arn = call.params.resourceArn ?? '';
    validate(taggableArn, arn, 'resourceArn');
    const record = store.get(arn);
    if (record === undefined || record.region !== call.region) {
      const kind = kindOfArn(arn);
      throw notFound(
        kind === undefined ? 'SERVICE' : KIND_INFO[kind].resourceType,
        arn,
        `Resource ${arn} not found`,
      );
    }
    return record;
  };
  const put = (map: Map<string, PolicyRecord>, arn: string, policy: string, call: Call) => {
    const at = call.now.getTime();
    const prior = map.get(arn);
    if (prior === undefined) map.set(arn, { resourceArn: arn, policy, createdAt: at, lastUpdatedAt: at });
    else {
      prior.policy = policy;
      prior.lastUpdatedAt = at;
    }
  };
  const stateOf = (target: ServiceNetworkRecord | ServiceRecord) =>
    target.authType === 'AWS_IAM' ? 'Active' : 'Inactive';

  return {
    PutAuthPolicy: (call) => {
      const body = validate(putAuthPolicyBody, call.body);
      const target = authTarget(call);
      if (Buffer.byteLength(body.policy, 'utf8') > AUTH_POLICY_MAX_BYTES) {
        throw validationError([{ name: 'policy', message: 'An auth policy can be at most 10 KB' }]);
      }
      requirePolicyDocument(body.policy);
      put(store.authPolicies, target.arn, body.policy, call);
      return { policy: body.policy, state: stateOf(target) };
    },
    GetAuthPolicy: (call) => {
      const target = authTarget(call);
      const policy = store.authPolicies.get(target.arn);
      if (policy === undefined) {
        throw notFound(
          'AUTH_POLICY',
          target.id,
          `${KIND_INFO[target.kind].label} ${target.id} has no auth policy`,
        );
      }
      return {
        policy: policy.policy,
        state: stateOf(target),
        createdAt: new Date(policy.createdAt).toISOString(),
        lastUpdatedAt: new Date(policy.lastUpdatedAt).toISOString(),
      };
    },
    DeleteAuthPolicy: (call) => {
      const target = authTarget(call);
      if (!store.authPolicies.delete(target.arn)) {
        throw notFound(
          'AUTH_POLICY',
          target.id,
          `${KIND_INFO[target.kind].label} ${target.id} has no auth policy`,
        );
      }
      return undefined;
    },
    PutResourcePolicy: (call) => {
      const body = validate(putResourcePolicyBody, call.body);
      const target = policyTarget(call);
      requirePolicyDocument(body.policy);
      put(store.resourcePolicies, target.arn, body.policy, call);
      return undefined;
    },
    GetResourcePolicy: (call) => {
      const target = policyTarget(call);
      const policy = store.resourcePolicies.get(target.arn);
      if (policy === undefined) {
        throw notFound(
          'RESOURCE_POLICY',
          target.arn,
          `${KIND_INFO[target.kind].label} ${target.id} has no resource policy`,
        );
      }
      return { policy: policy.policy };
    },
    DeleteResourcePolicy: (call) => {
      const target = policyTarget(call);
      if (!store.resourcePolicies.delete(target.arn)) {
        throw notFound(
          'RESOURCE_POLICY',
          target.arn,
          `${KIND_INFO[target.kind].label} ${target.id} has no resource policy`,
        );
      }
      return undefined;
    },

    TagResource: (call) => {
      const { tags } = validate(tagResourceBody, call.body);
      const record = tagged(call);
      const merged = { ...record.tags, ...tags };
      if (Object.keys(merged).length > MAX_TAGS) {
        throw validationError([
          {
            name: 'tags',
            message: `The resource would have ${Object.keys(merged).length} tags; at most ${MAX_TAGS} are allowed`,
          },
        ]);
      }
      record.tags = merged;
      return undefined;
    },
    UntagResource: (call) => {
      const keys = call.query.getAll('tagKeys');
      validate(tagMap, Object.fromEntries(keys.map((k) => [k, ''])), 'tagKeys');
      const record = tagged(call);
      const drop = new Set(keys);
      record.tags = Object.fromEntries(Object.entries(record.tags).filter(([k]) => !drop.has(k)));
      return undefined;
    },
    ListTagsForResource: (call) => ({ tags: tagged(call).tags }),
  };
}
