import { KINDS } from '../services/appmesh/resource-kinds';
import { matchRoute } from '../services/appmesh/routes';
import { arnOf } from '../services/appmesh/store';
import { matchRoute as matchLatticeRoute } from '../services/vpc-lattice/routes';
import type { LocalRequest } from '../types';
import type { AuthorizationCheck } from './request-context';
import { type RequestInput, requestInput } from './request-input';

/**
 * What IAM checks for each request of the services local AWS serves: the action
 * (`prefix:Operation`) and the resource ARN, as AWS's Service Authorization Reference defines
 * them. One entry per service, keyed by SigV4 signing name: a new local service is one more
 * entry. Operations an entry does not name are checked on `*`, as AWS does for actions
 * without resource-level permissions (List*, most Describe*).
 */

export interface ServiceRequest {
  readonly req: LocalRequest;
  readonly operation: string;
  readonly input: RequestInput;
  readonly region: string;
  readonly account: string;
  /** Facts only the service knows (a secret's full ARN), when it offers them. */
  readonly lookups: ResourceLookups;
}

/** Questions the mapping may ask the services' state. */
export interface ResourceLookups {
  /** The full ARN (with its random suffix) of a secret of `account` named or ARN-ed `id`, if it exists. */
  secretArn?(id: string, account: string): string | undefined;
  /** The tags of the resource with this ARN (`aws:ResourceTag/<key>`), where the service keeps them. */
  resourceTags?(arn: string): Readonly<Record<string, string>> | undefined;
}

interface ServiceEntry {
  /** The IAM service prefix (`monitoring` signs, `cloudwatch` authorizes). */
  readonly prefix: string;
  /** The checks of one operation; undefined: `prefix:operation` on `*`. */
  readonly checks?: (r: ServiceRequest) => AuthorizationCheck[] | undefined;
}

const arn = (service: string, r: ServiceRequest, resource: string, region = r.region): string =>
  `arn:aws:${service}:${region}:${r.account}:${resource}`;

function one(r: ServiceRequest, prefix: string, resource: string | undefined): AuthorizationCheck[] {
  return [{ action: `${prefix}:${r.operation}`, resource: resource ?? '*' }];
}

function appMeshChecks(r: ServiceRequest): AuthorizationCheck[] | undefined {
  const match = matchRoute(r.req.method, r.req.path);
  if (match === undefined) return undefined;
  const { route, params } = match;
  const owner = r.req.query.get('meshOwner') ?? r.account;
  const address = (kind: keyof typeof KINDS, names: Record<string, string>) =>
    arnOf({ region: r.region, meshOwner: owner, kind, names });
  if (!('kind' in route.action)) {
    return one(r, 'appmesh', r.req.query.get('resourceArn') ?? undefined);
  }
  const kind = KINDS[route.action.kind];
  if (route.action.verb === 'list') {
    // List* is authorized on the parent (ListRoutes on the router); ListMeshes on `*`.
    return one(r, 'appmesh', kind.parent === undefined ? undefined : address(kind.parent, params));
  }
  const names = { ...params };
  if (route.action.verb === 'create') {
    const name = r.input.string(kind.nameMember);
    if (name === undefined) return undefined;
    names[kind.nameMember] = name;
  }
  const resource = address(route.action.kind, names);
  const checks = one(r, 'appmesh', resource);
  // Creating with tags also needs the tagging action on the new resource.
  const tags = tagKeysOf(r.input.value('tags'), 'key');
  if (route.action.verb === 'create' && tags.length > 0) {
    checks.push({ action: 'appmesh:TagResource', resource, context: { 'aws:TagKeys': tags } });
  }
  return checks;
}

/** The keys of a tag list (`[{key, value}]` in App Mesh, `[{Key, Value}]` elsewhere). */
function tagKeysOf(tags: unknown, keyMember: 'key' | 'Key'): string[] {
  if (!Array.isArray(tags)) return [];
  return tags.flatMap((t: unknown) => {
    const key = (t as Record<string, unknown> | null)?.[keyMember];
    return typeof key === 'string' ? [key] : [];
  });
}

function dynamoDbChecks(r: ServiceRequest): AuthorizationCheck[] | undefined {
  const table = (name: string) => (name.startsWith('arn:') ? name : arn('dynamodb', r, `table/${name}`));
  const action = (operation: string) => `dynamodb:${operation}`;
  switch (r.operation) {
    case 'BatchGetItem':
    case 'BatchWriteItem': {
      const items = r.input.value('RequestItems');
      const names = items !== null && typeof items === 'object' ? Object.keys(items) : [];
      return names.map((name) => ({ action: action(r.operation), resource: table(name) }));
    }
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      // IAM checks each item's own action on its table.
      const items = r.input.value('TransactItems');
      return (Array.isArray(items) ? items : []).flatMap((item: unknown) =>
        Object.entries((item ?? {}) as Record<string, { TableName?: unknown }>).flatMap(([kind, body]) =>
          typeof body?.TableName === 'string'
            ? [
                {
                  action: action(kind === 'Get' ? 'GetItem' : `${kind}Item`),
                  resource: table(body.TableName),
                },
              ]
            : [],
        ),
      );
    }
    default: {
      const name = r.input.string('TableName');
      if (name === undefined) return one(r, 'dynamodb', undefined);
      const index = r.input.string('IndexName');
      return one(r, 'dynamodb', index === undefined ? table(name) : `${table(name)}/index/${index}`);
    }
  }
}

