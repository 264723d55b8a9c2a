import { describe, expect, it } from 'vitest';
import type { ResourceRef } from '../../../shared/domain/resource-key';
import type { MeshSnapshot } from '../../../shared/domain/snapshot';
import { describeFinding, judgeMesh, judgeResource } from '../../../shared/policy/judge';
import { loadPolicy } from '../../../shared/policy/load';
import { buildMeshIndex } from '../../../shared/policy/mesh-index';
import { precomputeRoutingLoops, routingLoopThrough } from '../../../shared/policy/routing-loops';
import type { MeshResourceOf } from '../../../shared/providers/appmesh/model';
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
  route,
  router,
  service,
  snapshot,
  strictListener,
} from './fixtures';

const NOW = new Date('2026-11-26T12:00:00Z');
const LISTENER = { portMapping: { port: 8080, protocol: 'http' as const } };

/** The mesh `npm start` seeds, as the demo policy expects it. */
function demoMesh(): MeshSnapshot {
  const retryAndTimeout = { retry: true, timeout: true };
  return snapshot({
    gateways: [gateway('ingress-gw', { listeners: [LISTENER] })],
    gatewayRoutes: [
      gatewayRoute('ingress-gw', 'to-frontend', {
        httpRoute: {
          match: { prefix: '/' },
          action: { target: { virtualService: { virtualServiceName: 'frontend.prod.local' } } },
        },
      }),
    ],
    nodes: [
      node('frontend', {
        listeners: [strictListener()],
        backends: [backend('web.prod.local'), backend('payments.prod.local')],
        backendDefaults: { clientPolicy: clientTls(['web.prod.local', 'payments.prod.local']) },
      }),
      node('web-v1', { listeners: [strictListener()] }),
      node('web-v2', { listeners: [strictListener()] }),
      node('payments', { listeners: [strictListener()] }),
    ],
    services: [
      service('frontend.prod.local', { provider: { virtualNode: { virtualNodeName: 'frontend' } } }),
      service('web.prod.local', { provider: { virtualRouter: { virtualRouterName: 'web-router' } } }),
      service('payments.prod.local', { provider: { virtualNode: { virtualNodeName: 'payments' } } }),
    ],
    routers: [router('web-router', { listeners: [LISTENER] })],
    routes: [
      route(
        'web-router',
        'web-route',
        httpRoute(
          [
            { virtualNode: 'web-v1', weight: 90 },
            { virtualNode: 'web-v2', weight: 10 },
          ],
          retryAndTimeout,
        ),
      ),
    ],
  });
}

const ISSUERS = { certificateAuthorities: new Map([[CERT, LOCAL_CA.replace('local-ca', 'demo')]]) };

describe('judgeMesh', () => {
  it('finds the demo mesh compliant with the demo policy', () => {
    // Prepare
    const demo = loadPolicy('infra/local/demo/meshwarden.policy.yaml');
    // Act
    const result = judgeMesh(demoMesh(), demo, NOW, ISSUERS);
    // Assess
    expect(result.findings.map(describeFinding)).toEqual([]);
    expect(result).toMatchObject({ meshName: 'prod', governed: true, violations: 0, expiredExemptions: [] });
  });

  it('reports every broken resource of the demo mesh once broken', () => {
    // Prepare
    const demo = loadPolicy('infra/local/demo/meshwarden.policy.yaml');
    const mesh = demoMesh();
    const broken: MeshSnapshot = {
      ...mesh,
      routes: [route('web-router', 'web-route', httpRoute([{ virtualNode: 'web-v3', weight: 0 }]))],
    };
    // Act
    const result = judgeMesh(broken, demo, NOW, ISSUERS);
    // Assess
    expect(result.findings.map((f) => `${f.resourceKey} ${f.ruleId}`)).toEqual([
      'prod/route/web-router/web-route route.retry-policy',
      'prod/route/web-router/web-route route.timeout',
      'prod/route/web-router/web-route consistency.target-port',
      'prod/route/web-router/web-route consistency.route-has-traffic',
    ]);
    expect(result.violations).toBe(4);
  });

  it('runs consistency rules on a mesh no entry governs', () => {
    // Prepare
    const p = compliancePolicy('      {}');
    const other: MeshSnapshot = {
      ...snapshot({ nodes: [node('a', { backends: [backend('nope')] })] }),
      meshName: 'dev',
    };
    const renamed: MeshSnapshot = {
      ...other,
      mesh: { ...other.mesh, meshName: 'dev', name: 'dev' },
      virtualNodes: other.virtualNodes.map((n) => ({ ...n, meshName: 'dev' })),
    };
    // Act
    const result = judgeMesh(renamed, p, NOW);
    // Assess
    expect(result.governed).toBe(false);
    expect(result.findings.map((f) => f.ruleId)).toEqual(['consistency.backend-exists']);
  });
});

