/**
 * Builders for policy tests: principals through the real CloudTrail `userIdentity` ->
 * Principal derivation, small meshes built resource by resource, and policies from YAML.
 */

import type { ResourceKind } from '../../../shared/domain/resource-key';
import type { MeshSnapshot } from '../../../shared/domain/snapshot';
import type { UserIdentity } from '../../../shared/events/cloudtrail-identity';
import { derivePrincipal, type Principal } from '../../../shared/events/principal';
import type { CompiledPolicy } from '../../../shared/policy/compile';
import { parsePolicy } from '../../../shared/policy/load';
import type { MeshResourceOf, SpecByKind, Tags } from '../../../shared/providers/appmesh/model';

export const ACCOUNT = '000000000000';
export const GITHUB_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
export const LOCAL_CA = `arn:aws:acm-pca:us-east-1:${ACCOUNT}:certificate-authority/local-ca`;
export const OTHER_CA = `arn:aws:acm-pca:us-east-1:999999999999:certificate-authority/rogue`;
export const CERT = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/frontend-cert`;

/** A role session, optionally federated from an OIDC provider with claims. */
export function roleSession(
  roleName: string,
  sessionName: string,
  options: {
    account?: string;
    rolePath?: string;
    oidc?: { provider: string; attributes: Record<string, unknown> };
  } = {},
): Principal {
  const account = options.account ?? ACCOUNT;
  const identity: UserIdentity = {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLE:${sessionName}`,
    arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
    accountId: account,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLE',
        arn: `arn:aws:iam::${account}:role/${options.rolePath ?? ''}${roleName}`,
        accountId: account,
        userName: roleName,
      },
      attributes: { creationDate: '2026-11-26T10:00:00Z', mfaAuthenticated: 'false' },
      webIdFederationData:
        options.oidc === undefined
          ? {}
          : { federatedProvider: options.oidc.provider, attributes: options.oidc.attributes },
    },
  };
  return derivePrincipal(identity);
}

/** The demo's OIDC developer (alice via GitHub Actions of acme/web), with claim overrides. */
export function githubSession(claims: Record<string, string> = {}, roleName = 'MeshDeveloper'): Principal {
  const attributes: Record<string, string> = {};
  const all = { repository: 'acme/web', team: 'web', sub: 'repo:acme/web:ref:refs/heads/main', ...claims };
  for (const [k, v] of Object.entries(all)) attributes[`token.actions.githubusercontent.com:${k}`] = v;
  return roleSession(roleName, 'alice', { oidc: { provider: GITHUB_PROVIDER, attributes } });
}

/** An IAM user. */
export function iamUser(userName: string, account = ACCOUNT): Principal {
  return derivePrincipal({
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLE',
    arn: `arn:aws:iam::${account}:user/${userName}`,
    accountId: account,
    userName,
  });
}

/** The account root user. */
export function rootUser(account = ACCOUNT): Principal {
  return derivePrincipal({
    type: 'Root',
    principalId: account,
    arn: `arn:aws:iam::${account}:root`,
    accountId: account,
  });
}

/** Parse a policy written as YAML text. */
export function policy(yaml: string): CompiledPolicy {
  return parsePolicy(yaml, 'test.policy.yaml');
}

/** Minimal change control, so compliance tests only write what they test. */
export const DENY_ALL = `
    changeControl:
      default: deny
      onViolation: revert`;

/** A policy for mesh `prod` with only these compliance settings (YAML, indented 6). */
export function compliancePolicy(complianceYaml: string, exemptionsYaml = ''): CompiledPolicy {
  return policy(`
version: 1
meshes:
  - mesh: prod${DENY_ALL}
    compliance:
${complianceYaml}
${exemptionsYaml === '' ? '' : `    exemptions:\n${exemptionsYaml}`}
`);
}

function res<K extends ResourceKind>(
  kind: K,
  name: string,
  spec: SpecByKind[K],
  extra: { parentName?: string; tags?: Tags } = {},
): MeshResourceOf<K> {
  return {
    kind,
    meshName: 'prod',
    name,
    ...(extra.parentName === undefined ? {} : { parentName: extra.parentName }),
    spec,
    ...(extra.tags === undefined ? {} : { tags: extra.tags }),
  };
}

