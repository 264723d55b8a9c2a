/**
 * VPC Lattice as the adapter reads it: plain data in the SDK's own shapes (the mapping turns it
 * into the neutral route model). Kept apart from the SDK types' optional-everything, so a
 * reader knows what a read guarantees.
 */
import type { RuleAction, RuleMatch } from '@aws-sdk/client-vpc-lattice';
import type { LatticeRuleAddress } from './arns';

/**
 * One listener rule, or a listener's default action (`isDefault`, no `ruleId`, no match and
 * priority): everything UpdateRule (or UpdateListener) needs to write it back whole.
 */
export interface LatticeRuleState {
  readonly address: LatticeRuleAddress;
  readonly arn: string;
  readonly name: string;
  readonly isDefault: boolean;
  readonly match: RuleMatch | undefined;
  readonly priority: number | undefined;
  readonly action: RuleAction;
  /** ISO time of the last update, when Lattice said (the etag of a read). */
  readonly lastUpdatedAt: string | undefined;
}

export interface LatticeListenerState {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly protocol: string | undefined;
  readonly port: number | undefined;
  /** The default action first, as `default`, then the rules by priority. */
  readonly rules: readonly LatticeRuleState[];
}

export interface LatticeServiceState {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  /** `AWS_IAM` or `NONE`: whether Lattice enforces the auth policy on calls to the service. */
  readonly authType: string | undefined;
  /** The ACM certificate its HTTPS listeners serve for the custom domain (else Lattice's own). */
  readonly certificateArn: string | undefined;
  readonly customDomainName: string | undefined;
  /** The service's auth policy document, when it has one. */
  readonly authPolicy: string | undefined;
  readonly listeners: readonly LatticeListenerState[];
}

export interface LatticeTargetGroupState {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly type: string | undefined;
}

/** A service network read whole. */
export interface LatticeServiceNetworkSnapshot {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly takenAt: string;
  readonly authType: string | undefined;
  readonly authPolicy: string | undefined;
  /** Services associated with the network, by name. */
  readonly services: readonly LatticeServiceState[];
  /** The target groups the services' rules forward to, by id. */
  readonly targetGroups: readonly LatticeTargetGroupState[];
  readonly vpcAssociations: readonly { readonly id: string; readonly vpcId: string | undefined }[];
}

/** What a listener says about the certificate it serves: only HTTPS terminates TLS. */
export type LatticeListenerCertificateView = Pick<LatticeListenerState, 'id' | 'name' | 'protocol' | 'port'>;

/** A service's certificate and its listeners' protocols: what certificate rotation reads. */
export interface LatticeServiceCertificateView
  extends Pick<LatticeServiceState, 'id' | 'arn' | 'name' | 'certificateArn' | 'customDomainName'> {
  readonly listeners: readonly LatticeListenerCertificateView[];
}

/**
 * The certificates of a service network's services, read without its rules, target groups and
 * auth policies (a whole snapshot is one of these too).
 */
export interface LatticeNetworkCertificateView {
  readonly name: string;
  readonly services: readonly LatticeServiceCertificateView[];
}
