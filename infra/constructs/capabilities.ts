import { Annotations, ArnFormat, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { TABLE } from '../../shared/adapters/dynamodb/table';
import type { Capability } from '../function-catalog';
import { acknowledgeWildcardResource } from './nag';
import { CERTIFICATE_SECRET_PREFIX } from './names';
import { PENDING_KEY_ARN_ENV, pendingKeyUseStatement } from './pending-keys';

/**
 * The one place where a catalog capability becomes IAM: each capability maps to the actions
 * it needs on exactly the resources meshwarden governs. A capability added to the catalog
 * type without a mapping here fails type checking (the map is a total Record).
 */

/** The App Mesh calls the App Mesh adapter makes to read a mesh whole. */
export const APPMESH_READ_ACTIONS = [
  'appmesh:DescribeMesh',
  'appmesh:DescribeVirtualNode',
  'appmesh:DescribeVirtualService',
  'appmesh:DescribeVirtualRouter',
  'appmesh:DescribeRoute',
  'appmesh:DescribeVirtualGateway',
  'appmesh:DescribeGatewayRoute',
  'appmesh:ListVirtualNodes',
  'appmesh:ListVirtualServices',
  'appmesh:ListVirtualRouters',
  'appmesh:ListRoutes',
  'appmesh:ListVirtualGateways',
  'appmesh:ListGatewayRoutes',
  'appmesh:ListTagsForResource',
] as const;

/**
 * The App Mesh writes meshwarden makes (reverts, weight shifts, certificate roll-outs).
 * CreateMesh and DeleteMesh are left out on purpose: meshwarden governs meshes, it never
 * creates or removes one.
 */
export const APPMESH_WRITE_ACTIONS = [
  'appmesh:UpdateMesh',
  ...['VirtualNode', 'VirtualService', 'VirtualRouter', 'Route', 'VirtualGateway', 'GatewayRoute'].flatMap(
    (kind) => [`appmesh:Create${kind}`, `appmesh:Update${kind}`, `appmesh:Delete${kind}`],
  ),
  'appmesh:TagResource',
  'appmesh:UntagResource',
] as const;

/** The VPC Lattice calls the guard's Lattice routes make on a rule or a listener's default action. */
export const LATTICE_ROUTE_ACTIONS = [
  'vpc-lattice:GetRule',
  'vpc-lattice:UpdateRule',
  'vpc-lattice:GetListener',
  'vpc-lattice:UpdateListener',
  'vpc-lattice:GetService',
  // The stable-target tag of a rule, read when a rule change is observed.
  'vpc-lattice:ListTagsForResource',
] as const;

/** The VPC Lattice reads of the audit, which reads a service network whole. */
export const LATTICE_READ_ACTIONS = [
  'vpc-lattice:GetServiceNetwork',
  'vpc-lattice:GetService',
  'vpc-lattice:GetListener',
  'vpc-lattice:GetRule',
  'vpc-lattice:GetTargetGroup',
  'vpc-lattice:GetAuthPolicy',
] as const;

/** Lattice List actions take no resource (the Service Authorization Reference lists none). */
export const LATTICE_LIST_ACTIONS = [
  'vpc-lattice:ListServiceNetworks',
  'vpc-lattice:ListServiceNetworkServiceAssociations',
  'vpc-lattice:ListServiceNetworkVpcAssociations',
  'vpc-lattice:ListListeners',
  'vpc-lattice:ListRules',
] as const;

/**
 * The List actions of certificate rotation's read of a service network: which network has the
 * name, its services, and each service's listeners (their summaries say protocol and port).
 */
export const LATTICE_CERTIFICATE_LIST_ACTIONS = [
  'vpc-lattice:ListServiceNetworks',
  'vpc-lattice:ListServiceNetworkServiceAssociations',
  'vpc-lattice:ListListeners',
] as const;

/** The resources capabilities are granted on, created by (or known to) the stack. */
export interface CapabilityResources {
  /** `arn:...:appmesh:REGION:ACCOUNT:mesh/NAME` of each governed mesh in this account. */
  readonly meshArns: readonly string[];
  /** The VPC Lattice service networks the policy governs (its `provider: vpc-lattice` entries). */
  readonly serviceNetworks?: readonly string[];
  /** The role meshwarden assumes in each member account. */
  readonly memberRoleArns: readonly string[];
  readonly table: dynamodb.ITable;
  readonly bus: events.IEventBus;
  /** The alarms bound to deployments: their ARNs, and the bindings as JSON for the functions. */
  readonly alarms: { readonly arns: readonly string[]; readonly bindingsJson: string };
  readonly certificateAuthorityArns: readonly string[];
  readonly slack: {
    readonly secret: secretsmanager.ISecret;
    readonly channelIds: readonly string[];
  };
  readonly scheduler: {
    readonly group: scheduler.IScheduleGroup;
    /** The role EventBridge Scheduler runs deployment steps with. */
    readonly role: iam.IRole;
    readonly deadLetterQueue: sqs.IQueue;
  };
  /** The key that seals private keys while their rotation is pending (its policy names its users). */
  readonly pendingKeys: kms.Key;
}

/** What one capability adds to a role. */
interface Grant {
  readonly statements: readonly iam.PolicyStatement[];
  /** Wildcard resources among the statements, each with why no narrower ARN exists. */
  readonly wildcards?: readonly { readonly resource: string; readonly reason: string }[];
  /** Names and ARNs the function needs to find what it was granted (never secret values). */
  readonly environment?: Readonly<Record<string, string>>;
  /** Why the capability was granted nothing (shown as a synth warning). */
  readonly empty?: string;
}

type GrantFactory = (resources: CapabilityResources, stack: Stack, role: iam.Role) => Grant;

/** Why a governed mesh's resources are granted with a wildcard below the mesh ARN. */
export const MESH_WILDCARD_REASON =
  'Every resource inside one governed mesh: virtual nodes, routes and the rest are created by the mesh owners after deploy, so their names cannot be listed here. Scoped to the governed mesh.';

/** A mesh ARN and everything below it (`mesh/NAME/virtualNode/...`). */
export function meshResources(meshArns: readonly string[]): string[] {
  return meshArns.flatMap((arn) => [arn, `${arn}/*`]);
}

function meshWildcards(meshArns: readonly string[]) {
  return meshArns.map((arn) => ({
    resource: `${arn}/*`,
    reason: MESH_WILDCARD_REASON,
  }));
}

function assumeMemberRoles(memberRoleArns: readonly string[]): iam.PolicyStatement[] {
  if (memberRoleArns.length === 0) return [];
  return [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [...memberRoleArns] })];
}

