import { describe, expect, it } from 'vitest';
import type { MeshSnapshot } from '../../../shared/domain/snapshot';
import type { CompiledPolicy } from '../../../shared/policy/compile';
import { buildMeshIndex } from '../../../shared/policy/mesh-index';
import { APPMESH_RULE_IDS, type RuleId } from '../../../shared/policy/rule-ids';
import type { MeshResource } from '../../../shared/providers/appmesh/model';
import { RULES, RULES_BY_ID } from '../../../shared/providers/appmesh/rules';
import {
  backend,
  CERT,
  clientTls,
  compliancePolicy,
  gateway,
  gatewayRoute,
  httpRoute,
  LOCAL_CA,
  node,
  OTHER_CA,
  route,
  router,
  service,
  snapshot,
  strictListener,
} from './fixtures';

/** Run one rule on one resource of a snapshot under a policy. */
function check(
  id: RuleId,
  resource: MeshResource,
  p: CompiledPolicy,
  snap: MeshSnapshot = snapshot({}),
  issuers: Record<string, string> = {},
): string[] {
  const rule = RULES_BY_ID.get(id);
  if (rule === undefined) throw new Error(`no rule ${id}`);
  const compliance = p.forMesh('prod')?.compliance ?? {};
  if (!rule.enabled(compliance)) return [];
  return rule.check(resource, {
    index: buildMeshIndex(snap),
    compliance,
    certificateAuthorityOf: (arn) => issuers[arn],
  });
}

const NO_COMPLIANCE = compliancePolicy('      {}');

it('has exactly one rule per rule id', () => {
  // Act
  const ids = RULES.map((r) => r.id);
  // Assess
  expect([...ids].sort()).toEqual([...APPMESH_RULE_IDS].sort());
});

describe('tls.strict', () => {
  const strict = compliancePolicy('      tls: { minimumMode: STRICT }');
  const permissive = compliancePolicy('      tls: { minimumMode: PERMISSIVE, kinds: [virtual-node] }');
  const plain = { portMapping: { port: 8080, protocol: 'http' as const } };
  const withMode = (mode: 'STRICT' | 'PERMISSIVE' | 'DISABLED') => ({
    ...strictListener(),
    tls: { ...strictListener().tls, mode },
  });

  it.each([
    ['STRICT under STRICT', strict, node('a', { listeners: [withMode('STRICT')] }), []],
    [
      'PERMISSIVE under STRICT',
      strict,
      node('a', { listeners: [withMode('PERMISSIVE')] }),
      [
        'virtual node a listener 8080/http has TLS mode PERMISSIVE; the policy requires STRICT: set its tls mode to STRICT.',
      ],
    ],
    [
      'no TLS under STRICT',
      strict,
      node('a', { listeners: [plain] }),
      [
        'virtual node a listener 8080/http does not use TLS; the policy requires STRICT: add tls with mode STRICT and a certificate.',
      ],
    ],
    ['PERMISSIVE under PERMISSIVE', permissive, node('a', { listeners: [withMode('PERMISSIVE')] }), []],
    [
      'DISABLED under PERMISSIVE',
      permissive,
      node('a', { listeners: [withMode('DISABLED')] }),
      [
        'virtual node a listener 8080/http has TLS mode DISABLED; the policy requires PERMISSIVE: set its tls mode to PERMISSIVE.',
      ],
    ],
    ['a gateway outside the configured kinds', permissive, gateway('gw', { listeners: [plain] }), []],
    [
      'a gateway by default',
      strict,
      gateway('gw', { listeners: [plain] }),
      [
        'virtual gateway gw listener 8080/http does not use TLS; the policy requires STRICT: add tls with mode STRICT and a certificate.',
      ],
    ],
    ['anything when not configured', NO_COMPLIANCE, node('a', { listeners: [plain] }), []],
  ])('%s', (_what, p, resource, expected) => {
    // Act
    const failures = check('tls.strict', resource, p);
    // Assess
    expect(failures).toEqual(expected);
  });
});

