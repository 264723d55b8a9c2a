/**
 * The migration plan's data model: what `meshwarden migrate plan` proposes for VPC Lattice, as
 * plain JSON-serialisable data. It is the contract between the planner (translation, parity,
 * simulation) and `migrate apply` / `migrate shift`, which create exactly these resources; change
 * it additively only. Target groups are referenced by name (not id or ARN) because the plan is
 * made before anything exists in Lattice; apply resolves names to ids when it creates them.
 * Every item carries `source`: the App Mesh resource(s) it was translated from, so a reviewer
 * (and a report) can trace each Lattice resource back.
 */
import type { ResourceKind } from '../domain/resource-key';

/** Where an item of the plan comes from in App Mesh. */
export interface SourceRef {
  readonly kind: ResourceKind;
  readonly meshName: string;
  readonly name: string;
  /** The virtual router (for a route) or virtual gateway (for a gateway route). */
  readonly parentName?: string;
  /** A member inside the resource, e.g. `listeners[0]` or `spec.httpRoute.match.headers[1]`. */
  readonly path?: string;
}

/** How callers authenticate to a service or network (Lattice `authType`). */
export type LatticeAuthType = 'NONE' | 'AWS_IAM';
export type LatticeListenerProtocol = 'HTTP' | 'HTTPS' | 'TLS_PASSTHROUGH';
export type LatticeTargetGroupType = 'IP' | 'INSTANCE' | 'LAMBDA' | 'ALB';
export type LatticeTargetProtocol = 'HTTP' | 'HTTPS' | 'TCP';
export type LatticeProtocolVersion = 'HTTP1' | 'HTTP2' | 'GRPC';

/** An IAM policy document (the auth policy of a service or network). */
export interface AuthPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly AuthPolicyStatement[];
}
export interface AuthPolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  /** `{ AWS: [role ARNs] }`, or `'*'` when callers could not be mapped to principals. */
  readonly Principal: '*' | { readonly AWS: readonly string[] };
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** One planned caller of a service, and how it was resolved to an IAM principal. */
export interface PlannedCaller {
  /** The App Mesh virtual node (or, with `kind: 'virtual-gateway'`, gateway) that calls the service today. */
  readonly virtualNode: string;
  /** What the caller is in App Mesh; a virtual node when absent. */
  readonly kind?: 'virtual-node' | 'virtual-gateway';
  /** Why it is allowed: a node backend, the policy's access graph, or both. */
  readonly via: readonly ('backend' | 'policy')[];
  /** The IAM role ARN the policy maps this caller to; absent when it maps none. */
  readonly principalArn?: string;
}

export interface PlannedAuth {
  readonly authType: LatticeAuthType;
  /** Absent when authType is NONE. */
  readonly policy?: AuthPolicyDocument;
  readonly callers: readonly PlannedCaller[];
  /** Callers with no IAM principal, said plainly (the policy then allows any principal in the network). */
  readonly unmappedCallers: readonly string[];
}

/** The service network the services join. */
export interface PlannedServiceNetwork {
  readonly name: string;
  readonly authType: LatticeAuthType;
  readonly authPolicy?: AuthPolicyDocument;
  readonly source: readonly SourceRef[];
}

/** A Lattice service: one per App Mesh virtual service. */
export interface PlannedService {
  readonly name: string;
  /** The virtual service's name (its DNS name in App Mesh), kept as the custom domain. */
  readonly customDomainName?: string;
  /** ACM certificate for the custom domain, from the TLS of the listener(s) serving it today. */
  readonly certificateArn?: string;
  readonly auth: PlannedAuth;
  readonly listeners: readonly PlannedListener[];
  readonly source: readonly SourceRef[];
}

/** A weighted target group of a forward action, by name. */
export interface PlannedWeightedTargetGroup {
  readonly targetGroupName: string;
  /** 0..999 (Lattice's range). */
  readonly weight: number;
}

export type PlannedAction =
  | { readonly forward: { readonly targetGroups: readonly PlannedWeightedTargetGroup[] } }
  | { readonly fixedResponse: { readonly statusCode: number } };

export interface PlannedHeaderMatch {
  readonly name: string;
  readonly caseSensitive: boolean;
  readonly match: { readonly exact: string } | { readonly prefix: string } | { readonly contains: string };
}

export interface PlannedRuleMatch {
  readonly path?: {
    readonly match: { readonly exact: string } | { readonly prefix: string };
    readonly caseSensitive: boolean;
  };
  readonly headerMatches?: readonly PlannedHeaderMatch[];
  readonly method?: string;
}

