import * as z from 'zod';
import { type FieldIssue, validationError } from './errors';

/**
 * Request validation for local VPC Lattice, after the service model (botocore
 * `vpc-lattice/2022-11-30`): required members, lengths, patterns, ranges, list sizes, enums
 * and unions (exactly one member). Structures drop members the model does not know, as the
 * service's deserializer does. Failures become a ValidationException whose `fieldList` names
 * each bad member.
 */

/** A resource name: lowercase letters, digits and single inner hyphens, not starting with the id prefix. */
function resourceName(max: number, idPrefix?: string) {
  const reserved = idPrefix === undefined ? '' : `(?!${idPrefix}-)`;
  return z
    .string()
    .min(3, 'Member must have length greater than or equal to 3')
    .max(max, `Member must have length less than or equal to ${max}`)
    .regex(
      new RegExp(`^${reserved}(?![-])(?!.*[-]$)(?!.*[-]{2})[a-z0-9-]+$`),
      `Member must contain only a-z, 0-9 and hyphens, must not start or end with a hyphen or contain two in a row${idPrefix === undefined ? '' : `, and must not start with "${idPrefix}-"`}`,
    );
}

export const serviceNetworkName = resourceName(63);
export const serviceName = resourceName(40, 'svc');
export const listenerName = resourceName(63, 'listener');
export const ruleName = resourceName(63, 'rule');
export const targetGroupName = resourceName(128, 'tg');

const ARN_HEAD = 'arn:[a-z0-9\\-]+:vpc-lattice:[a-zA-Z0-9\\-]+:\\d{12}:';
const ID = '[0-9a-z]{17}';

function identifier(min: number, pattern: string, what: string) {
  return z
    .string()
    .min(min, `Member must have length greater than or equal to ${min}`)
    .max(2048, 'Member must have length less than or equal to 2048')
    .regex(new RegExp(`^(${pattern})$`), `Member must be the ID or ARN of a ${what}`);
}

export const serviceNetworkIdentifier = identifier(
  3,
  `sn-${ID}|${ARN_HEAD}servicenetwork/sn-${ID}`,
  'service network',
);
export const serviceIdentifier = identifier(17, `svc-${ID}|${ARN_HEAD}service/svc-${ID}`, 'service');
export const listenerIdentifier = identifier(
  20,
  `listener-${ID}|${ARN_HEAD}service/svc-${ID}/listener/listener-${ID}`,
  'listener',
);
export const ruleIdentifier = identifier(
  20,
  `rule-${ID}|${ARN_HEAD}service/svc-${ID}/listener/listener-${ID}/rule/rule-${ID}`,
  'rule',
);
export const targetGroupIdentifier = identifier(
  17,
  `tg-${ID}|${ARN_HEAD}targetgroup/tg-${ID}`,
  'target group',
);
export const serviceNetworkServiceAssociationIdentifier = identifier(
  17,
  `snsa-${ID}|${ARN_HEAD}servicenetworkserviceassociation/snsa-${ID}`,
  'service network service association',
);
export const serviceNetworkVpcAssociationIdentifier = identifier(
  17,
  `snva-${ID}|${ARN_HEAD}servicenetworkvpcassociation/snva-${ID}`,
  'service network VPC association',
);
/** An auth policy's resource: a service network or a service, by ID or ARN. */
export const authPolicyResourceIdentifier = identifier(
  17,
  `(sn|svc)-${ID}|${ARN_HEAD}(servicenetwork/sn|service/svc)-${ID}`,
  'service network or service',
);
/** What a resource policy can be put on: a service network or a service, by ARN. */
export const resourcePolicyArn = z
  .string()
  .min(20)
  .max(200)
  .regex(
    new RegExp(`^${ARN_HEAD}(servicenetwork/sn|service/svc)-${ID}$`),
    'Member must be the ARN of a service network or a service',
  );
/** Any taggable VPC Lattice ARN. */
export const taggableArn = z
  .string()
  .min(20)
  .max(1224)
  .regex(new RegExp(`^${ARN_HEAD}[a-z]+/[0-9a-z/-]+$`), 'Member must be the ARN of a VPC Lattice resource');

const int = (min: number, max: number) =>
  z
    .number()
    .int('Member must be an integer')
    .min(min, `Member must have value greater than or equal to ${min}`)
    .max(max, `Member must have value less than or equal to ${max}`);
const text = (min: number, max: number) =>
  z
    .string()
    .min(min, `Member must have length greater than or equal to ${min}`)
    .max(max, `Member must have length less than or equal to ${max}`);