describe('tls.allowed-ca', () => {
  const p = compliancePolicy(`      tls:
        allowedCertificateAuthorities: ['arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/*']`);
  const withTrust = (ca: string) =>
    node('frontend', {
      backends: [
        {
          virtualService: {
            virtualServiceName: 'web.prod.local',
            clientPolicy: { tls: { validation: { trust: { acm: { certificateAuthorityArns: [ca] } } } } },
          },
        },
      ],
    });

  it.each<[string, MeshResource, Record<string, string>, string[]]>([
    [
      'an ACM certificate from an allowed CA',
      node('a', { listeners: [strictListener()] }),
      { [CERT]: LOCAL_CA },
      [],
    ],
    [
      'an ACM certificate from another CA',
      node('a', { listeners: [strictListener()] }),
      { [CERT]: OTHER_CA },
      [
        `virtual node a listener 8080/http serves certificate ${CERT} issued by ${OTHER_CA}, which the policy does not allow: re-issue it from arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/*.`,
      ],
    ],
    [
      'an ACM certificate of unknown issuer',
      node('a', { listeners: [strictListener()] }),
      {},
      [
        `virtual node a listener 8080/http serves certificate ${CERT}, whose issuing CA is unknown: make sure it is an ACM Private CA certificate issued by arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/*.`,
      ],
    ],
    [
      'a file certificate',
      node('a', {
        listeners: [
          {
            portMapping: { port: 8080, protocol: 'http' },
            tls: {
              mode: 'STRICT',
              certificate: { file: { certificateChain: '/c.pem', privateKey: '/k.pem' } },
            },
          },
        ],
      }),
      {},
      [
        'virtual node a listener 8080/http serves a certificate from a certificate file, whose issuer cannot be checked: serve an ACM certificate issued by arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/*.',
      ],
    ],
    ['client trust in an allowed CA', withTrust(LOCAL_CA), {}, []],
    [
      'client trust in another CA',
      withTrust(OTHER_CA),
      {},
      [
        `virtual node frontend backend web.prod.local trusts CA ${OTHER_CA}, which the policy does not allow: trust only arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/*.`,
      ],
    ],
  ])('%s', (_what, resource, issuers, expected) => {
    // Act
    const failures = check('tls.allowed-ca', resource, p, snapshot({}), issuers);
    // Assess
    expect(failures).toEqual(expected);
  });
});

describe('backend.client-tls', () => {
  const p = compliancePolicy('      backendClientTls: { required: true }');
  const noSans = compliancePolicy(
    '      backendClientTls: { required: true, requireSubjectAlternativeNames: false }',
  );
  const bareTls = { tls: { validation: { trust: { acm: { certificateAuthorityArns: [LOCAL_CA] } } } } };

  it.each<[string, CompiledPolicy, MeshResource, string[]]>([
    ['TLS with trust and SANs on the backend', p, node('f', { backends: [backend('web', clientTls())] }), []],
    [
      'TLS from backend defaults',
      p,
      node('f', { backends: [backend('web')], backendDefaults: { clientPolicy: clientTls() } }),
      [],
    ],
    [
      'no client policy',
      p,
      node('f', { backends: [backend('web')] }),
      [
        'virtual node f calls backend web without TLS: add a client policy with tls (validation trust and subject alternative names) to the backend or to backendDefaults.',
      ],
    ],
    [
      'TLS without SANs',
      p,
      node('f', { backends: [{ virtualService: { virtualServiceName: 'web', clientPolicy: bareTls } }] }),
      [
        "virtual node f calls backend web without checking subject alternative names: set tls.validation.subjectAlternativeNames.match.exact to the names the backend's certificate carries.",
      ],
    ],
    [
      'TLS without SANs when SANs are waived',
      noSans,
      node('f', { backends: [{ virtualService: { virtualServiceName: 'web', clientPolicy: bareTls } }] }),
      [],
    ],
    [
      'TLS not enforced',
      p,
      node('f', {
        backends: [
          {
            virtualService: {
              virtualServiceName: 'web',
              clientPolicy: { tls: { ...clientTls().tls, enforce: false } },
            },
          },
        ],
      }),
      [
        "virtual node f calls backend web with TLS not enforced: set the client policy's tls.enforce to true.",
      ],
    ],
  ])('%s', (_what, policyUnderTest, resource, expected) => {
    // Act
    const failures = check('backend.client-tls', resource, policyUnderTest);
    // Assess
    expect(failures).toEqual(expected);
  });
});

