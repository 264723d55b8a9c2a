import { describe, expect, it } from 'vitest';
import { formatPolicyIssue } from '../../../shared/policy/load';
import { type LiveState, resolvePolicyReferences } from '../../../shared/policy/references';
import type { ListedAlarm } from '../../../shared/ports';
import {
  backend,
  httpRoute,
  node,
  policy,
  route,
  router,
  service,
  snapshot,
  strictListener,
} from './fixtures';

const CA =
  'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/11111111-2222-3333-4444-555555555555';
const OTHER_CA =
  'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/99999999-2222-3333-4444-555555555555';

function alarm(name: string, routeTag?: string): ListedAlarm {
  return { name, arn: `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${name}`, routeTag };
}

/** The live mesh `prod`: web-router/web-route at web-v1/web-v2, a payments node with a file certificate. */
function live(overrides: Partial<LiveState> = {}): LiveState {
  const fileListener = {
    portMapping: { port: 8443, protocol: 'http' as const },
    tls: {
      mode: 'STRICT' as const,
      certificate: { file: { certificateChain: '/etc/envoy/certs/payments/chain.pem', privateKey: '/k' } },
    },
  };
  return {
    meshes: [
      snapshot({
        nodes: [
          node('web-v1', { listeners: [strictListener()], backends: [backend('payments.prod.local')] }),
          node('web-v2', { listeners: [strictListener()] }),
          node('payments', { listeners: [fileListener] }),
        ],
        services: [service('web.prod.local'), service('payments.prod.local')],
        routers: [router('web-router')],
        routes: [
          route(
            'web-router',
            'web-route',
            httpRoute([
              { virtualNode: 'web-v1', weight: 90 },
              { virtualNode: 'web-v2', weight: 10 },
            ]),
          ),
        ],
      }),
    ],
    alarms: [
      alarm('web-5xx-rate', 'prod/web-router/web-route'),
      alarm('unrelated'),
      alarm('x', 'staging/r/r'),
    ],
    certificateAuthorities: [CA],
    ...overrides,
  };
}

/** Every reference kind, each pointing at something that exists. */
const VALID = `version: 1
meshes:
  - mesh: prod
    changeControl:
      default: deny
      onViolation: revert
      allow:
        - id: web
          principals: [{ iamUser: alice }]
          actions: ['Update*']
          resources:
            - { kind: route, parent: web-router, name: 'web-*' }
            - { kind: 'virtual-*', name: payments }
    compliance:
      tls:
        allowedCertificateAuthorities: ['arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/*']
      accessGraph:
        web-v*: [payments.prod.local]
        payments: []
    exemptions:
      - resource: prod/route/web-router/*
        rules: [route.max-targets]
        expires: 2027-03-31
        reason: soak test
    deployments:
      routes:
        - route: prod/web-router/web-route
          alarms: [web-5xx-rate, 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:unrelated']
          stableTarget: web-v1
    certificates:
      rules:
        - resources: prod/virtual-node/payments
          issuingCaArn: ${CA}
      secrets:
        - file: /etc/envoy/certs/payments/*
          secret: meshwarden/certificates/payments
`;

