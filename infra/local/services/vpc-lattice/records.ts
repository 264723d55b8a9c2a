import type { HealthCheck, RuleAction, RuleMatch, Target, TargetGroupConfig } from './validation';

/**
 * VPC Lattice resources as local AWS keeps them. Times are epoch milliseconds; every record
 * carries its ARN (the store's key), its short ID and its tags.
 */
interface Base {
  readonly arn: string;
  readonly id: string;
  readonly region: string;
  readonly createdAt: number;
  lastUpdatedAt: number;
  tags: Record<string, string>;
}

export interface ServiceNetworkRecord extends Base {
  readonly kind: 'servicenetwork';
  readonly name: string;
  authType: 'NONE' | 'AWS_IAM';
  readonly sharingConfig: { enabled: boolean };
}

export interface ServiceRecord extends Base {
  readonly kind: 'service';
  readonly name: string;
  authType: 'NONE' | 'AWS_IAM';
  readonly customDomainName?: string;
  certificateArn?: string;
  readonly dnsEntry: { readonly domainName: string; readonly hostedZoneId: string };
}

export interface ListenerRecord extends Base {
  readonly kind: 'listener';
  readonly name: string;
  readonly serviceArn: string;
  readonly serviceId: string;
  readonly protocol: 'HTTP' | 'HTTPS' | 'TLS_PASSTHROUGH';
  readonly port: number;
  defaultAction: RuleAction;
  /** The listener's default rule: always there, last in order, its action the listener's default action. */
  readonly defaultRuleId: string;
}

export interface RuleRecord extends Base {
  readonly kind: 'rule';
  readonly name: string;
  readonly listenerArn: string;
  priority: number;
  match: RuleMatch;
  action: RuleAction;
}

export interface TargetGroupRecord extends Base {
  readonly kind: 'targetgroup';
  readonly name: string;
  readonly type: 'IP' | 'LAMBDA' | 'INSTANCE' | 'ALB';
  config?: TargetGroupConfig & { healthCheck?: HealthCheck };
  targets: Target[];
}

export interface ServiceAssociationRecord extends Base {
  readonly kind: 'servicenetworkserviceassociation';
  readonly serviceNetworkArn: string;
  readonly serviceArn: string;
  readonly createdBy: string;
}

export interface VpcAssociationRecord extends Base {
  readonly kind: 'servicenetworkvpcassociation';
  readonly serviceNetworkArn: string;
  readonly vpcId: string;
  readonly securityGroupIds: string[];
  readonly privateDnsEnabled?: boolean;
  readonly createdBy: string;
}

export type LatticeRecord =
  | ServiceNetworkRecord
  | ServiceRecord
  | ListenerRecord
  | RuleRecord
  | TargetGroupRecord
  | ServiceAssociationRecord
  | VpcAssociationRecord;

export type LatticeKind = LatticeRecord['kind'];

/** A policy on a service network or service (auth policy or resource policy). */
export interface PolicyRecord {
  readonly resourceArn: string;
  policy: string;
  readonly createdAt: number;
  lastUpdatedAt: number;
}