describe('access.graph', () => {
  const p = compliancePolicy(`      accessGraph:
        frontend: [web.prod.local, payments.prod.local]
        'web-v*': [payments.prod.local]
        payments: []`);

  it.each<[string, MeshResource, string[]]>([
    [
      'allowed edges',
      node('frontend', { backends: [backend('web.prod.local'), backend('payments.prod.local')] }),
      [],
    ],
    ['a glob entry', node('web-v2', { backends: [backend('payments.prod.local')] }), []],
    [
      'an edge the graph does not list',
      node('web-v1', { backends: [backend('frontend.prod.local')] }),
      [
        'virtual node web-v1 has backend frontend.prod.local, which the access graph does not allow (allowed: payments.prod.local): remove the backend, or add the edge to compliance.accessGraph.',
      ],
    ],
    [
      'any edge from a node listed with none',
      node('payments', { backends: [backend('web.prod.local')] }),
      [
        'virtual node payments has backend web.prod.local, which the access graph does not allow (the access graph allows it no backends): remove the backend, or add the edge to compliance.accessGraph.',
      ],
    ],
    [
      'any edge from a node the graph does not name',
      node('intruder', { backends: [backend('payments.prod.local')] }),
      [
        'virtual node intruder has backend payments.prod.local, which the access graph does not allow (the access graph allows it no backends): remove the backend, or add the edge to compliance.accessGraph.',
      ],
    ],
    ['no backends at all', node('intruder'), []],
  ])('%s', (_what, resource, expected) => {
    // Act
    const failures = check('access.graph', resource, p);
    // Assess
    expect(failures).toEqual(expected);
  });
});

describe('route rules', () => {
  const p = compliancePolicy(
    '      routes: { requireRetryPolicy: true, requireTimeout: true, maxWeightedTargets: 2, requireNonZeroWeights: true }',
  );
  const complete = route(
    'web-router',
    'web-route',
    httpRoute(
      [
        { virtualNode: 'web-v1', weight: 90 },
        { virtualNode: 'web-v2', weight: 10 },
      ],
      { retry: true, timeout: true },
    ),
  );
  const bare = route(
    'web-router',
    'web-route',
    httpRoute([
      { virtualNode: 'web-v1', weight: 0 },
      { virtualNode: 'web-v2', weight: 0 },
      { virtualNode: 'web-v3', weight: 0 },
    ]),
  );
  const tcp = route('db-router', 'db', {
    tcpRoute: { action: { weightedTargets: [{ virtualNode: 'db', weight: 1 }] } },
  });
  const tcpWithIdle = route('db-router', 'db', {
    tcpRoute: {
      action: { weightedTargets: [{ virtualNode: 'db', weight: 1 }] },
      timeout: { idle: { value: 30, unit: 's' } },
    },
  });

  it.each<[RuleId, MeshResource, string[]]>([
    ['route.retry-policy', complete, []],
    [
      'route.retry-policy',
      bare,
      [
        'route web-route of virtual router web-router has no retry policy: add httpRoute.retryPolicy with maxRetries, perRetryTimeout and the events to retry on.',
      ],
    ],
    ['route.retry-policy', tcp, []],
    ['route.timeout', complete, []],
    [
      'route.timeout',
      bare,
      [
        'route web-route of virtual router web-router has no per-request timeout: set httpRoute.timeout.perRequest.',
      ],
    ],
    [
      'route.timeout',
      tcp,
      ['route db of virtual router db-router has no idle timeout: set tcpRoute.timeout.idle.'],
    ],
    ['route.timeout', tcpWithIdle, []],
    ['route.max-targets', complete, []],
    [
      'route.max-targets',
      bare,
      [
        'route web-route of virtual router web-router splits traffic over 3 weighted targets; the policy allows at most 2: remove the targets that no longer take traffic.',
      ],
    ],
    ['route.weights-nonzero', complete, []],
    [
      'route.weights-nonzero',
      bare,
      [
        'route web-route of virtual router web-router gives every weighted target weight 0: give at least one target a weight above 0.',
      ],
    ],
  ])('%s on %s', (id, resource, expected) => {
    // Act
    const failures = check(id, resource, p);
    // Assess
    expect(failures).toEqual(expected);
  });

  it('runs none of them when the policy does not configure routes', () => {
    // Act
    const failures = [
      'route.retry-policy',
      'route.timeout',
      'route.max-targets',
      'route.weights-nonzero',
    ].flatMap((id) => check(id as RuleId, bare, NO_COMPLIANCE));
    // Assess
    expect(failures).toEqual([]);
  });
});

describe('health-check.required', () => {
  const p = compliancePolicy('      healthChecks: { required: true, kinds: [virtual-node] }');
  const healthCheck = {
    protocol: 'http' as const,
    path: '/health',
    intervalMillis: 5000,
    timeoutMillis: 2000,
    healthyThreshold: 2,
    unhealthyThreshold: 2,
  };

  it.each<[string, MeshResource, string[]]>([
    ['a listener with a health check', node('a', { listeners: [{ ...strictListener(), healthCheck }] }), []],
    [
      'a listener without one',
      node('a', { listeners: [strictListener()] }),
      [
        'virtual node a listener 8080/http has no health check: add a healthCheck (protocol, path, interval, timeout and thresholds).',
      ],
    ],
    [
      'a gateway outside the configured kinds',
      gateway('gw', { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] }),
      [],
    ],
  ])('%s', (_what, resource, expected) => {
    // Act
    const failures = check('health-check.required', resource, p);
    // Assess
    expect(failures).toEqual(expected);
  });
});