/** A virtual node. */
export function node(name: string, spec: SpecByKind['virtual-node'] = {}, tags?: Tags) {
  return res('virtual-node', name, spec, tags === undefined ? {} : { tags });
}
/** A virtual service. */
export function service(name: string, spec: SpecByKind['virtual-service'] = {}) {
  return res('virtual-service', name, spec);
}
/** A virtual router. */
export function router(name: string, spec: SpecByKind['virtual-router'] = {}) {
  return res('virtual-router', name, spec);
}
/** A route of a router. */
export function route(routerName: string, name: string, spec: SpecByKind['route']) {
  return res('route', name, spec, { parentName: routerName });
}
/** A virtual gateway. */
export function gateway(name: string, spec: SpecByKind['virtual-gateway']) {
  return res('virtual-gateway', name, spec);
}
/** A gateway route of a gateway. */
export function gatewayRoute(gatewayName: string, name: string, spec: SpecByKind['gateway-route']) {
  return res('gateway-route', name, spec, { parentName: gatewayName });
}

/** A mesh `prod` snapshot holding these resources. */
export function snapshot(resources: {
  nodes?: MeshResourceOf<'virtual-node'>[];
  services?: MeshResourceOf<'virtual-service'>[];
  routers?: MeshResourceOf<'virtual-router'>[];
  routes?: MeshResourceOf<'route'>[];
  gateways?: MeshResourceOf<'virtual-gateway'>[];
  gatewayRoutes?: MeshResourceOf<'gateway-route'>[];
  meshTags?: Tags;
}): MeshSnapshot {
  return {
    meshName: 'prod',
    takenAt: '2026-11-26T12:00:00.000Z',
    mesh: res(
      'mesh',
      'prod',
      { egressFilter: { type: 'DROP_ALL' } },
      resources.meshTags ? { tags: resources.meshTags } : {},
    ),
    virtualNodes: resources.nodes ?? [],
    virtualServices: resources.services ?? [],
    virtualRouters: resources.routers ?? [],
    routes: resources.routes ?? [],
    virtualGateways: resources.gateways ?? [],
    gatewayRoutes: resources.gatewayRoutes ?? [],
  };
}

const SAN = (names: string[]) => ({ match: { exact: names } });

/** An HTTP listener on 8080 with STRICT TLS from an ACM certificate. */
export function strictListener(port = 8080) {
  return {
    portMapping: { port, protocol: 'http' as const },
    tls: { mode: 'STRICT' as const, certificate: { acm: { certificateArn: CERT } } },
  };
}

/** A client policy with TLS trusting the local CA and checking SANs. */
export function clientTls(sans: string[] = ['web.prod.local']) {
  return {
    tls: {
      validation: {
        trust: { acm: { certificateAuthorityArns: [LOCAL_CA] } },
        subjectAlternativeNames: SAN(sans),
      },
    },
  };
}

/** A backend on a virtual service. */
export function backend(virtualServiceName: string, clientPolicy?: ReturnType<typeof clientTls>) {
  return { virtualService: { virtualServiceName, ...(clientPolicy === undefined ? {} : { clientPolicy }) } };
}

/** An HTTP route spec with weighted targets (and optional retry policy and timeout). */
export function httpRoute(
  targets: { virtualNode: string; weight: number; port?: number }[],
  extra: { retry?: boolean; timeout?: boolean; port?: number } = {},
): SpecByKind['route'] {
  return {
    httpRoute: {
      match: { prefix: '/', ...(extra.port === undefined ? {} : { port: extra.port }) },
      action: { weightedTargets: targets },
      ...(extra.retry ? { retryPolicy: { perRetryTimeout: { value: 2, unit: 's' }, maxRetries: 2 } } : {}),
      ...(extra.timeout ? { timeout: { perRequest: { value: 15, unit: 's' } } } : {}),
    },
  };
}