describe('exemptions', () => {
  const mesh = snapshot({
    nodes: [node('legacy-1', { listeners: [LISTENER] }), node('web', { listeners: [LISTENER] })],
  });
  const withExemption = (rules: string, expires: string) =>
    compliancePolicy(
      '      tls: { minimumMode: STRICT }',
      `      - resource: 'prod/virtual-node/legacy-*'
        rules: [${rules}]
        expires: '${expires}'
        reason: Legacy app, TLS lands with LEG-7`,
    );

  it('exempts matching resources from the named rule while active', () => {
    // Act
    const result = judgeMesh(mesh, withExemption('tls.strict', '2026-11-26'), NOW);
    // Assess
    expect(result.findings.map((f) => `${f.resourceKey} ${f.status}`)).toEqual([
      'prod/virtual-node/legacy-1 exempted',
      'prod/virtual-node/web violation',
    ]);
    expect(result.violations).toBe(1);
    expect(describeFinding(result.findings[0] as (typeof result.findings)[number])).toMatch(
      /\[exempt until 2026-11-26: Legacy app, TLS lands with LEG-7\]$/,
    );
  });

  it('stops exempting after the expiry and reports the expired exemption', () => {
    // Prepare
    const p = withExemption('tls.strict', '2026-11-25');
    // Act
    const result = judgeMesh(mesh, p, NOW);
    // Assess
    expect(result.findings.map((f) => `${f.resourceKey} ${f.status}`)).toEqual([
      'prod/virtual-node/legacy-1 violation',
      'prod/virtual-node/web violation',
    ]);
    expect(result.findings[0]?.exemption).toMatchObject({ expired: true, expires: '2026-11-25' });
    expect(result.expiredExemptions.map((e) => e.expires)).toEqual(['2026-11-25']);
    expect(describeFinding(result.findings[0] as (typeof result.findings)[number])).toMatch(
      /\[exemption 0 expired 2026-11-25: Legacy app, TLS lands with LEG-7\]$/,
    );
  });

  it('honours a date-time expiry to the second', () => {
    // Act
    const before = judgeMesh(mesh, withExemption('tls.strict', '2026-11-26T12:00:01Z'), NOW);
    const at = judgeMesh(mesh, withExemption('tls.strict', '2026-11-26T12:00:00Z'), NOW);
    // Assess
    expect(before.findings[0]?.status).toBe('exempted');
    expect(at.findings[0]?.status).toBe('violation');
  });

  it('does not exempt from another rule', () => {
    // Act
    const result = judgeMesh(mesh, withExemption('tls.allowed-ca', '2027-01-01'), NOW);
    // Assess
    expect(result.findings.map((f) => f.status)).toEqual(['violation', 'violation']);
    expect(result.findings[0]?.exemption).toBeUndefined();
  });

  it('exempts from a consistency rule too', () => {
    // Prepare
    const broken = snapshot({ nodes: [node('legacy-1', { backends: [backend('gone')] })] });
    // Act
    const result = judgeMesh(broken, withExemption('consistency.backend-exists', '2027-01-01'), NOW);
    // Assess
    expect(result.findings.map((f) => `${f.ruleId} ${f.status}`)).toEqual([
      'consistency.backend-exists exempted',
    ]);
  });
});

