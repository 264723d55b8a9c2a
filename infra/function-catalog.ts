import { CONSOLE_ROUTES } from '../shared/console-api/route-keys';
import {
  APPROVAL_SWEEP_SCHEDULE,
  acmApproachingExpirationPattern,
  alarmStateChangesPattern,
  approvalDecidedPattern,
  approvalRequestedPattern,
  caRolloverAwaitingApprovalPattern,
  caRolloverDecidedPattern,
  DAILY_AUDIT_SCHEDULE,
  DAILY_CERT_ROTATION_SCHEDULE,
  deploymentApprovalDecidedPattern,
  type NamedPattern,
  type NamedSchedule,
  webIdentitySessionsPattern,
} from '../shared/events/patterns';
import { PROVIDERS } from '../shared/providers/registry';

/**
 * Every meshwarden function and what triggers it: the single list the CDK stack deploys
 * and the local runtime runs. Adding a function is one entry here plus its handler.
 */

/** Which bus a pattern trigger listens on: AWS's default bus (service events) or meshwarden's own. */
export type BusName = 'default' | 'meshwarden';

export type Trigger =
  | { readonly kind: 'pattern'; readonly bus: BusName; readonly pattern: NamedPattern }
  | { readonly kind: 'schedule'; readonly schedule: NamedSchedule }
  /**
   * An API Gateway HTTP API route, e.g. `POST /slack/interactions`. `jwt`: behind the JWT
   * authorizer (an OIDC bearer token is verified before the function is invoked). `none`: a
   * public page route (static files, the sign-in configuration). Absent: the function verifies
   * each request itself (Slack's signature).
   */
  | { readonly kind: 'http'; readonly route: string; readonly authorizer?: 'jwt' | 'none' };

/** One trigger per provider on AWS's default bus: its every mutating call, or its route writes. */
function providerTriggers(which: 'mutations' | 'routeChanges'): Trigger[] {
  return PROVIDERS.map((p) => ({ kind: 'pattern', bus: 'default', pattern: p.patterns[which] }));
}

/** The AWS permissions a function needs, by capability; the stack turns them into least-privilege statements. */
export type Capability =
  | 'mesh:read'
  | 'mesh:write'
  | 'events:publish'
  | 'table:read'
  | 'table:write'
  /** dynamodb:Query on the table's audit-by-time index: the decisions of every mesh, in time order. */
  | 'table:read-audit-index'
  | 'alarms:read'
  /**
   * The VPC Lattice calls of the deployment guard on this account's services: read and write one
   * rule or listener default action, resolve names and service network associations.
   */
  | 'lattice:routes'
  /**
   * The VPC Lattice calls of change control: find what a call changed (service, listener, rule,
   * service network, auth policy, target group reads), and restore rules, listener default
   * actions and auth policies (UpdateRule, DeleteRule, UpdateListener, Put/DeleteAuthPolicy).
   */
  /** `lattice:routes`, granted only when the policy governs a service network. */
  | 'lattice:governed-routes'
  | 'lattice:change-control'
  /**
   * Re-apply an approved held VPC Lattice change: read and write back one rule, listener default
   * action or auth policy (GetRule/UpdateRule, GetListener/UpdateListener, Get/Put/DeleteAuthPolicy).
   */
  | 'lattice:reapply'
  /**
   * Read VPC Lattice service networks whole (the audit): networks, services, listeners, rules,
   * target groups, auth policies, associations. Granted only when the policy governs a network.
   */
  | 'lattice:read-networks'
  /**
   * Read the certificates of VPC Lattice service networks (certificate rotation): find a network
   * by name, its services (ListServiceNetworks, ListServiceNetworkServiceAssociations), each
   * service's certificate (GetService) and its listeners' protocols (ListListeners). Granted only
   * when the policy governs a network.
   */
  | 'lattice:read-certificates'
  | 'pca:issue'
  /** acm-pca:DescribeCertificateAuthority and GetCertificateAuthorityCertificate on the configured CAs. */
  | 'pca:read'
  | 'acm:import'
  /** Renew, request, read and delete ACM private certificates (rotation of listener certificates). */
  | 'acm:manage-private'
  /** acm:DescribeCertificate: the issuing CA of a listener certificate (change control's tls.allowed-ca). */
  | 'acm:describe'
  | 'secrets:read-slack'
  | 'secrets:write-certificates'
  | 'scheduler:manage'
  /**
   * cloudwatch:DescribeAlarms and cloudwatch:ListTagsForResource on every alarm of the account
   * and region: the deployment guard finds alarms bound by their `meshwarden:route` tag, which
   * are not known at synth time.
   */
  | 'alarms:discover'
  /**
   * kms:GenerateDataKey and kms:Decrypt on the key that seals private keys while their rotation
   * is pending, granted by that key's own policy to this function's role alone.
   */
  | 'kms:pending-keys';