export interface PlannedRule {
  readonly name: string;
  /** 1..2000 (Lattice's range), in the order App Mesh tries the routes. */
  readonly priority: number;
  readonly match: PlannedRuleMatch;
  readonly action: PlannedAction;
  readonly source: readonly SourceRef[];
}

export interface PlannedListener {
  readonly name: string;
  readonly protocol: LatticeListenerProtocol;
  readonly port: number;
  readonly defaultAction: PlannedAction;
  readonly rules: readonly PlannedRule[];
  readonly source: readonly SourceRef[];
}

export interface PlannedHealthCheck {
  readonly enabled: boolean;
  readonly protocol?: 'HTTP' | 'HTTPS';
  readonly protocolVersion?: 'HTTP1' | 'HTTP2';
  readonly port?: number;
  readonly path?: string;
  readonly healthCheckIntervalSeconds?: number;
  readonly healthCheckTimeoutSeconds?: number;
  readonly healthyThresholdCount?: number;
  readonly unhealthyThresholdCount?: number;
}

/** A target group: one per virtual node (per listener port when a node has several). */
export interface PlannedTargetGroup {
  readonly name: string;
  readonly type: LatticeTargetGroupType;
  readonly port: number;
  readonly protocol: LatticeTargetProtocol;
  readonly protocolVersion?: LatticeProtocolVersion;
  /** VPC id of the targets; absent when the mesh does not say (apply must be told). */
  readonly vpcIdentifier?: string;
  readonly healthCheck?: PlannedHealthCheck;
  /** The virtual node it replaces. */
  readonly virtualNode: string;
  /** How the node's instances are found today (DNS host name or Cloud Map service), to register targets. */
  readonly discovery?:
    | { readonly dns: string }
    | { readonly cloudMap: { readonly namespace: string; readonly service: string } };
  readonly source: readonly SourceRef[];
}

/** A service joining the network, or a VPC whose clients reach the network. */
export type PlannedAssociation =
  | { readonly kind: 'service'; readonly serviceName: string; readonly serviceNetworkName: string }
  | { readonly kind: 'vpc'; readonly vpcIdentifier: string; readonly serviceNetworkName: string };

/** Whether an App Mesh feature in use survives the move. */
export type ParityStatus = 'exact' | 'different' | 'lost';

export interface ParityEntry {
  /** Short name of the feature, e.g. `route retry policy`, `regex path match`. */
  readonly feature: string;
  readonly status: ParityStatus;
  /** What differs (for `different` / `lost`) or how it carries over (for `exact`). */
  readonly detail: string;
  /** What to do instead; present for `different` and `lost`. */
  readonly instead?: string;
  readonly source: readonly SourceRef[];
}

/** One request the simulation tried on which the two sides disagree. */
export interface RoutingDifference {
  readonly service: string;
  readonly request: SimulatedRequest;
  /** Targets by virtual node name with their share (0..1), or `null` when nothing matches. */
  readonly appMesh: Readonly<Record<string, number>> | null;
  readonly lattice: Readonly<Record<string, number>> | null;
  /** True when the difference comes from a feature marked `lost` (excluded from the carried-over count). */
  readonly fromLostFeature: boolean;
  readonly explanation?: string;
}

export interface SimulatedRequest {
  readonly port: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface RoutingParity {
  readonly requestsTried: number;
  /** Differences on what the plan carries over; 0 is the goal. */
  readonly differences: readonly RoutingDifference[];
  /** Differences caused by features marked `lost` (expected, still reported). */
  readonly lostDifferences: readonly RoutingDifference[];
}

/** The whole plan. */
export interface MigrationPlan {
  readonly meshName: string;
  readonly target: 'vpc-lattice';
  /** ISO time of the mesh read the plan was made from. */
  readonly generatedAt: string;
  readonly serviceNetwork: PlannedServiceNetwork;
  readonly services: readonly PlannedService[];
  readonly targetGroups: readonly PlannedTargetGroup[];
  readonly associations: readonly PlannedAssociation[];
  readonly parity: readonly ParityEntry[];
  /** Absent until the simulation ran. */
  readonly routingParity?: RoutingParity;
}

/** True when some App Mesh feature in use has no Lattice equivalent (the plan's exit code is 1). */
export function hasLostFeatures(plan: Pick<MigrationPlan, 'parity'>): boolean {
  return plan.parity.some((entry) => entry.status === 'lost');
}