describe('judgeResource', () => {
  const p = compliancePolicy('      routes: { requireRetryPolicy: true }');
  // Unrelated breakage elsewhere must not show up when judging one change.
  const unrelated = node('elsewhere', { backends: [backend('missing.svc')] });

  function mesh(routes: MeshResourceOf<'route'>[], extra: Partial<Parameters<typeof snapshot>[0]> = {}) {
    return snapshot({
      nodes: [
        node('web-v1', { listeners: [LISTENER] }),
        node('web-v2', { listeners: [LISTENER] }),
        unrelated,
      ],
      routers: [router('web-router', { listeners: [LISTENER] })],
      services: [service('web.svc', { provider: { virtualRouter: { virtualRouterName: 'web-router' } } })],
      routes,
      ...extra,
    });
  }
  const ref = (kind: ResourceRef['kind'], name: string, parentName?: string): ResourceRef =>
    parentName === undefined
      ? { kind, meshName: 'prod', name }
      : { kind, meshName: 'prod', name, parentName };

  it('judges a changed route by its own rules and its neighbours only', () => {
    // Prepare
    const index = buildMeshIndex(
      mesh([route('web-router', 'r', httpRoute([{ virtualNode: 'web-v1', weight: 1, port: 9 }]))]),
    );
    // Act
    const findings = judgeResource(ref('route', 'r', 'web-router'), index, p, NOW);
    // Assess
    expect(findings.map((f) => `${f.resourceKey} ${f.ruleId}`)).toEqual([
      'prod/route/web-router/r route.retry-policy',
      'prod/route/web-router/r consistency.target-port',
    ]);
  });

  it('re-checks the routes targeting a changed node (a listener port moved)', () => {
    // Prepare
    const moved = node('web-v1', { listeners: [{ portMapping: { port: 9090, protocol: 'http' } }] });
    const routes = [
      route(
        'web-router',
        'r',
        httpRoute([{ virtualNode: 'web-v1', weight: 1, port: 8080 }], { retry: true }),
      ),
    ];
    const index = buildMeshIndex(mesh(routes, { nodes: [moved, unrelated] }));
    // Act
    const findings = judgeResource(ref('virtual-node', 'web-v1'), index, p, NOW);
    // Assess
    expect(findings.map((f) => `${f.resourceKey} ${f.ruleId}`)).toEqual([
      'prod/route/web-router/r consistency.target-port',
    ]);
  });

  it('re-checks the routes of a changed router (its listener protocol changed)', () => {
    // Prepare
    const routes = [
      route('web-router', 'r', httpRoute([{ virtualNode: 'web-v1', weight: 1 }], { retry: true })),
    ];
    const grpcRouter = router('web-router', {
      listeners: [{ portMapping: { port: 8080, protocol: 'grpc' } }],
    });
    const index = buildMeshIndex(mesh(routes, { routers: [grpcRouter] }));
    // Act
    const findings = judgeResource(ref('virtual-router', 'web-router'), index, p, NOW);
    // Assess
    expect(findings.map((f) => `${f.resourceKey} ${f.ruleId}`)).toEqual([
      'prod/route/web-router/r consistency.route-protocol',
    ]);
  });

  it('judges a deleted service through the resources that still name it', () => {
    // Prepare
    const callers = [node('frontend', { backends: [backend('web.svc')] }), unrelated];
    const gw = gatewayRoute('gw', 'in', {
      httpRoute: {
        match: { prefix: '/' },
        action: { target: { virtualService: { virtualServiceName: 'web.svc' } } },
      },
    });
    const index = buildMeshIndex(mesh([], { nodes: callers, services: [], gatewayRoutes: [gw] }));
    // Act
    const findings = judgeResource(ref('virtual-service', 'web.svc'), index, p, NOW);
    // Assess
    expect(findings.map((f) => `${f.resourceKey} ${f.ruleId}`)).toEqual([
      'prod/virtual-node/frontend consistency.backend-exists',
      'prod/gateway-route/gw/in consistency.backend-exists',
    ]);
  });

  it('judges a deleted router through the services it provided', () => {
    // Prepare
    const index = buildMeshIndex(mesh([], { routers: [] }));
    // Act
    const findings = judgeResource(ref('virtual-router', 'web-router'), index, p, NOW);
    // Assess
    expect(findings.map((f) => `${f.resourceKey} ${f.ruleId}`)).toEqual([
      'prod/virtual-service/web.svc consistency.provider-exists',
    ]);
  });

  it('finds a routing loop closed by a route change', () => {
    // Prepare: web-v2 calls web.svc, which web-router serves; the new route sends traffic to web-v2.
    const caller = node('web-v2', { listeners: [LISTENER], backends: [backend('web.svc')] });
    const routes = [
      route('web-router', 'r', httpRoute([{ virtualNode: 'web-v2', weight: 1 }], { retry: true })),
    ];
    const index = buildMeshIndex(
      mesh(routes, { nodes: [node('web-v1', { listeners: [LISTENER] }), caller, unrelated] }),
    );
    // Act
    const findings = judgeResource(ref('route', 'r', 'web-router'), index, p, NOW);
    // Assess
    expect(findings.map((f) => `${f.resourceKey} ${f.ruleId}`)).toEqual([
      'prod/virtual-node/web-v2 consistency.no-routing-loop',
    ]);
    expect(findings[0]?.message).toContain('(web-v2 -> web.svc -> web-router -> web-v2)');
  });

  it('refuses a ref from another mesh', () => {
    // Prepare
    const index = buildMeshIndex(mesh([]));
    // Act
    const act = () => judgeResource({ kind: 'virtual-node', meshName: 'dev', name: 'a' }, index, p, NOW);
    // Assess
    expect(act).toThrow(RangeError);
  });
});