function eventBusArn(r: ServiceRequest, nameOrArn: string | undefined): string {
  const name = nameOrArn ?? 'default';
  return name.startsWith('arn:') ? name : arn('events', r, `event-bus/${name}`);
}

function eventsChecks(r: ServiceRequest): AuthorizationCheck[] | undefined {
  const busName = (value: string | undefined) => {
    const name = value ?? 'default';
    return name.startsWith('arn:') ? (name.split('event-bus/')[1] ?? name) : name;
  };
  const rule = (name: string | undefined) => {
    if (name === undefined) return undefined;
    const bus = busName(r.input.string('EventBusName'));
    return arn('events', r, bus === 'default' ? `rule/${name}` : `rule/${bus}/${name}`);
  };
  switch (r.operation) {
    case 'PutEvents': {
      const entries = r.input.value('Entries');
      const checks = new Map<string, AuthorizationCheck>();
      for (const entry of Array.isArray(entries) ? entries : []) {
        const e = (entry ?? {}) as Record<string, unknown>;
        const str = (key: string) => (typeof e[key] === 'string' ? (e[key] as string) : undefined);
        const resource = eventBusArn(r, str('EventBusName'));
        const context: Record<string, string> = {};
        const source = str('Source');
        const detailType = str('DetailType');
        if (source !== undefined) context['events:source'] = source;
        if (detailType !== undefined) context['events:detail-type'] = detailType;
        checks.set(JSON.stringify([resource, context]), { action: 'events:PutEvents', resource, context });
      }
      return [...checks.values()];
    }
    case 'PutRule':
    case 'DeleteRule':
    case 'DescribeRule':
    case 'EnableRule':
    case 'DisableRule':
      return one(r, 'events', rule(r.input.string('Name')));
    case 'PutTargets':
    case 'RemoveTargets':
    case 'ListTargetsByRule':
      return one(r, 'events', rule(r.input.string('Rule')));
    case 'CreateEventBus':
    case 'DeleteEventBus':
    case 'DescribeEventBus':
    case 'PutPermission':
    case 'RemovePermission':
      return one(
        r,
        'events',
        eventBusArn(r, r.input.string(r.operation.endsWith('Permission') ? 'EventBusName' : 'Name')),
      );
    case 'TagResource':
    case 'UntagResource':
    case 'ListTagsForResource':
      return one(r, 'events', r.input.string('ResourceARN'));
    default:
      return undefined;
  }
}

function schedulerChecks(r: ServiceRequest): AuthorizationCheck[] | undefined {
  const match = /^\/(schedules|schedule-groups)\/([^/]+)\/?$/.exec(r.req.path);
  if (match === null) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(match[2] ?? '');
  } catch {
    return undefined;
  }
  if (match[1] === 'schedule-groups')
    return one(r, 'scheduler', arn('scheduler', r, `schedule-group/${name}`));
  const group = r.input.string('GroupName') ?? r.req.query.get('groupName') ?? 'default';
  const checks = one(r, 'scheduler', arn('scheduler', r, `schedule/${group}/${name}`));
  // A schedule runs its target as a role the caller hands to Scheduler: iam:PassRole on it.
  const target = r.input.value('Target') as { RoleArn?: unknown } | undefined;
  if (
    (r.operation === 'CreateSchedule' || r.operation === 'UpdateSchedule') &&
    typeof target?.RoleArn === 'string'
  ) {
    checks.push({
      action: 'iam:PassRole',
      resource: target.RoleArn,
      context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
    });
  }
  return checks;
}

function secretsChecks(r: ServiceRequest): AuthorizationCheck[] | undefined {
  const id = r.operation === 'CreateSecret' ? r.input.string('Name') : r.input.string('SecretId');
  if (id === undefined) return undefined;
  const known = r.lookups.secretArn?.(id, r.account);
  // A secret not created yet: Secrets Manager will append six random characters to its ARN.
  const resource = known ?? (id.startsWith('arn:') ? id : arn('secretsmanager', r, `secret:${id}-xxxxxx`));
  const checks = one(r, 'secretsmanager', resource);
  const tags = tagKeysOf(r.input.value('Tags'), 'Key');
  if (r.operation === 'CreateSecret' && tags.length > 0) {
    checks.push({ action: 'secretsmanager:TagResource', resource, context: { 'aws:TagKeys': tags } });
  }
  return checks;
}

