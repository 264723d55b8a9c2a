/**
 * Resolve the CloudFormation intrinsics an IAM policy of meshwarden's template uses
 * (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, pseudo parameters) to the ARNs and names the
 * resources have in local AWS. A value this resolver cannot name fails loudly: a policy
 * resolved to something made up would grant the wrong thing.
 */

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface LocalPlacement {
  readonly region: string;
  readonly account: string;
  /** Physical names local AWS uses where the template lets CloudFormation generate one, by resource type. */
  readonly physicalNames?: Readonly<Record<string, string>>;
}

interface Physical {
  readonly ref: string;
  readonly arn: string;
}

/** Where the template names a resource, by type: the property and how its ARN is built. */
const RESOURCE_TYPES: Readonly<
  Record<
    string,
    {
      readonly nameProperty?: string;
      readonly arn: (name: string, p: LocalPlacement) => string;
      readonly refIsArn?: boolean;
    }
  >
> = {
  'AWS::DynamoDB::Table': {
    nameProperty: 'TableName',
    arn: (n, p) => `arn:aws:dynamodb:${p.region}:${p.account}:table/${n}`,
  },
  'AWS::Events::EventBus': {
    nameProperty: 'Name',
    arn: (n, p) => `arn:aws:events:${p.region}:${p.account}:event-bus/${n}`,
  },
  // Secrets Manager appends six random characters to every secret's ARN; IAM policies name
  // them with `??????`, as AWS recommends.
  'AWS::SecretsManager::Secret': {
    nameProperty: 'Name',
    arn: (n, p) => `arn:aws:secretsmanager:${p.region}:${p.account}:secret:${n}-??????`,
    refIsArn: true,
  },
  'AWS::SQS::Queue': {
    nameProperty: 'QueueName',
    arn: (n, p) => `arn:aws:sqs:${p.region}:${p.account}:${n}`,
  },
  'AWS::Logs::LogGroup': {
    nameProperty: 'LogGroupName',
    arn: (n, p) => `arn:aws:logs:${p.region}:${p.account}:log-group:${n}:*`,
  },
  'AWS::IAM::Role': { nameProperty: 'RoleName', arn: (n, p) => `arn:aws:iam::${p.account}:role/${n}` },
  'AWS::Scheduler::ScheduleGroup': {
    nameProperty: 'Name',
    arn: (n, p) => `arn:aws:scheduler:${p.region}:${p.account}:schedule-group/${n}`,
  },
  'AWS::Lambda::Function': {
    nameProperty: 'FunctionName',
    arn: (n, p) => `arn:aws:lambda:${p.region}:${p.account}:function:${n}`,
  },
  'AWS::SNS::Topic': {
    nameProperty: 'TopicName',
    arn: (n, p) => `arn:aws:sns:${p.region}:${p.account}:${n}`,
    refIsArn: true,
  },
};

export class UnresolvableIntrinsicError extends Error {}

function physicalOf(
  logicalId: string,
  resources: Record<string, TemplateResource>,
  p: LocalPlacement,
): Physical {
  const resource = resources[logicalId];
  if (resource === undefined)
    throw new UnresolvableIntrinsicError(`no resource ${logicalId} in the template`);
  const type = RESOURCE_TYPES[resource.Type];
  if (type === undefined) {
    throw new UnresolvableIntrinsicError(`${logicalId}: local AWS cannot name a ${resource.Type}`);
  }
  const declared = type.nameProperty === undefined ? undefined : resource.Properties?.[type.nameProperty];
  const name = typeof declared === 'string' ? declared : (p.physicalNames?.[resource.Type] ?? logicalId);
  const arn = type.arn(name, p);
  return { ref: type.refIsArn === true ? arn : name, arn };
}

function pseudo(name: string, p: LocalPlacement): string | undefined {
  switch (name) {
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::Region':
      return p.region;
    case 'AWS::AccountId':
      return p.account;
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    default:
      return undefined;
  }
}

/** Resolve every intrinsic inside `value` (a policy document) to plain JSON. */
export function resolveIntrinsics(
  value: unknown,
  resources: Record<string, TemplateResource>,
  placement: LocalPlacement,
): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0] as [string, unknown];
      if (key === 'Ref' && typeof arg === 'string') {
        return pseudo(arg, placement) ?? physicalOf(arg, resources, placement).ref;
      }
      if (key === 'Fn::GetAtt') {
        const [logicalId, attribute] = (Array.isArray(arg) ? arg : String(arg).split('.')) as string[];
        if (attribute !== 'Arn') {
          throw new UnresolvableIntrinsicError(`Fn::GetAtt ${logicalId}.${attribute} is not an ARN`);
        }
        return physicalOf(logicalId ?? '', resources, placement).arn;
      }
      if (key === 'Fn::Join') {
        const [separator, parts] = arg as [string, unknown[]];
        return parts.map((part) => String(walk(part))).join(separator);
      }
      if (key === 'Fn::Sub') {
        const [template, variables] = (typeof arg === 'string' ? [arg, {}] : arg) as [
          string,
          Record<string, unknown>,
        ];
        return template.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
          if (name in variables) return String(walk(variables[name]));
          const [logicalId, attribute] = name.split('.');
          return String(
            attribute === undefined
              ? walk({ Ref: logicalId })
              : walk({ 'Fn::GetAtt': [logicalId, attribute] }),
          );
        });
      }
      if (key.startsWith('Fn::'))
        throw new UnresolvableIntrinsicError(`${key} is not supported in a local policy`);
    }
    return Object.fromEntries(entries.map(([k, child]) => [k, walk(child)]));
  };
  return walk(value);
}