describe('routing loops', () => {
  it('agree between the full pass and the per-node search', () => {
    // Prepare: a ring of 50 nodes through services, one node off the ring.
    const size = 50;
    const nodes = Array.from({ length: size }, (_, i) =>
      node(`n${i}`, { backends: [backend(`s${(i + 1) % size}`)] }),
    );
    nodes.push(node('off', { backends: [backend('s0')] }));
    const services = Array.from({ length: size }, (_, i) =>
      service(`s${i}`, { provider: { virtualNode: { virtualNodeName: `n${i}` } } }),
    );
    const snap = snapshot({ nodes, services });
    const lazy = buildMeshIndex(snap);
    const eager = buildMeshIndex(snap);
    precomputeRoutingLoops(eager);
    // Act
    const fromLazy = nodes.map((n) => routingLoopThrough(lazy, n.name)?.length);
    const fromEager = nodes.map((n) => routingLoopThrough(eager, n.name)?.length);
    // Assess
    expect(fromEager).toEqual(fromLazy);
    expect(fromLazy.slice(0, size)).toEqual(Array(size).fill(2 * size + 1));
    expect(fromLazy[size]).toBeUndefined();
  });

  it('handles a 20,000-vertex chain without recursion', () => {
    // Prepare
    const size = 10_000;
    const nodes = Array.from({ length: size }, (_, i) =>
      node(`n${i}`, i + 1 < size ? { backends: [backend(`s${i + 1}`)] } : {}),
    );
    const services = Array.from({ length: size }, (_, i) =>
      service(`s${i}`, { provider: { virtualNode: { virtualNodeName: `n${i}` } } }),
    );
    const index = buildMeshIndex(snapshot({ nodes, services }));
    // Act
    precomputeRoutingLoops(index);
    const loop = routingLoopThrough(index, 'n0');
    // Assess
    expect(loop).toBeUndefined();
  });
});

describe('a synthetic mesh of 2,000 virtual nodes and 5,000 routes', () => {
  it('is audited in one pass, finding exactly the seeded violations', () => {
    // Prepare
    const NODES = 2000;
    const ROUTERS = 1000;
    const ROUTES_PER_ROUTER = 5;
    const p =
      compliancePolicy(`      tls: { minimumMode: STRICT, allowedCertificateAuthorities: ['${LOCAL_CA}'] }
      backendClientTls: { required: true }
      accessGraph: { '*': ['*'] }
      routes: { requireRetryPolicy: true, requireTimeout: true, maxWeightedTargets: 2, requireNonZeroWeights: true }
      healthChecks: { required: true }`);
    const healthCheck = {
      protocol: 'http' as const,
      intervalMillis: 5000,
      timeoutMillis: 2000,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
    };
    // Backends only point at higher-numbered nodes' routers, so there is no loop.
    const nodes = Array.from({ length: NODES }, (_, i) =>
      node(`n${i}`, {
        listeners: [{ ...strictListener(), healthCheck }],
        backends: i + 2 < NODES ? [backend(`svc${Math.floor((i + 2) / 2) % ROUTERS}`, clientTls())] : [],
      }),
    );
    const routers = Array.from({ length: ROUTERS }, (_, i) => router(`r${i}`, { listeners: [LISTENER] }));
    const services = Array.from({ length: ROUTERS }, (_, i) =>
      service(`svc${i}`, { provider: { virtualRouter: { virtualRouterName: `r${i}` } } }),
    );
    const routes = routers.flatMap((r, i) =>
      Array.from({ length: ROUTES_PER_ROUTER }, (_, j) =>
        route(
          r.name,
          `route${j}`,
          httpRoute(
            [
              { virtualNode: `n${(2 * i) % NODES}`, weight: 90 },
              { virtualNode: `n${(2 * i + 1) % NODES}`, weight: 10 },
            ],
            { retry: true, timeout: j !== 0 || i % 100 !== 0 },
          ),
        ),
      ),
    );
    const snap = snapshot({ nodes, routers, services, routes });
    const issuers = { certificateAuthorities: new Map([[CERT, LOCAL_CA]]) };
    // Act
    const result = judgeMesh(snap, p, NOW, issuers);
    // Assess: one missing timeout seeded per 100 routers.
    expect(snap.routes).toHaveLength(5000);
    expect(result.findings.map((f) => f.ruleId)).toEqual(Array(ROUTERS / 100).fill('route.timeout'));
  });
});