/** line:col of the first occurrence of `needle` in `text` (1-based), to check positions without counting by hand. */
function at(text: string, needle: string, from = ''): string {
  const start = from === '' ? 0 : text.indexOf(from);
  const offset = text.indexOf(needle, start);
  if (offset < 0) throw new Error(`"${needle}" is not in the text`);
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1) ?? '').length + 1}`;
}

describe('resolvePolicyReferences', () => {
  it('reports nothing when every reference resolves', () => {
    // Prepare
    const compiled = policy(VALID);
    // Act
    const dangling = resolvePolicyReferences(compiled, live());
    // Assess
    expect(dangling).toEqual([]);
  });

  it('reports a stableTarget that is no target of the route, with its position', () => {
    // Prepare
    const text = VALID.replace('stableTarget: web-v1', 'stableTarget: web-v9');
    // Act
    const dangling = resolvePolicyReferences(policy(text), live());
    // Assess
    expect(dangling.map(formatPolicyIssue)).toEqual([
      `test.policy.yaml:${at(text, 'web-v9')} meshes[0].deployments.routes[0].stableTarget: "web-v9" is not a target of prod/web-router/web-route (targets: web-v1, web-v2): no deployment opens on it`,
    ]);
    expect(dangling[0]).toMatchObject({ kind: 'stable-target', meshes: ['prod'] });
  });

  it('reports a deployments route glob that matches no route', () => {
    // Prepare
    const text = VALID.replace('route: prod/web-router/web-route', 'route: prod/web-routr/*');
    // Act
    const dangling = resolvePolicyReferences(policy(text), live());
    // Assess
    expect(dangling).toEqual([
      expect.objectContaining({
        kind: 'deployment-route',
        path: 'meshes[0].deployments.routes[0].route',
        message: expect.stringContaining('"prod/web-routr/*" matches no route in mesh prod'),
      }),
    ]);
    const [first] = dangling;
    expect(`${first?.line}:${first?.col}`).toBe(at(text, 'prod/web-routr/*'));
  });

  it('reports an entry whose every route an earlier entry decides', () => {
    // Prepare
    const text = VALID.replace(
      'stableTarget: web-v1',
      'stableTarget: web-v1\n        - route: prod/web-router/*\n          stableTarget: web-v2',
    );
    // Act
    const dangling = resolvePolicyReferences(policy(text), live());
    // Assess
    expect(dangling).toEqual([
      expect.objectContaining({
        kind: 'deployment-route',
        path: 'meshes[0].deployments.routes[1].route',
        message: expect.stringContaining('decided by an earlier entry (routes[0]): this entry never applies'),
      }),
    ]);
  });

  it('reports bound alarms that do not exist, by name and by ARN, and says names are not globs', () => {
    // Prepare
    const text = VALID.replace(
      "alarms: [web-5xx-rate, 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:unrelated']",
      "alarms: [web-5xx-rat, 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:gone', 'web-*']",
    );
    // Act
    const dangling = resolvePolicyReferences(policy(text), live());
    // Assess
    expect(dangling.map((d) => [d.kind, d.path, d.message])).toEqual([
      [
        'alarm',
        'meshes[0].deployments.routes[0].alarms[0]',
        'no CloudWatch alarm named "web-5xx-rat" exists: it can never roll back',
      ],
      [
        'alarm',
        'meshes[0].deployments.routes[0].alarms[1]',
        'no CloudWatch alarm named "arn:aws:cloudwatch:us-east-1:000000000000:alarm:gone" exists: it can never roll back',
      ],
      [
        'alarm',
        'meshes[0].deployments.routes[0].alarms[2]',
        'no CloudWatch alarm named "web-*" exists (alarm names are matched exactly, not as globs): it can never roll back',
      ],
    ]);
    expect(`${dangling[0]?.line}:${dangling[0]?.col}`).toBe(at(text, 'web-5xx-rat'));
  });

  it('reports an alarm tagged for a route of the mesh that does not exist, or with a malformed tag, and ignores other meshes', () => {
    // Prepare
    const state = live({
      alarms: [
        alarm('web-5xx-rate', 'prod/web-router/web-route'),
        alarm('orphan', 'prod/web-router/web-rout'),
        alarm('mangled', 'prod/web-route'),
        alarm('elsewhere', 'staging/web-router/gone'),
        alarm('unrelated'),
      ],
    });
    // Act
    const dangling = resolvePolicyReferences(policy(VALID), state);
    // Assess
    expect(dangling.map((d) => [d.kind, d.path, d.message])).toEqual([
      [
        'alarm-route-tag',
        'meshes[0].deployments',
        'alarm "mangled" is tagged meshwarden:route=prod/web-route, which is not <mesh>/<virtual-router>/<route>: it guards nothing',
      ],
      [
        'alarm-route-tag',
        'meshes[0].deployments',
        'alarm "orphan" is tagged meshwarden:route=prod/web-router/web-rout, a route that does not exist: it guards nothing',
      ],
    ]);
    expect(`${dangling[0]?.line}:${dangling[0]?.col}`).toBe(at(VALID, 'deployments:'));
  });

  it('reports an exemption whose resource glob matches nothing', () => {
    // Prepare
    const text = VALID.replace('resource: prod/route/web-router/*', 'resource: prod/route/web-route');
    // Act
    const dangling = resolvePolicyReferences(policy(text), live());
    // Assess
    expect(dangling).toEqual([
      expect.objectContaining({
        kind: 'exemption',
        path: 'meshes[0].exemptions[0].resource',
        message: expect.stringMatching(
          /^"prod\/route\/web-route" matches no resource in mesh prod .*covers nothing$/,
        ),
      }),
    ]);
  });

  it('reports change-control selectors that match no resource, at the field that misses', () => {
    // Prepare
    const text = VALID.replace(
      "- { kind: 'virtual-*', name: payments }",
      "- { kind: 'virtual-*', name: paymnets }\n            - { kind: route, parent: api-router }\n            - { kind: gateway-route }",
    );
    // Act
    const dangling = resolvePolicyReferences(policy(text), live());
    // Assess
    expect(dangling.map((d) => [d.path, d.message])).toEqual([
      [
        'meshes[0].changeControl.allow[0].resources[1].name',
        '"paymnets" matches no virtual node or virtual service or virtual router or virtual gateway in mesh prod',
      ],
      [
        'meshes[0].changeControl.allow[0].resources[2].parent',
        '"api-router" is the parent of no route in mesh prod',
      ],
      ['meshes[0].changeControl.allow[0].resources[3].kind', 'no gateway route exists in mesh prod'],
    ]);
    expect(dangling.every((d) => d.kind === 'change-control-resource')).toBe(true);
  });

  it('reports access graph nodes and services that match nothing, the node at its key', () => {
    // Prepare
    const text = VALID.replace(
      'web-v*: [payments.prod.local]',
      'web-v*: [payment.prod.local]\n        frontend: []',
    );
    // Act
    const dangling = resolvePolicyReferences(policy(text), live());
    // Assess
    expect(dangling.map((d) => [`${d.line}:${d.col}`, d.path, d.message])).toEqual([
      [
        at(text, 'payment.prod'),
        'meshes[0].compliance.accessGraph.web-v*[0]',
        '"payment.prod.local" matches no virtual service in mesh prod',
      ],
      [
        at(text, 'frontend'),
        'meshes[0].compliance.accessGraph.frontend',
        '"frontend" matches no virtual node in mesh prod',
      ],
    ]);
    expect(dangling.every((d) => d.kind === 'access-graph')).toBe(true);
  });

  it('reports certificate authorities that do not exist, and checks none when the CAs were not read', () => {
    // Prepare
    const text = VALID.replace(
      "['arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/*']",
      "['arn:aws:acm-pca:eu-west-1:*']",
    ).replace(`issuingCaArn: ${CA}`, `issuingCaArn: ${OTHER_CA}`);
    // Act
    const dangling = resolvePolicyReferences(policy(text), live());
    const unread = resolvePolicyReferences(policy(text), live({ certificateAuthorities: undefined }));
    // Assess
    expect(dangling.map((d) => [d.kind, d.path])).toEqual([
      ['certificate-authority', 'meshes[0].compliance.tls.allowedCertificateAuthorities[0]'],
      ['certificate-authority', 'meshes[0].certificates.rules[0].issuingCaArn'],
    ]);
    expect(unread).toEqual([]);
  });

  it('reports certificate rules and secret mappings that match nothing the mesh uses', () => {
    // Prepare
    const text = VALID.replace(
      'resources: prod/virtual-node/payments',
      'resources: prod/virtual-gateway/*',
    ).replace('file: /etc/envoy/certs/payments/*', 'sds: payments-tls');
    // Act
    const dangling = resolvePolicyReferences(policy(text), live());
    // Assess
    expect(dangling.map((d) => [d.kind, d.path, d.message])).toEqual([
      [
        'certificates',
        'meshes[0].certificates.rules[0].resources',
        '"prod/virtual-gateway/*" matches no resource in mesh prod: the rule applies to nothing',
      ],
      [
        'certificates',
        'meshes[0].certificates.secrets[0].sds',
        '"payments-tls" matches no SDS secret a listener or client policy of mesh prod uses',
      ],
    ]);
  });

  it('reports a mesh no entry governs', () => {
    // Prepare
    const text = VALID.replace('- mesh: prod', '- mesh: prdo');
    // Act
    const dangling = resolvePolicyReferences(policy(text), live());
    // Assess
    expect(dangling.map(formatPolicyIssue)).toEqual([
      `test.policy.yaml:${at(text, 'meshes:')} meshes: no entry's mesh glob (prdo) matches mesh "prod": nothing of the policy applies to it`,
    ]);
  });

  it('resolves an entry governing several meshes against all of them: dangling only when nothing matches in any', () => {
    // Prepare
    const text = VALID.replace('- mesh: prod', "- mesh: '*'").replace(
      'stableTarget: web-v1',
      'stableTarget: web-v1\n        - route: staging/web-router/web-route\n          stableTarget: web-v3',
    );
    const prod = live({ alarms: [alarm('web-5xx-rate', 'prod/web-router/web-route'), alarm('unrelated')] });
    const staging = {
      ...snapshot({
        nodes: [node('web-v3')],
        routers: [router('web-router')],
        routes: [route('web-router', 'web-route', httpRoute([{ virtualNode: 'web-v3', weight: 1 }]))],
      }),
      meshName: 'staging',
    };
    const stagingRoutes = staging.routes.map((r) => ({ ...r, meshName: 'staging' }));
    // Act
    const both = resolvePolicyReferences(policy(text), {
      ...prod,
      meshes: [...prod.meshes, { ...staging, routes: stagingRoutes }],
    });
    const prodOnly = resolvePolicyReferences(policy(text), prod);
    // Assess
    expect(both).toEqual([]);
    expect(prodOnly.map((d) => d.path)).toEqual(['meshes[0].deployments.routes[1].route']);
  });
});