/** A Smithy union: every member optional, exactly one set. */
function union<T extends Record<string, z.ZodType>>(members: T) {
  const names = Object.keys(members);
  return z
    .object(members)
    .partial()
    .superRefine((value, ctx) => {
      const set = names.filter((n) => (value as Record<string, unknown>)[n] !== undefined);
      if (set.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message: `Exactly one of ${names.join(', ')} must be set (got ${set.length === 0 ? 'none' : set.join(', ')})`,
        });
      }
    });
}

// AWS's pattern `[!-~]+` covers the whole token: printable ASCII, no space.
export const clientToken = text(1, 64).regex(
  /^[!-~]+$/,
  'Member must satisfy regular expression pattern: [!-~]+',
);
export const authType = z.enum(['NONE', 'AWS_IAM']);
export const port = int(1, 65535);
export const maxResults = int(1, 100);

/** Tags as VPC Lattice takes them: a map; keys 1-128, values 0-256, never the reserved `aws:` prefix. */
export const tagMap = z
  .record(
    text(1, 128).refine(
      (key) => !key.toLowerCase().startsWith('aws:'),
      'Tag keys must not start with "aws:"',
    ),
    text(0, 256),
  )
  .refine((tags) => Object.keys(tags).length <= 50, 'A resource can have at most 50 tags');

const weightedTargetGroup = z.object({
  targetGroupIdentifier,
  weight: int(0, 999).optional(),
});

export const ruleAction = union({
  forward: z.object({
    targetGroups: z
      .array(weightedTargetGroup)
      .min(1, 'Member must have at least 1 target group')
      .max(10, 'Member must have at most 10 target groups'),
  }),
  fixedResponse: z.object({ statusCode: int(100, 599) }),
});
export type RuleAction = z.infer<typeof ruleAction>;