function cloudWatchChecks(r: ServiceRequest): AuthorizationCheck[] | undefined {
  const alarm = (name: string) => arn('cloudwatch', r, `alarm:${name}`);
  switch (r.operation) {
    case 'DescribeAlarms': {
      // Without names the call reads every alarm: IAM checks it on `alarm:*`.
      const names = r.input.list('AlarmNames');
      return names.length === 0
        ? one(r, 'cloudwatch', alarm('*'))
        : names.map((name) => ({ action: 'cloudwatch:DescribeAlarms', resource: alarm(name) }));
    }
    case 'DeleteAlarms':
    case 'EnableAlarmActions':
    case 'DisableAlarmActions':
      return r.input
        .list('AlarmNames')
        .map((name) => ({ action: `cloudwatch:${r.operation}`, resource: alarm(name) }));
    case 'PutMetricAlarm':
    case 'PutCompositeAlarm':
    case 'SetAlarmState':
    case 'DescribeAlarmHistory': {
      const name = r.input.string('AlarmName');
      return one(r, 'cloudwatch', name === undefined ? undefined : alarm(name));
    }
    case 'ListTagsForResource':
    case 'TagResource':
    case 'UntagResource':
      return one(r, 'cloudwatch', r.input.string('ResourceARN'));
    default:
      return undefined;
  }
}

/**
 * VPC Lattice: each operation is authorized on the resource it names, by ID or ARN; a create
 * on the kind of resource it creates (`service/*`), plus the resources it links (an
 * association on its service and service network; a rule or listener on its service) and
 * `vpc-lattice:TagResource` when it tags. BatchUpdateRule is `vpc-lattice:UpdateRule` on each
 * rule. List* take no resource.
 */
function vpcLatticeChecks(r: ServiceRequest): AuthorizationCheck[] | undefined {
  let match: ReturnType<typeof matchLatticeRoute>;
  try {
    match = matchLatticeRoute(r.req.method, r.req.path);
  } catch {
    return undefined;
  }
  if (match === undefined) return undefined;
  const { params } = match;
  const top = (kind: string, identifier: string | undefined) =>
    identifier === undefined
      ? undefined
      : identifier.startsWith('arn:')
        ? identifier
        : arn('vpc-lattice', r, `${kind}/${identifier}`);
  const service = top('service', params.serviceIdentifier);
  const listener =
    params.listenerIdentifier === undefined || service === undefined
      ? undefined
      : params.listenerIdentifier.startsWith('arn:')
        ? params.listenerIdentifier
        : `${service}/listener/${params.listenerIdentifier}`;
  const rule = (identifier: string | undefined) =>
    identifier === undefined || listener === undefined
      ? undefined
      : identifier.startsWith('arn:')
        ? identifier
        : `${listener}/rule/${identifier}`;
  const action = (name: string, resource: string | undefined): AuthorizationCheck => ({
    action: `vpc-lattice:${name}`,
    resource: resource ?? '*',
  });
  const tagKeys = (() => {
    const tags = r.input.value('tags');
    return tags !== null && typeof tags === 'object' && !Array.isArray(tags) ? Object.keys(tags) : [];
  })();
  const created = (resource: string, linked: (string | undefined)[] = []): AuthorizationCheck[] => {
    const checks = [
      action(r.operation, resource),
      ...linked.filter((l) => l !== undefined).map((l) => action(r.operation, l)),
    ];
    if (tagKeys.length > 0) {
      checks.push({ action: 'vpc-lattice:TagResource', resource, context: { 'aws:TagKeys': tagKeys } });
    }
    return checks;
  };
  switch (r.operation) {
    case 'CreateServiceNetwork':
      return created(arn('vpc-lattice', r, 'servicenetwork/*'));
    case 'CreateService':
      return created(arn('vpc-lattice', r, 'service/*'));
    case 'CreateTargetGroup':
      return created(arn('vpc-lattice', r, 'targetgroup/*'));
    case 'CreateListener':
      return created(`${service}/listener/*`, [service]);
    case 'CreateRule':
      return created(`${listener}/rule/*`, [listener]);
    case 'CreateServiceNetworkServiceAssociation':
      return created(arn('vpc-lattice', r, 'servicenetworkserviceassociation/*'), [
        top('service', r.input.string('serviceIdentifier')),
        top('servicenetwork', r.input.string('serviceNetworkIdentifier')),
      ]);
    case 'CreateServiceNetworkVpcAssociation':
      return created(arn('vpc-lattice', r, 'servicenetworkvpcassociation/*'), [
        top('servicenetwork', r.input.string('serviceNetworkIdentifier')),
      ]);
    case 'BatchUpdateRule': {
      const rules = r.input.value('rules');
      const ids = Array.isArray(rules)
        ? rules.flatMap((u: unknown) => {
            const id = (u as { ruleIdentifier?: unknown } | null)?.ruleIdentifier;
            return typeof id === 'string' ? [id] : [];
          })
        : [];
      return ids.map((id) => action('UpdateRule', rule(id)));
    }
    case 'PutAuthPolicy':
    case 'GetAuthPolicy':
    case 'DeleteAuthPolicy': {
      const id = params.resourceIdentifier ?? '';
      return [action(r.operation, /(^|\/)sn-/.test(id) ? top('servicenetwork', id) : top('service', id))];
    }
    default: {
      if (
        r.operation.startsWith('List') &&
        r.operation !== 'ListTagsForResource' &&
        r.operation !== 'ListTargets'
      ) {
        return [action(r.operation, undefined)];
      }
      const resource =
        rule(params.ruleIdentifier) ??
        listener ??
        service ??
        top('servicenetwork', params.serviceNetworkIdentifier) ??
        top('targetgroup', params.targetGroupIdentifier) ??
        top('servicenetworkserviceassociation', params.serviceNetworkServiceAssociationIdentifier) ??
        top('servicenetworkvpcassociation', params.serviceNetworkVpcAssociationIdentifier) ??
        params.resourceArn;
      return [action(r.operation, resource)];
    }
  }
}