export interface FunctionDefinition {
  /** kebab-case; the folder under `functions/` and the deployed function's name suffix. */
  readonly name: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly triggers: readonly Trigger[];
  readonly capabilities: readonly Capability[];
  /**
   * Static files the function serves, from the repository root: copied into its bundle under
   * the folder's own name, which {@link ASSETS_DIR_ENV} names (locally: the source folder).
   */
  readonly assets?: string;
}

/** The environment variable naming the folder of a function's static files. */
export const ASSETS_DIR_ENV = 'MESHWARDEN_ASSETS_DIR';

/** Every function's handler is `functions/<name>/handler.ts`, exporting `handler`. */
export const FUNCTIONS_DIR = 'functions';

/** The handler module of a function, from the repository root. */
export function entryOf(definition: Pick<FunctionDefinition, 'name'>): string {
  return `${FUNCTIONS_DIR}/${definition.name}/handler.ts`;
}

export const FUNCTIONS: readonly FunctionDefinition[] = [
  {
    name: 'mesh-audit',
    description:
      'Judges every governed mesh whole against the policy on a schedule: drift, inventory, last known good, dangling policy references',
    timeoutSeconds: 300,
    memoryMb: 1024,
    triggers: [{ kind: 'schedule', schedule: DAILY_AUDIT_SCHEDULE }],
    capabilities: [
      'mesh:read',
      // The policy's `provider: vpc-lattice` entries: their service networks are audited too.
      'lattice:read-networks',
      'acm:describe',
      'events:publish',
      'table:read',
      'table:write',
      // The policy's alarm references and meshwarden:route tags are resolved against every alarm.
      'alarms:discover',
      'lattice:read-networks',
      'secrets:read-slack',
    ],
  },
  {
    name: 'mesh-change',
    description:
      'Judges every App Mesh and VPC Lattice write (CloudTrail) against the policy: keep, revert, hold or report; learns OIDC sessions',
    timeoutSeconds: 60,
    memoryMb: 1024,
    triggers: [
      ...providerTriggers('mutations'),
      { kind: 'pattern', bus: 'default', pattern: webIdentitySessionsPattern },
    ],
    capabilities: [
      'mesh:read',
      'mesh:write',
      'acm:describe',
      'events:publish',
      'table:read',
      'table:write',
      'lattice:change-control',
      'secrets:read-slack',
    ],
  },
  {
    name: 'deployment-guard',
    description:
      'Guards weighted route deployments: rolls back on a bound CloudWatch alarm, steps progressive ones (Scheduler), promotes on approval',
    timeoutSeconds: 60,
    memoryMb: 1024,
    triggers: [
      ...providerTriggers('routeChanges'),
      { kind: 'pattern', bus: 'default', pattern: alarmStateChangesPattern },
      { kind: 'pattern', bus: 'meshwarden', pattern: deploymentApprovalDecidedPattern },
    ],
    capabilities: [
      'mesh:read',
      'mesh:write',
      'events:publish',
      'table:read',
      'table:write',
      'alarms:read',
      'alarms:discover',
      'lattice:routes',
      'scheduler:manage',
      'secrets:read-slack',
    ],
  },
  {
    name: 'cert-rotation',
    description:
      'Rotates mesh certificates from AWS Private CA before they expire (daily, on ACM expiry notices) and runs CA rollovers',
    timeoutSeconds: 900,
    memoryMb: 1024,
    triggers: [
      { kind: 'schedule', schedule: DAILY_CERT_ROTATION_SCHEDULE },
      { kind: 'pattern', bus: 'default', pattern: acmApproachingExpirationPattern },
      { kind: 'pattern', bus: 'meshwarden', pattern: caRolloverDecidedPattern },
      { kind: 'pattern', bus: 'meshwarden', pattern: caRolloverAwaitingApprovalPattern },
    ],
    capabilities: [
      'mesh:read',
      'mesh:write',
      'events:publish',
      'table:read',
      'table:write',
      'pca:issue',
      'acm:import',
      'acm:manage-private',
      // The policy's `provider: vpc-lattice` entries: their services' certificates are renewed too.
      'lattice:read-certificates',
      'secrets:write-certificates',
      'secrets:read-slack',
      'kms:pending-keys',
    ],
  },
  {
    name: 'slack-callback',
    description:
      'Slack interaction callback: verifies the signature, checks the approver, records the first decision, publishes ApprovalDecided',
    // Slack waits 3 s for the answer; the rest is room for a cold start's first secret read.
    timeoutSeconds: 10,
    memoryMb: 1024,
    triggers: [{ kind: 'http', route: 'POST /slack/interactions' }],
    capabilities: ['table:read', 'table:write', 'events:publish', 'secrets:read-slack'],
  },
  {
    name: 'console-api',
    description:
      "meshwarden's HTTP API: meshes, deployments, decisions and approvals; promote, abort, roll back, approve, reject under the api policy",
    // API Gateway answers within 30 s; a promotion reads the route and its alarms, then writes.
    timeoutSeconds: 29,
    memoryMb: 1024,
    // The console page (HTML, one JS module, CSS), served by the page routes below.
    assets: 'functions/console-api/page',
    // The page's routes carry no token; every /api/* route is behind the JWT authorizer.
    triggers: CONSOLE_ROUTES.map(
      (r) =>
        ({
          kind: 'http',
          route: r.key,
          ...(r.authorizer === 'jwt' ? { authorizer: 'jwt' } : { authorizer: 'none' }),
        }) as const,
    ),
    capabilities: [
      'mesh:read',
      'mesh:write',
      'table:read',
      'table:write',
      'table:read-audit-index',
      'events:publish',
      // A promotion is refused while a bound alarm is in ALARM, as at the CLI.
      'alarms:read',
      'alarms:discover',
      // The certificate list: ACM certificates and the CAs trusted, by expiry.
      'acm:describe',
      'pca:read',
      // The policy's service networks: their graph read whole, their deployments' rules read and written.
      'lattice:read-networks',
      'lattice:governed-routes',
    ],
  },
  {
    name: 'approval-executor',
    description:
      'Posts approval requests in Slack, re-applies approved held changes, updates the messages, closes expired approvals',
    timeoutSeconds: 60,
    memoryMb: 512,
    triggers: [
      { kind: 'pattern', bus: 'meshwarden', pattern: approvalRequestedPattern },
      { kind: 'pattern', bus: 'meshwarden', pattern: approvalDecidedPattern },
      { kind: 'schedule', schedule: APPROVAL_SWEEP_SCHEDULE },
    ],
    capabilities: [
      'mesh:read',
      'mesh:write',
      // Approved held VPC Lattice changes are re-applied as meshwarden's own writes.
      'lattice:reapply',
      'table:read',
      'table:write',
      'events:publish',
      'secrets:read-slack',
    ],
  },
];

/**
 * EventBridge's retries of a rule target it cannot invoke (throttled, function being
 * updated); after them the event goes to the target's DLQ.
 */
export const RULE_DELIVERY_RETRY = { retryAttempts: 8, maxEventAgeSeconds: 2 * 60 * 60 } as const;

/**
 * Lambda's retries of an asynchronous invocation whose handler threw (two is Lambda's
 * maximum); after them the event goes to the function's failure destination. An event older
 * than six hours is stale for a governance decision. The local bus applies this policy to
 * handler failures, which is what it emulates.
 */
export const ASYNC_INVOKE_RETRY = { retryAttempts: 2, maxEventAgeSeconds: 6 * 60 * 60 } as const;