const pathPattern = /^\/[a-zA-Z0-9@:%_+.~#?&/=-]*$/;
const pathText = text(1, 200).regex(pathPattern, 'Member must be a path starting with "/"');
const headerValue = text(1, 200);

export const ruleMatch = union({
  httpMatch: z.object({
    method: text(0, 16).optional(),
    pathMatch: z
      .object({
        match: union({ exact: pathText, prefix: pathText }),
        caseSensitive: z.boolean().optional(),
      })
      .optional(),
    headerMatches: z
      .array(
        z.object({
          name: text(1, 100),
          match: union({ exact: headerValue, prefix: headerValue, contains: headerValue }),
          caseSensitive: z.boolean().optional(),
        }),
      )
      .min(1)
      .max(5, 'Member must have at most 5 header matches')
      .optional(),
  }),
});
export type RuleMatch = z.infer<typeof ruleMatch>;

export const rulePriority = int(1, 2000);

export const healthCheck = z.object({
  enabled: z.boolean().optional(),
  protocol: z.enum(['HTTP', 'HTTPS', 'TCP']).optional(),
  protocolVersion: z.enum(['HTTP1', 'HTTP2']).optional(),
  port: int(0, 65535).optional(),
  path: text(0, 2048)
    .regex(/^(\/[a-zA-Z0-9@:%_+.~#?&/=-]*)?$/, 'Member must be a path starting with "/"')
    .optional(),
  healthCheckIntervalSeconds: int(5, 300).optional(),
  healthCheckTimeoutSeconds: int(1, 120).optional(),
  healthyThresholdCount: int(2, 10).optional(),
  unhealthyThresholdCount: int(2, 10).optional(),
  matcher: union({
    httpCode: text(0, 2000).regex(/^([0-9-,]+)?$/, 'Member must be HTTP codes such as 200 or 200-299'),
  }).optional(),
});
export type HealthCheck = z.infer<typeof healthCheck>;

export const targetGroupConfig = z.object({
  port: port.optional(),
  protocol: z.enum(['HTTP', 'HTTPS', 'TCP']).optional(),
  protocolVersion: z.enum(['HTTP1', 'HTTP2', 'GRPC']).optional(),
  ipAddressType: z.enum(['IPV4', 'IPV6']).optional(),
  vpcIdentifier: text(5, 50)
    .regex(/^vpc-(([0-9a-z]{8})|([0-9a-z]{17}))$/, 'Member must be a VPC ID')
    .optional(),
  healthCheck: healthCheck.optional(),
  lambdaEventStructureVersion: z.enum(['V1', 'V2']).optional(),
});
export type TargetGroupConfig = z.infer<typeof targetGroupConfig>;

const target = z.object({ id: text(1, 200), port: port.optional() });
export type Target = z.infer<typeof target>;
const targetList = z.array(target);

const securityGroupIds = z.array(
  text(5, 200).regex(/^sg-(([0-9a-z]{8})|([0-9a-z]{17}))$/, 'Member must be a security group ID'),
);

// Request bodies, one per operation that has one.

export const createServiceNetworkBody = z.object({
  name: serviceNetworkName,
  clientToken: clientToken.optional(),
  authType: authType.optional(),
  tags: tagMap.optional(),
  sharingConfig: z.object({ enabled: z.boolean().optional() }).optional(),
});
export const updateServiceNetworkBody = z.object({ authType });

export const createServiceBody = z.object({
  name: serviceName,
  clientToken: clientToken.optional(),
  tags: tagMap.optional(),
  customDomainName: text(3, 255).optional(),
  certificateArn: text(0, 2048)
    .regex(
      /^(arn(:[a-z0-9]+([.-][a-z0-9]+)*){2}(:([a-z0-9]+([.-][a-z0-9]+)*)?){2}:certificate\/[0-9a-z-]+)?$/,
      'Member must be the ARN of a certificate',
    )
    .optional(),
  authType: authType.optional(),
});
export const updateServiceBody = z.object({
  certificateArn: createServiceBody.shape.certificateArn,
  authType: authType.optional(),
});

export const createServiceNetworkServiceAssociationBody = z.object({
  serviceIdentifier,
  serviceNetworkIdentifier,
  clientToken: clientToken.optional(),
  tags: tagMap.optional(),
});
export const createServiceNetworkVpcAssociationBody = z.object({
  serviceNetworkIdentifier,
  vpcIdentifier: targetGroupConfig.shape.vpcIdentifier.unwrap(),
  clientToken: clientToken.optional(),
  securityGroupIds: securityGroupIds.max(5, 'Member must have at most 5 security groups').optional(),
  privateDnsEnabled: z.boolean().optional(),
  tags: tagMap.optional(),
});

export const createListenerBody = z.object({
  name: listenerName,
  protocol: z.enum(['HTTP', 'HTTPS', 'TLS_PASSTHROUGH']),
  defaultAction: ruleAction,
  port: port.optional(),
  clientToken: clientToken.optional(),
  tags: tagMap.optional(),
});
export const updateListenerBody = z.object({ defaultAction: ruleAction });

export const createRuleBody = z.object({
  name: ruleName,
  match: ruleMatch,
  priority: rulePriority,
  action: ruleAction,
  clientToken: clientToken.optional(),
  tags: tagMap.optional(),
});
export const updateRuleBody = z.object({
  match: ruleMatch.optional(),
  priority: rulePriority.optional(),
  action: ruleAction.optional(),
});
export const batchUpdateRuleBody = z.object({
  rules: z
    .array(updateRuleBody.extend({ ruleIdentifier }))
    .min(1, 'Member must have at least 1 rule')
    .max(10, 'Member must have at most 10 rules'),
});
export type RuleUpdate = z.infer<typeof updateRuleBody>;

export const createTargetGroupBody = z.object({
  name: targetGroupName,
  type: z.enum(['IP', 'LAMBDA', 'INSTANCE', 'ALB']),
  config: targetGroupConfig.optional(),
  clientToken: clientToken.optional(),
  tags: tagMap.optional(),
});
export const updateTargetGroupBody = z.object({ healthCheck });
export const targetsBody = z.object({
  targets: targetList
    .min(1, 'Member must have at least 1 target')
    .max(100, 'Member must have at most 100 targets'),
});
export const listTargetsBody = z.object({ targets: targetList.max(20).optional() });

export const putAuthPolicyBody = z.object({ policy: text(0, 36864) });
export const putResourcePolicyBody = z.object({
  policy: text(1, 10000).regex(/\S/, 'Member must not be blank'),
});
export const tagResourceBody = z.object({ tags: tagMap });

/** `name[0].member` for a zod path, as the fieldList names members. */
function fieldName(path: readonly PropertyKey[], root: string | undefined): string {
  const parts = path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
  if (root === undefined) return parts === '' ? '(root)' : parts;
  return parts === '' ? root : parts.startsWith('[') ? `${root}${parts}` : `${root}.${parts}`;
}

/** Messages for the issue kinds zod words in its own way. */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    return issue.input === undefined ? 'Member is required' : `Member must be of type ${issue.expected}`;
  }
  if (issue.code === 'invalid_value') return `Member must be one of: ${issue.values.map(String).join(', ')}`;
  return issue.message;
}

/**
 * Parse `input` with `schema`, or throw a ValidationException naming every failing member.
 * `root` names the member a single value sits in (a path or query parameter).
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, root?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: FieldIssue[] = result.error.issues.map((issue) => ({
    name: fieldName(issue.path, root),
    message: messageOf(issue),
  }));
  throw validationError(fields);
}