function memberRolesEnvironment(memberRoleArns: readonly string[]): Record<string, string> {
  return memberRoleArns.length === 0 ? {} : { MESHWARDEN_MEMBER_ROLE_ARNS: memberRoleArns.join(',') };
}

/** Every VPC Lattice resource of one type in this account and region (`service/*`, ...). */
function latticeArns(stack: Stack, resource: string): string {
  return stack.formatArn({
    service: 'vpc-lattice',
    resource,
    resourceName: '*',
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

const GRANTS: Readonly<Record<Capability, GrantFactory>> = {
  'mesh:read': (r) => ({
    statements: [
      new iam.PolicyStatement({ actions: [...APPMESH_READ_ACTIONS], resources: meshResources(r.meshArns) }),
      ...assumeMemberRoles(r.memberRoleArns),
    ],
    wildcards: meshWildcards(r.meshArns),
    environment: memberRolesEnvironment(r.memberRoleArns),
  }),
  'mesh:write': (r) => ({
    statements: [
      new iam.PolicyStatement({ actions: [...APPMESH_WRITE_ACTIONS], resources: meshResources(r.meshArns) }),
      ...assumeMemberRoles(r.memberRoleArns),
    ],
    wildcards: meshWildcards(r.meshArns),
    environment: memberRolesEnvironment(r.memberRoleArns),
  }),
  'events:publish': (r) => ({
    statements: [new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [r.bus.eventBusArn] })],
  }),
  'table:read': (r) => ({
    statements: [
      new iam.PolicyStatement({
        // BatchGetItem: change control sends the item reads of one event as one batch. No
        // ConditionCheckItem: no transaction has a ConditionCheck action.
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
        resources: [r.table.tableArn],
      }),
    ],
  }),
  'table:read-audit-index': (r) => ({
    statements: [
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${r.table.tableArn}/index/${TABLE.auditIndex.name}`],
      }),
    ],
  }),
  'table:write': (r) => ({
    statements: [
      new iam.PolicyStatement({
        // There is no TransactWriteItems action: IAM checks each action of a transaction as the
        // single-item write it stands for (change control commits a decision as one).
        actions: [
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
        ],
        resources: [r.table.tableArn],
      }),
    ],
  }),
  'alarms:read': (r) =>
    r.alarms.arns.length === 0
      ? { statements: [], empty: 'no alarm is bound (meshwarden:alarmBindings), so there is none to read' }
      : {
          statements: [
            new iam.PolicyStatement({
              actions: ['cloudwatch:DescribeAlarms'],
              resources: [...r.alarms.arns],
            }),
          ],
          environment: { MESHWARDEN_ALARM_BINDINGS: r.alarms.bindingsJson },
        },
  'pca:issue': (r) =>
    r.certificateAuthorityArns.length === 0
      ? {
          statements: [],
          empty: 'no issuing CA is configured (meshwarden:certificateAuthorityArns), so it may issue nothing',
        }
      : {
          statements: [
            new iam.PolicyStatement({
              actions: [
                'acm-pca:IssueCertificate',
                'acm-pca:GetCertificate',
                'acm-pca:GetCertificateAuthorityCertificate',
                'acm-pca:DescribeCertificateAuthority',
              ],
              resources: [...r.certificateAuthorityArns],
            }),
          ],
          environment: { MESHWARDEN_CERTIFICATE_AUTHORITY_ARNS: r.certificateAuthorityArns.join(',') },
        },
  'pca:read': (r) =>
    r.certificateAuthorityArns.length === 0
      ? {
          statements: [],
          empty: 'no CA is configured (meshwarden:certificateAuthorityArns), so there is none to read',
        }
      : {
          statements: [
            new iam.PolicyStatement({
              actions: ['acm-pca:GetCertificateAuthorityCertificate', 'acm-pca:DescribeCertificateAuthority'],
              resources: [...r.certificateAuthorityArns],
            }),
          ],
        },
  'acm:import': (_r, stack) => {
    const certificates = stack.formatArn({ service: 'acm', resource: 'certificate', resourceName: '*' });
    return {
      statements: [
        new iam.PolicyStatement({
          actions: ['acm:ImportCertificate', 'acm:DescribeCertificate', 'acm:AddTagsToCertificate'],
          resources: [certificates],
        }),
      ],
      wildcards: [
        {
          resource: certificates,
          reason:
            'ACM assigns a certificate its id when it is first imported, so a rotated certificate has no ARN to name in advance. Limited to ACM certificates in this account and region.',
        },
      ],
    };
  },
  'acm:manage-private': (_r, stack) => {
    const certificates = stack.formatArn({ service: 'acm', resource: 'certificate', resourceName: '*' });
    return {
      statements: [
        new iam.PolicyStatement({
          actions: [
            'acm:DescribeCertificate',
            'acm:GetCertificate',
            'acm:RenewCertificate',
            'acm:AddTagsToCertificate',
            'acm:DeleteCertificate',
          ],
          resources: [certificates],
        }),
        // RequestCertificate names no resource: the certificate does not exist yet.
        new iam.PolicyStatement({ actions: ['acm:RequestCertificate'], resources: ['*'] }),
      ],
      wildcards: [
        {
          resource: '*',
          reason:
            'acm:RequestCertificate supports no resource-level permission; the CA it issues from is limited by the acm-pca statements.',
        },
        {
          resource: certificates,
          reason:
            'Listener certificates are ACM private certificates chosen after deploy, and a rotation that changes CA or names requests a new one whose ARN ACM assigns. Limited to ACM certificates in this account and region; only certificates rotation replaced are ever deleted.',
        },
      ],
    };
  },
  'acm:describe': (_r, stack) => {
    const certificates = stack.formatArn({ service: 'acm', resource: 'certificate', resourceName: '*' });
    return {
      statements: [
        new iam.PolicyStatement({
          actions: ['acm:DescribeCertificate', 'acm:ListTagsForCertificate'],
          resources: [certificates],
        }),
      ],
      wildcards: [
        {
          resource: certificates,
          reason:
            'Mesh owners pick the listener certificates after deploy; change control reads the issuing CA of whichever one a listener names. Read-only, this account and region.',
        },
      ],
    };
  },
  'alarms:discover': (_r, stack) => {
    const alarms = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    return {
      statements: [
        new iam.PolicyStatement({
          actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'],
          resources: [alarms],
        }),
      ],
      wildcards: [
        {
          resource: alarms,
          reason:
            'Alarms bind themselves to a route with the meshwarden:route tag after deploy, so their names are not known at synth. Read-only, this account and region.',
        },
      ],
    };
  },
  'lattice:routes': (_r, stack) => {
    // Rules and listeners live below their service's ARN (service/svc-…/listener/…/rule/…).
    const services = latticeArns(stack, 'service');
    const targetGroups = latticeArns(stack, 'targetgroup');
    const reason =
      'VPC Lattice services, listeners, rules and target groups get generated ids when their owners create them after deploy, so they cannot be named at synth; the guard reads and writes only rules of the service networks its policy names. This account and region.';
    return {
      statements: [
        new iam.PolicyStatement({ actions: [...LATTICE_ROUTE_ACTIONS], resources: [services, targetGroups] }),
        // Which service networks a changed rule's service is in: List* actions take no resource.
        new iam.PolicyStatement({
          actions: ['vpc-lattice:ListServiceNetworkServiceAssociations'],
          resources: ['*'],
        }),
      ],
      wildcards: [
        ...[services, targetGroups].map((resource) => ({ resource, reason })),
        {
          resource: '*',
          reason:
            'vpc-lattice:ListServiceNetworkServiceAssociations is a List action without resource-level permissions; it reads which service networks a service is associated with, nothing else.',
        },
      ],
    };
  },
  // The guard's Lattice route calls for a function that acts on deployments only on request (the
  // HTTP API): without a Lattice entry in the policy there is no Lattice deployment to act on.
  'lattice:governed-routes': (r, stack, role) =>
    (r.serviceNetworks ?? []).length === 0 ? { statements: [] } : GRANTS['lattice:routes'](r, stack, role),
  'lattice:change-control': (_r, stack) => {
    // Rules and listeners live below their service's ARN (service/svc-…/listener/…/rule/…).
    const services = latticeArns(stack, 'service');
    const networks = latticeArns(stack, 'servicenetwork');
    const targetGroups = latticeArns(stack, 'targetgroup');
    const reason =
      'VPC Lattice services, service networks and target groups get generated ids when their owners create them after deploy, so they cannot be named at synth; change control reads what a CloudTrail record names and restores rules, listener default actions and auth policies of the service networks its policy names. This account and region.';
    return {
      statements: [
        new iam.PolicyStatement({
          actions: [...LATTICE_READ_ACTIONS],
          resources: [services, networks, targetGroups],
        }),
        new iam.PolicyStatement({
          actions: ['vpc-lattice:UpdateRule', 'vpc-lattice:DeleteRule', 'vpc-lattice:UpdateListener'],
          resources: [services],
        }),
        new iam.PolicyStatement({
          actions: ['vpc-lattice:PutAuthPolicy', 'vpc-lattice:DeleteAuthPolicy'],
          resources: [services, networks],
        }),
        // Which networks a service is in, and a network read whole for its first sight: List*.
        new iam.PolicyStatement({ actions: [...LATTICE_LIST_ACTIONS], resources: ['*'] }),
      ],
      wildcards: [
        ...[services, networks, targetGroups].map((resource) => ({ resource, reason })),
        {
          resource: '*',
          reason:
            'VPC Lattice List actions (service networks, their associations, listeners, rules) are granted without resource-level permissions; they read which resources a network holds, nothing else.',
        },
      ],
    };
  },
  'lattice:reapply': (_r, stack) => {
    // Rules and listeners live below their service's ARN (service/svc-…/listener/…/rule/…).
    const services = latticeArns(stack, 'service');
    const networks = latticeArns(stack, 'servicenetwork');
    const reason =
      'VPC Lattice services and service networks get generated ids when their owners create them after deploy, so they cannot be named at synth; the approval executor reads and writes back only the rule, listener default action or auth policy a person approved. This account and region.';
    return {
      statements: [
        new iam.PolicyStatement({
          actions: [
            'vpc-lattice:GetRule',
            'vpc-lattice:UpdateRule',
            'vpc-lattice:GetListener',
            'vpc-lattice:UpdateListener',
          ],
          resources: [services],
        }),
        new iam.PolicyStatement({
          actions: ['vpc-lattice:GetAuthPolicy', 'vpc-lattice:PutAuthPolicy', 'vpc-lattice:DeleteAuthPolicy'],
          resources: [services, networks],
        }),
      ],
      wildcards: [services, networks].map((resource) => ({ resource, reason })),
    };
  },
  'lattice:read-networks': (r, stack) => {
    // Without a Lattice entry in the policy, the audit reads no service network: grant nothing.
    if ((r.serviceNetworks ?? []).length === 0) return { statements: [] };
    // Listeners and rules live below their service's ARN (service/svc-…/listener/…/rule/…).
    const arns = [
      latticeArns(stack, 'servicenetwork'),
      latticeArns(stack, 'service'),
      latticeArns(stack, 'targetgroup'),
    ];
    const reason =
      'VPC Lattice names service networks, services and target groups by generated ids, not by the names the policy uses, so they cannot be listed at synth; read-only, this account and region.';
    return {
      statements: [
        new iam.PolicyStatement({ actions: [...LATTICE_READ_ACTIONS], resources: arns }),
        new iam.PolicyStatement({ actions: [...LATTICE_LIST_ACTIONS], resources: ['*'] }),
      ],
      wildcards: [
        ...arns.map((resource) => ({ resource, reason })),
        {
          resource: '*',
          reason:
            'VPC Lattice List actions have no resource-level permissions; the audit lists service networks, their associations, listeners and rules to read a governed network whole.',
        },
      ],
    };
  },
  'lattice:read-certificates': (r, stack) => {
    // Without a Lattice entry in the policy, rotation reads no service network: grant nothing.
    if ((r.serviceNetworks ?? []).length === 0) return { statements: [] };
    const services = latticeArns(stack, 'service');
    return {
      statements: [
        new iam.PolicyStatement({ actions: ['vpc-lattice:GetService'], resources: [services] }),
        new iam.PolicyStatement({ actions: [...LATTICE_CERTIFICATE_LIST_ACTIONS], resources: ['*'] }),
      ],
      wildcards: [
        {
          resource: services,
          reason:
            'VPC Lattice names services by generated ids, not by the names the policy uses, so they cannot be listed at synth; certificate rotation reads only which ACM certificate each service of a governed network serves. Read-only, this account and region.',
        },
        {
          resource: '*',
          reason:
            "VPC Lattice List actions have no resource-level permissions; certificate rotation lists service networks, their service associations and the services' listeners to find the certificates a governed network serves.",
        },
      ],
    };
  },
  'secrets:read-slack': (r) => ({
    statements: [
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [r.slack.secret.secretArn],
      }),
    ],
    environment: {
      MESHWARDEN_SLACK_SECRET: r.slack.secret.secretArn,
      ...(r.slack.channelIds.length === 0
        ? {}
        : { MESHWARDEN_SLACK_CHANNEL_IDS: r.slack.channelIds.join(',') }),
    },
  }),
  'secrets:write-certificates': (_r, stack) => {
    const secrets = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${CERTIFICATE_SECRET_PREFIX}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    return {
      statements: [
        new iam.PolicyStatement({
          actions: [
            'secretsmanager:CreateSecret',
            'secretsmanager:PutSecretValue',
            // To read when the delivered certificate expires, and resume a rotation after a crash.
            'secretsmanager:GetSecretValue',
          ],
          resources: [secrets],
        }),
      ],
      environment: { MESHWARDEN_CERTIFICATE_SECRET_PREFIX: CERTIFICATE_SECRET_PREFIX },
      wildcards: [
        {
          resource: secrets,
          reason: `One secret per rotated certificate, named at rotation time; limited to the ${CERTIFICATE_SECRET_PREFIX} prefix (Secrets Manager also appends a random suffix to every secret ARN).`,
        },
      ],
    };
  },
  'scheduler:manage': (r, stack) => {
    const schedules = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${r.scheduler.group.scheduleGroupName}/*`,
    });
    return {
      statements: [
        new iam.PolicyStatement({
          actions: [
            // Steps are created and deleted, never read back or updated.
            'scheduler:CreateSchedule',
            'scheduler:DeleteSchedule',
          ],
          resources: [schedules],
        }),
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [r.scheduler.role.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      ],
      environment: {
        MESHWARDEN_SCHEDULE_GROUP: r.scheduler.group.scheduleGroupName,
        MESHWARDEN_SCHEDULER_ROLE_ARN: r.scheduler.role.roleArn,
        MESHWARDEN_SCHEDULER_DLQ_ARN: r.scheduler.deadLetterQueue.queueArn,
      },
      wildcards: [
        {
          resource: schedules,
          reason:
            'One schedule per deployment step, named when the deployment starts; limited to meshwarden’s own schedule group.',
        },
      ],
    };
  },
  'kms:pending-keys': (r, _stack, role) => {
    // Granted in the key policy, naming this role: no IAM policy of any other role can grant it.
    r.pendingKeys.addToResourcePolicy(
      iam.PolicyStatement.fromJson({
        ...pendingKeyUseStatement([role.roleArn]),
        Sid: `meshwarden-seal-pending-private-keys-${role.node.id}`,
      }),
    );
    return { statements: [], environment: { [PENDING_KEY_ARN_ENV]: r.pendingKeys.keyArn } };
  },
};

/**
 * Add the statements of every capability to `role`, acknowledge (with its reason) each
 * wildcard a capability cannot avoid, and warn about capabilities that grant nothing
 * because their resources are not configured.
 *
 * @returns the environment variables that tell the function where its resources are.
 */
export function grantCapabilities(
  role: iam.Role,
  capabilities: readonly Capability[],
  resources: CapabilityResources,
  warnOn: IConstruct,
): Record<string, string> {
  const stack = Stack.of(role);
  const environment: Record<string, string> = {};
  for (const capability of new Set(capabilities)) {
    const grant = GRANTS[capability](resources, stack, role);
    for (const statement of grant.statements) role.addToPrincipalPolicy(statement);
    for (const wildcard of grant.wildcards ?? []) {
      acknowledgeWildcardResource(role, wildcard.resource, wildcard.reason);
    }
    Object.assign(environment, grant.environment);
    if (grant.empty !== undefined) {
      Annotations.of(warnOn).addWarningV2(
        `meshwarden:capability-unused:${capability}`,
        `${capability} grants nothing: ${grant.empty}`,
      );
    }
  }
  return environment;
}