describe('tags.required', () => {
  const p = compliancePolicy(
    "      requiredTags: { tags: [{ key: team }, { key: env, value: 'prod' }], kinds: [virtual-node] }",
  );

  it.each<[string, MeshResource, string[]]>([
    ['all tags present', node('a', {}, { team: 'web', env: 'prod' }), []],
    [
      'a tag missing and a value wrong',
      node('a', {}, { env: 'dev' }),
      [
        'virtual node a has no tag team: tag it with team.',
        'virtual node a has tag env=dev; the policy requires env to match prod: fix the tag.',
      ],
    ],
    [
      'tags not read',
      node('a'),
      [
        'virtual node a has no tag team (its tags were not read): tag it with team.',
        'virtual node a has no tag env (its tags were not read): tag it with env.',
      ],
    ],
    ['a kind outside the configured kinds', service('s'), []],
  ])('%s', (_what, resource, expected) => {
    // Act
    const failures = check('tags.required', resource, p);
    // Assess
    expect(failures).toEqual(expected);
  });
});

describe('consistency rules', () => {
  const nodes = [
    node('web-v1', { listeners: [strictListener(8080)] }),
    node('multi', { listeners: [strictListener(8080), strictListener(9090)] }),
    node('deaf'),
  ];
  const snap = snapshot({
    nodes,
    routers: [
      router('web-router', { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] }),
      router('bare-router'),
    ],
    services: [
      service('web.prod.local', { provider: { virtualRouter: { virtualRouterName: 'web-router' } } }),
      service('gone.prod.local', { provider: { virtualNode: { virtualNodeName: 'ghost' } } }),
      service('external.example.com'),
    ],
  });
  const r = (spec: Parameters<typeof route>[2], parent = 'web-router') => route(parent, 'r', spec);

  it.each<[string, RuleId, MeshResource, string[]]>([
    [
      'a target port some listener serves',
      'consistency.target-port',
      r(httpRoute([{ virtualNode: 'web-v1', weight: 1, port: 8080 }])),
      [],
    ],
    [
      'a single-listener target without a port',
      'consistency.target-port',
      r(httpRoute([{ virtualNode: 'web-v1', weight: 1 }])),
      [],
    ],
    [
      'a target port no listener serves',
      'consistency.target-port',
      r(httpRoute([{ virtualNode: 'web-v1', weight: 1, port: 9090 }])),
      [
        "route r of virtual router web-router sends weight 1 to virtual node web-v1 on port 9090, but web-v1 listens on 8080: set the target's port to one of them.",
      ],
    ],
    [
      'a multi-listener target without a port',
      'consistency.target-port',
      r(httpRoute([{ virtualNode: 'multi', weight: 1 }])),
      [
        "route r of virtual router web-router sends weight 1 to virtual node multi without a port, but multi has several listeners (8080, 9090): set the target's port.",
      ],
    ],
    [
      'a target without listeners',
      'consistency.target-port',
      r(httpRoute([{ virtualNode: 'deaf', weight: 1 }])),
      [
        'route r of virtual router web-router sends weight 1 to virtual node deaf, which has no listener: add a listener to deaf.',
      ],
    ],
    [
      'a missing target',
      'consistency.target-port',
      r(httpRoute([{ virtualNode: 'ghost', weight: 5 }])),
      [
        'route r of virtual router web-router sends weight 5 to virtual node ghost, which does not exist: create the node or remove the target.',
      ],
    ],
    [
      'an http route on an http router',
      'consistency.route-protocol',
      r(httpRoute([{ virtualNode: 'web-v1', weight: 1 }])),
      [],
    ],
    [
      'a grpc route on an http router',
      'consistency.route-protocol',
      r({
        grpcRoute: {
          match: { serviceName: 's' },
          action: { weightedTargets: [{ virtualNode: 'web-v1', weight: 1 }] },
        },
      }),
      [
        "route r of virtual router web-router is a grpc route but virtual router web-router listens with http on 8080: make the route type match the listener's protocol.",
      ],
    ],
    [
      'a route matching a port the router does not listen on',
      'consistency.route-protocol',
      r(httpRoute([{ virtualNode: 'web-v1', weight: 1 }], { port: 9999 })),
      [
        'route r of virtual router web-router matches port 9999 but virtual router web-router has no listener on it: match a listener port.',
      ],
    ],
    [
      'a router without listeners',
      'consistency.route-protocol',
      r(httpRoute([{ virtualNode: 'web-v1', weight: 1 }]), 'bare-router'),
      [
        'route r of virtual router bare-router is a http route but virtual router bare-router has no listener: add one.',
      ],
    ],
    [
      'a route without a type',
      'consistency.route-protocol',
      r({}),
      [
        'route r of virtual router web-router has no route type: set exactly one of httpRoute, http2Route, grpcRoute or tcpRoute.',
      ],
    ],
    [
      'a route with some weight',
      'consistency.route-has-traffic',
      r(
        httpRoute([
          { virtualNode: 'web-v1', weight: 0 },
          { virtualNode: 'multi', weight: 1 },
        ]),
      ),
      [],
    ],
    [
      'a route with all weights zero',
      'consistency.route-has-traffic',
      r(httpRoute([{ virtualNode: 'web-v1', weight: 0 }])),
      [
        'route r of virtual router web-router sends no traffic anywhere (every weighted target has weight 0): give a target a weight above 0.',
      ],
    ],
    [
      'a route without targets',
      'consistency.route-has-traffic',
      r(httpRoute([])),
      [
        'route r of virtual router web-router sends no traffic anywhere (it has no weighted target): give a target a weight above 0.',
      ],
    ],
    [
      'a provider that exists',
      'consistency.provider-exists',
      service('web.prod.local', { provider: { virtualRouter: { virtualRouterName: 'web-router' } } }),
      [],
    ],
    ['a service without provider', 'consistency.provider-exists', service('external.example.com'), []],
    [
      'a provider that does not exist',
      'consistency.provider-exists',
      service('gone.prod.local', { provider: { virtualNode: { virtualNodeName: 'ghost' } } }),
      [
        'virtual service gone.prod.local is provided by virtual node ghost, which does not exist: create it, or point the provider at an existing node or router.',
      ],
    ],
    [
      'a backend that exists',
      'consistency.backend-exists',
      node('f', { backends: [backend('web.prod.local')] }),
      [],
    ],
    [
      'a backend that does not exist',
      'consistency.backend-exists',
      node('f', { backends: [backend('nope.prod.local')] }),
      [
        'virtual node f has backend nope.prod.local, which is not a virtual service of mesh prod: create the service or remove the backend.',
      ],
    ],
    [
      'a gateway route to a missing service',
      'consistency.backend-exists',
      gatewayRoute('gw', 'to-nowhere', {
        httpRoute: {
          match: { prefix: '/' },
          action: { target: { virtualService: { virtualServiceName: 'nope.prod.local' } } },
        },
      }),
      [
        'gateway route to-nowhere of virtual gateway gw forwards to virtual service nope.prod.local, which does not exist: create the service or change the target.',
      ],
    ],
  ])('%s', (_what, id, resource, expected) => {
    // Act
    const failures = check(id, resource, NO_COMPLIANCE, snap);
    // Assess
    expect(failures).toEqual(expected);
  });

  it('consistency.no-routing-loop: finds a loop through services and routers, and passes a chain', () => {
    // Prepare
    const looping = snapshot({
      nodes: [
        node('a', { backends: [backend('b.svc')] }),
        node('b', { backends: [backend('a.svc')] }),
        node('c', { backends: [backend('a.svc')] }),
      ],
      services: [
        service('a.svc', { provider: { virtualNode: { virtualNodeName: 'a' } } }),
        service('b.svc', { provider: { virtualRouter: { virtualRouterName: 'b-router' } } }),
      ],
      routers: [router('b-router', { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] })],
      routes: [route('b-router', 'r', httpRoute([{ virtualNode: 'b', weight: 1 }]))],
    });
    const [a, , c] = looping.virtualNodes;
    if (a === undefined || c === undefined) throw new Error('fixture');
    // Act
    const onA = check('consistency.no-routing-loop', a, NO_COMPLIANCE, looping);
    const onC = check('consistency.no-routing-loop', c, NO_COMPLIANCE, looping);
    // Assess
    expect(onA).toEqual([
      'virtual node a is in a routing loop (a -> b.svc -> b-router -> b -> a.svc -> a): remove a backend or route target so its traffic cannot come back to a.',
    ]);
    expect(onC).toEqual([]);
  });
});
