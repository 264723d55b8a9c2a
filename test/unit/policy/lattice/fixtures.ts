/**
 * Builders for the VPC Lattice rule tests: a service network snapshot built service by
 * service, and policies with one `provider: vpc-lattice` entry for `prod-net`.
 */
import type { RuleAction } from '@aws-sdk/client-vpc-lattice';
import { LATTICE_DEFAULT_RULE } from '../../../../shared/domain/weighted-route';
import type { CompiledPolicy } from '../../../../shared/policy/compile';
import type {
  LatticeListenerState,
  LatticeRuleState,
  LatticeServiceNetworkSnapshot,
  LatticeServiceState,
} from '../../../../shared/providers/vpc-lattice/model';
import { DENY_ALL, policy } from '../fixtures';

export const ACCOUNT = '000000000000';
export const ARN = `arn:aws:vpc-lattice:us-east-1:${ACCOUNT}`;
export const LOCAL_CA = `arn:aws:acm-pca:us-east-1:${ACCOUNT}:certificate-authority/local-ca`;
export const OTHER_CA = `arn:aws:acm-pca:us-east-1:999999999999:certificate-authority/rogue`;
export const WEB_CERT = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/web-cert`;
export const FRONTEND_ROLE = `arn:aws:iam::${ACCOUNT}:role/frontend`;
export const ROGUE_ROLE = `arn:aws:iam::${ACCOUNT}:role/rogue`;

/** A policy whose `prod-net` Lattice entry has these compliance settings (YAML, indented 6). */
export function latticePolicy(complianceYaml: string, exemptionsYaml = ''): CompiledPolicy {
  return policy(`
version: 1
meshes:
  - mesh: prod-net
    provider: vpc-lattice
    serviceNetwork: prod-net${DENY_ALL}
    compliance:
${complianceYaml}
${exemptionsYaml === '' ? '' : `    exemptions:\n${exemptionsYaml}`}
`);
}

/** A forward action over target groups `[id, weight]` (weight undefined: written without one). */
export function forward(...targets: readonly (readonly [string, number | undefined])[]): RuleAction {
  return {
    forward: {
      targetGroups: targets.map(([id, weight]) => ({
        targetGroupIdentifier: id,
        ...(weight === undefined ? {} : { weight }),
      })),
    },
  };
}

/** A listener rule (or, named `default`, a listener's default action). */
export function rule(name: string, action: RuleAction, priority = 10): LatticeRuleState {
  const isDefault = name === LATTICE_DEFAULT_RULE;
  return {
    address: {
      serviceId: 'svc-1',
      listenerId: 'listener-1',
      ...(isDefault ? {} : { ruleId: `rule-${name}` }),
    },
    arn: `${ARN}:service/svc-1/listener/listener-1${isDefault ? '' : `/rule/rule-${name}`}`,
    name,
    isDefault,
    match: isDefault ? undefined : { httpMatch: { pathMatch: { match: { prefix: '/' } } } },
    priority: isDefault ? undefined : priority,
    action,
    lastUpdatedAt: undefined,
  };
}

export function listener(
  name: string,
  protocol: 'HTTP' | 'HTTPS' | 'TLS_PASSTHROUGH',
  rules: readonly LatticeRuleState[] = [rule(LATTICE_DEFAULT_RULE, forward(['tg-web-v1', undefined]))],
): LatticeListenerState {
  return {
    id: `listener-${name}`,
    arn: `${ARN}:service/svc-1/listener/listener-${name}`,
    name,
    protocol,
    port: protocol === 'HTTP' ? 80 : 443,
    rules,
  };
}

export function service(
  name: string,
  options: Partial<
    Pick<LatticeServiceState, 'authType' | 'authPolicy' | 'certificateArn' | 'customDomainName'>
  > & {
    listeners?: readonly LatticeListenerState[];
  } = {},
): LatticeServiceState {
  return {
    id: `svc-${name}`,
    arn: `${ARN}:service/svc-${name}`,
    name,
    authType: options.authType ?? 'AWS_IAM',
    certificateArn: options.certificateArn,
    customDomainName: options.customDomainName,
    authPolicy: options.authPolicy,
    listeners: options.listeners ?? [listener('https', 'HTTPS')],
  };
}

/** A service network `prod-net` with these services; target groups tg-web-v1 and tg-web-v2 exist. */
export function network(
  services: readonly LatticeServiceState[],
  options: Partial<Pick<LatticeServiceNetworkSnapshot, 'authType' | 'authPolicy' | 'targetGroups'>> = {},
): LatticeServiceNetworkSnapshot {
  return {
    id: 'sn-1',
    arn: `${ARN}:servicenetwork/sn-1`,
    name: 'prod-net',
    takenAt: '2026-12-06T06:00:00.000Z',
    authType: options.authType ?? 'AWS_IAM',
    authPolicy: options.authPolicy,
    services,
    targetGroups: options.targetGroups ?? [
      { id: 'tg-web-v1', arn: `${ARN}:targetgroup/tg-web-v1`, name: 'web-v1', type: 'IP' },
      { id: 'tg-web-v2', arn: `${ARN}:targetgroup/tg-web-v2`, name: 'web-v2', type: 'IP' },
    ],
    vpcAssociations: [],
  };
}

/** An auth policy allowing these principals (`*` alone is `"Principal": "*"`), with an optional condition. */
export function authPolicy(principals: readonly string[] | '*', condition?: Record<string, unknown>): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: principals === '*' ? '*' : { AWS: principals },
        Action: 'vpc-lattice-svcs:Invoke',
        Resource: '*',
        ...(condition === undefined ? {} : { Condition: condition }),
      },
    ],
  });
}