/** The table: signing name -> IAM prefix and resource mapping. */
export const SERVICE_AUTHORIZATION: Readonly<Record<string, ServiceEntry>> = {
  appmesh: { prefix: 'appmesh', checks: appMeshChecks },
  // KMS decides itself: a key policy may grant a role that no identity policy names, so the
  // service weighs the key policy and the identity policies together (see identityVerdict).
  kms: { prefix: 'kms', checks: () => [] },
  'acm-pca': {
    prefix: 'acm-pca',
    checks: (r) => one(r, 'acm-pca', r.input.string('CertificateAuthorityArn')),
  },
  acm: {
    prefix: 'acm',
    checks: (r) => {
      const certificate = r.input.string('CertificateArn');
      // A first import has no ARN yet: IAM checks it on the account's certificates.
      const resource =
        r.operation === 'ImportCertificate' && certificate === undefined
          ? arn('acm', r, 'certificate/*')
          : certificate;
      const checks = one(r, 'acm', resource);
      const tags = tagKeysOf(r.input.value('Tags'), 'Key');
      if (r.operation === 'ImportCertificate' && tags.length > 0) {
        checks.push({
          action: 'acm:AddTagsToCertificate',
          resource: resource ?? '*',
          context: { 'aws:TagKeys': tags },
        });
      }
      return checks;
    },
  },
  dynamodb: { prefix: 'dynamodb', checks: dynamoDbChecks },
  events: { prefix: 'events', checks: eventsChecks },
  scheduler: { prefix: 'scheduler', checks: schedulerChecks },
  secretsmanager: { prefix: 'secretsmanager', checks: secretsChecks },
  monitoring: { prefix: 'cloudwatch', checks: cloudWatchChecks },
  'vpc-lattice': { prefix: 'vpc-lattice', checks: vpcLatticeChecks },
  sts: {
    prefix: 'sts',
    // GetCallerIdentity needs no permission: even an explicit Deny cannot refuse it. Assuming
    // a role is authorized on that role's ARN (its trust policy is STS's own check).
    checks: (r) => {
      if (r.operation === 'GetCallerIdentity') return [];
      if (r.operation === 'AssumeRole') return one(r, 'sts', r.input.string('RoleArn'));
      return undefined;
    },
  },
};

/**
 * The checks a request needs, or undefined when the edge should leave the request to the
 * service (an operation it cannot name, which the service refuses on its own).
 */
export function checksOf(
  req: LocalRequest,
  operation: string | undefined,
  account: string,
  lookups: ResourceLookups = {},
): AuthorizationCheck[] | undefined {
  if (operation === undefined) return undefined;
  const entry = SERVICE_AUTHORIZATION[req.service];
  const prefix = entry?.prefix ?? req.service;
  const request: ServiceRequest = {
    req,
    operation,
    input: requestInput(req),
    region: req.region,
    account,
    lookups,
  };
  const checks = entry?.checks?.(request) ?? [{ action: `${prefix}:${operation}`, resource: '*' }];
  return checks.map((check) => withResourceTags(check, lookups));
}

function withResourceTags(check: AuthorizationCheck, lookups: ResourceLookups): AuthorizationCheck {
  const tags = check.resource === '*' ? undefined : lookups.resourceTags?.(check.resource);
  if (tags === undefined) return check;
  const context = Object.fromEntries(
    Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]),
  );
  return { ...check, context: { ...context, ...check.context } };
}
