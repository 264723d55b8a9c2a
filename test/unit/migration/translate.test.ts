import { describe, expect, it } from 'vitest';
import { planMigration } from '../../../shared/migration/plan-migration';
import type { MigrationPlan, PlannedListener } from '../../../shared/migration/plan-model';
import { hasLostFeatures } from '../../../shared/migration/plan-model';
import { InvalidServiceNetworkNameError, translateMesh } from '../../../shared/migration/translate';
import { appMeshRouteOrder } from '../../../shared/providers/appmesh/route-order';
import {
  httpRoute,
  MESH,
  node,
  route,
  router,
  serviceOnNode,
  serviceOnRouter,
  snapshotOf,
} from './mesh-fixtures';

function listenerOf(plan: MigrationPlan, service = 'api-shop-local'): PlannedListener {
  const listener = plan.services.find((s) => s.name === service)?.listeners[0];
  if (listener === undefined) throw new Error(`no listener for ${service}`);
  return listener;
}

function parityOf(plan: MigrationPlan, feature: string) {
  return plan.parity.find((p) => p.feature === feature);
}

describe('translateMesh', () => {
  it('makes a service per virtual service, a listener per router listener and a rule per route, weights kept', () => {
    const plan = translateMesh(
      snapshotOf(MESH, [
        node('api-v1'),
        node('api-v2'),
        router('api-router'),
        httpRoute('api-router', 'canary', { prefix: '/' }, { 'api-v1': 90, 'api-v2': 10 }),
        serviceOnRouter('api.shop.local', 'api-router'),
      ]),
    );

    expect(plan.serviceNetwork.name).toBe('shop');
    expect(plan.services.map((s) => [s.name, s.customDomainName])).toEqual([
      ['api-shop-local', 'api.shop.local'],
    ]);
    const listener = listenerOf(plan);
    expect(listener).toMatchObject({
      protocol: 'HTTP',
      port: 8080,
      defaultAction: { fixedResponse: { statusCode: 404 } },
    });
    expect(listener.rules).toEqual([
      {
        name: 'canary',
        priority: 1,
        match: { path: { match: { prefix: '/' }, caseSensitive: true } },
        action: {
          forward: {
            targetGroups: [
              { targetGroupName: 'api-v1', weight: 90 },
              { targetGroupName: 'api-v2', weight: 10 },
            ],
          },
        },
        source: [{ kind: 'route', meshName: MESH, name: 'canary', parentName: 'api-router' }],
      },
    ]);
    expect(plan.associations).toEqual([
      { kind: 'service', serviceName: 'api-shop-local', serviceNetworkName: 'shop' },
    ]);
  });

  it('orders rules as App Mesh matches: priorities first (0 highest), then routes without one, most specific first', () => {
    const routes = [
      httpRoute('r', 'catch-all', { prefix: '/' }, { a: 1 }),
      httpRoute('r', 'low', { prefix: '/x' }, { a: 1 }, { priority: 1000 }),
      httpRoute('r', 'exact', { path: { exact: '/health' } }, { a: 1 }),
      httpRoute('r', 'high', { prefix: '/' }, { a: 1 }, { priority: 0 }),
      httpRoute('r', 'longer', { prefix: '/orders/' }, { a: 1 }),
    ];
    const plan = translateMesh(
      snapshotOf(MESH, [node('a'), router('r'), ...routes, serviceOnRouter('api.shop.local', 'r')]),
    );

    const rules = listenerOf(plan).rules;
    expect(rules.map((r) => [r.name, r.priority])).toEqual([
      ['high', 1],
      ['low', 2],
      ['exact', 3],
      ['longer', 4],
      ['catch-all', 5],
    ]);
    expect(appMeshRouteOrder(routes).map((r) => r.name)).toEqual([
      'high',
      'low',
      'exact',
      'longer',
      'catch-all',
    ]);
  });

  it('carries exact paths, header exact/prefix matches and methods, case-sensitive as App Mesh compares them', () => {
    const plan = translateMesh(
      snapshotOf(MESH, [
        node('a'),
        router('r'),
        httpRoute(
          'r',
          'beta',
          {
            path: { exact: '/cart' },
            method: 'POST',
            headers: [
              { name: 'x-beta', match: { exact: 'yes' } },
              { name: 'user-agent', match: { prefix: 'ios/' } },
            ],
          },
          { a: 1 },
        ),
        serviceOnRouter('api.shop.local', 'r'),
      ]),
    );

    expect(listenerOf(plan).rules[0]?.match).toEqual({
      path: { match: { exact: '/cart' }, caseSensitive: true },
      method: 'POST',
      headerMatches: [
        { name: 'x-beta', caseSensitive: true, match: { exact: 'yes' } },
        { name: 'user-agent', caseSensitive: true, match: { prefix: 'ios/' } },
      ],
    });
    expect(parityOf(plan, 'exact path match')?.status).toBe('exact');
    expect(parityOf(plan, 'method match')?.status).toBe('exact');
    expect(parityOf(plan, 'header prefix match')?.status).toBe('exact');
    expect(hasLostFeatures(plan)).toBe(false);
  });

  it('gives a route with a regex path no rule and reports it lost with what to do instead', () => {
    const plan = translateMesh(
      snapshotOf(MESH, [
        node('a'),
        node('b'),
        router('r'),
        httpRoute('r', 'by-id', { path: { regex: '/items/[0-9]+' } }, { b: 1 }, { priority: 1 }),
        httpRoute('r', 'rest', { prefix: '/' }, { a: 1 }, { priority: 2 }),
        serviceOnRouter('api.shop.local', 'r'),
      ]),
    );

    expect(listenerOf(plan).rules.map((r) => [r.name, r.priority])).toEqual([['rest', 1]]);
    const line = parityOf(plan, 'regex path match');
    expect(line).toMatchObject({ status: 'lost', source: [{ name: 'by-id', path: 'match.path.regex' }] });
    expect(line?.instead).toMatch(/exact paths or prefixes/);
    expect(hasLostFeatures(plan)).toBe(true);
  });

  it.each([
    ['query parameter match', { prefix: '/', queryParameters: [{ name: 'v', match: { exact: '2' } }] }],
    ['scheme match', { prefix: '/', scheme: 'https' as const }],
    ['inverted header match', { prefix: '/', headers: [{ name: 'x', invert: true, match: { exact: '1' } }] }],
    ['header presence match', { prefix: '/', headers: [{ name: 'x' }] }],
    ['header regex match', { prefix: '/', headers: [{ name: 'x', match: { regex: 'a.*' } }] }],
    ['header range match', { prefix: '/', headers: [{ name: 'x', match: { range: { start: 1, end: 5 } } }] }],
    ['header suffix match', { prefix: '/', headers: [{ name: 'x', match: { suffix: '.json' } }] }],
  ])('reports %s lost and writes no rule for it', (feature, match) => {
    const plan = translateMesh(
      snapshotOf(MESH, [
        node('a'),
        router('r'),
        httpRoute('r', 'special', match, { a: 1 }),
        serviceOnRouter('api.shop.local', 'r'),
      ]),
    );

    expect(listenerOf(plan).rules).toEqual([]);
    expect(parityOf(plan, feature)).toMatchObject({ status: 'lost', source: [{ name: 'special' }] });
    expect(parityOf(plan, feature)?.instead).toBeTruthy();
  });

  it('says past the default quota of 10 rules per listener that the quota is adjustable, and loses no route', () => {
    const routes = Array.from({ length: 11 }, (_, i) =>
      httpRoute('r', `route-${i + 1}`, { path: { exact: `/p${i + 1}` } }, { a: 1 }),
    );
    const plan = translateMesh(
      snapshotOf(MESH, [node('a'), router('r'), ...routes, serviceOnRouter('api.shop.local', 'r')]),
    );

    expect(listenerOf(plan).rules.map((r) => r.priority)).toEqual(
      Array.from({ length: 11 }, (_, i) => i + 1),
    );
    const line = parityOf(plan, 'more routes per router listener than the default rule quota');
    expect(line).toMatchObject({ status: 'different' });
    expect(line?.detail).toMatch(
      /default quota is 10 rules per listener \(adjustable; priorities go up to 2000\)/,
    );
    expect(line?.instead).toMatch(/quota increase \(Rules per listener\)/);
    expect(hasLostFeatures(plan)).toBe(false);
  });

  it('gives the first 2000 routes of a listener priorities 1..2000 and reports the ones past them lost', () => {
    const routes = Array.from({ length: 2001 }, (_, i) =>
      httpRoute('r', `route-${i + 1}`, { path: { exact: `/p${i + 1}` } }, { a: 1 }),
    );
    const plan = translateMesh(
      snapshotOf(MESH, [node('a'), router('r'), ...routes, serviceOnRouter('api.shop.local', 'r')]),
    );

    const rules = listenerOf(plan).rules;
    expect(rules).toHaveLength(2000);
    expect(rules.map((r) => r.priority)).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    const line = parityOf(plan, 'more than 2000 routes on one router listener');
    expect(line).toMatchObject({ status: 'lost' });
    expect(line?.detail).toMatch(/priorities are 1\.\.2000: routes past the 2000th/);
    expect(line?.source).toHaveLength(1);
    const kept = new Set(rules.map((r) => r.name));
    expect(line?.source.map((s) => s.name).filter((n) => kept.has(n))).toEqual([]);
    expect(hasLostFeatures(plan)).toBe(true);
  });

  it('reports retry policies, per-route timeouts and TCP routes lost', () => {
    const plan = translateMesh(
      snapshotOf(MESH, [
        node('a'),
        router('r'),
        httpRoute(
          'r',
          'web',
          { prefix: '/' },
          { a: 1 },
          {
            retryPolicy: {
              maxRetries: 2,
              perRetryTimeout: { value: 1, unit: 's' },
              httpRetryEvents: ['server-error'],
            },
            timeout: { perRequest: { value: 5, unit: 's' } },
          },
        ),
        route('r', 'raw', { tcpRoute: { action: { weightedTargets: [{ virtualNode: 'a', weight: 1 }] } } }),
        serviceOnRouter('api.shop.local', 'r'),
      ]),
    );

    expect(parityOf(plan, 'route retry policy')).toMatchObject({
      status: 'lost',
      source: [{ name: 'web', path: 'retryPolicy' }],
    });
    expect(parityOf(plan, 'per-route timeouts')?.status).toBe('lost');
    expect(parityOf(plan, 'TCP listeners and routes')).toMatchObject({
      status: 'lost',
      source: [{ name: 'raw' }],
    });
    expect(listenerOf(plan).rules.map((r) => r.name)).toEqual(['web']);
  });

  it('turns gRPC service and method names into path matches', () => {
    const grpcNode = node('cart', { listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }] });
    const plan = translateMesh(
      snapshotOf(MESH, [
        grpcNode,
        { ...router('r'), spec: { listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }] } },
        route('r', 'get', {
          grpcRoute: {
            match: {
              serviceName: 'shop.Cart',
              methodName: 'Get',
              metadata: [{ name: 'tenant', match: { exact: 'a' } }],
            },
            action: { weightedTargets: [{ virtualNode: 'cart', weight: 1 }] },
          },
        }),
        route('r', 'cart', {
          grpcRoute: {
            match: { serviceName: 'shop.Cart' },
            action: { weightedTargets: [{ virtualNode: 'cart', weight: 1 }] },
          },
        }),
        serviceOnRouter('api.shop.local', 'r'),
      ]),
    );

    expect(listenerOf(plan).rules.map((r) => r.match)).toEqual([
      {
        path: { match: { exact: '/shop.Cart/Get' }, caseSensitive: true },
        headerMatches: [{ name: 'tenant', caseSensitive: true, match: { exact: 'a' } }],
      },
      { path: { match: { prefix: '/shop.Cart/' }, caseSensitive: true } },
    ]);
    expect(plan.targetGroups[0]).toMatchObject({
      name: 'cart',
      port: 50051,
      protocol: 'HTTP',
      protocolVersion: 'GRPC',
    });
  });

  it('makes a target group per node listener with the health check in seconds, and says when it rounds', () => {
    const plan = translateMesh(
      snapshotOf(MESH, [
        node('exact', {
          listeners: [
            {
              portMapping: { port: 8080, protocol: 'http2' },
              healthCheck: {
                protocol: 'http2',
                path: '/ping',
                intervalMillis: 10000,
                timeoutMillis: 2000,
                healthyThreshold: 2,
                unhealthyThreshold: 3,
              },
            },
          ],
        }),
        node('odd', {
          listeners: [
            {
              portMapping: { port: 9090, protocol: 'http' },
              healthCheck: {
                protocol: 'http',
                path: '/h',
                intervalMillis: 1500,
                timeoutMillis: 1200,
                healthyThreshold: 1,
                unhealthyThreshold: 12,
              },
            },
          ],
        }),
      ]),
    );

    expect(plan.targetGroups).toEqual([
      expect.objectContaining({
        name: 'exact',
        type: 'IP',
        port: 8080,
        protocol: 'HTTP',
        protocolVersion: 'HTTP2',
        virtualNode: 'exact',
        discovery: { dns: 'exact.shop.local' },
        healthCheck: {
          enabled: true,
          protocol: 'HTTP',
          protocolVersion: 'HTTP2',
          path: '/ping',
          healthCheckIntervalSeconds: 10,
          healthCheckTimeoutSeconds: 2,
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 3,
        },
      }),
      expect.objectContaining({
        name: 'odd',
        healthCheck: expect.objectContaining({
          healthCheckIntervalSeconds: 5,
          healthCheckTimeoutSeconds: 1,
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 10,
        }),
      }),
    ]);
    expect(parityOf(plan, 'HTTP health check')?.source.map((s) => s.name)).toEqual(['exact']);
    expect(parityOf(plan, 'HTTP health check (rounded)')).toMatchObject({
      status: 'different',
      source: [{ name: 'odd' }],
    });
  });

  it('serves HTTPS with the ACM certificate the nodes use, and reports mTLS and client TLS policies lost', () => {
    const certificateArn = 'arn:aws:acm:us-east-1:111122223333:certificate/abc';
    const plan = translateMesh(
      snapshotOf(MESH, [
        node('api', {
          listeners: [
            {
              portMapping: { port: 8443, protocol: 'http' },
              tls: {
                mode: 'STRICT',
                certificate: { acm: { certificateArn } },
                validation: { trust: { file: { certificateChain: '/ca.pem' } } },
              },
            },
          ],
        }),
        node('client', {
          backends: [
            {
              virtualService: {
                virtualServiceName: 'api.shop.local',
                clientPolicy: {
                  tls: {
                    validation: {
                      trust: { acm: { certificateAuthorityArns: ['arn:ca'] } },
                      subjectAlternativeNames: { match: { exact: ['api.shop.local'] } },
                    },
                  },
                },
              },
            },
          ],
        }),
        serviceOnNode('api.shop.local', 'api'),
      ]),
    );

    const service = plan.services[0];
    expect(service).toMatchObject({
      name: 'api-shop-local',
      certificateArn,
      customDomainName: 'api.shop.local',
    });
    expect(service?.listeners[0]).toMatchObject({
      protocol: 'HTTPS',
      port: 8443,
      defaultAction: { forward: { targetGroups: [{ targetGroupName: 'api', weight: 1 }] } },
    });
    expect(parityOf(plan, 'listener TLS with an ACM certificate')?.status).toBe('different');
    expect(
      parityOf(plan, 'mutual TLS on the listener (client certificate validation, SAN match)')?.status,
    ).toBe('lost');
    expect(parityOf(plan, 'client TLS policy (origination, trust, SAN validation)')).toMatchObject({
      status: 'lost',
      source: [{ name: 'client' }],
    });
  });

  it('builds the auth policy from backends and the access graph, with IAM roles where they are mapped', () => {
    const role = 'arn:aws:iam::111122223333:role/checkout-task';
    const snapshot = snapshotOf(MESH, [
      node('api'),
      node('checkout', { backends: [{ virtualService: { virtualServiceName: 'api.shop.local' } }] }),
      node('reports'),
      serviceOnNode('api.shop.local', 'api'),
    ]);
    const accessGraph = [{ node: { test: (n: string) => n === 'reports' }, services: { test: () => true } }];

    const mapped = translateMesh(snapshot, { principals: { checkout: role } });
    const partly = translateMesh(snapshot, { principals: { checkout: role }, accessGraph });

    expect(mapped.services[0]?.auth).toEqual({
      authType: 'AWS_IAM',
      callers: [{ virtualNode: 'checkout', kind: 'virtual-node', via: ['backend'], principalArn: role }],
      unmappedCallers: [],
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'CallersAllowedInAppMesh',
            Effect: 'Allow',
            Principal: { AWS: [role] },
            Action: 'vpc-lattice-svcs:Invoke',
            Resource: '*',
          },
        ],
      },
    });
    expect(parityOf(mapped, 'service-to-service access (backends, access graph)')?.status).toBe('exact');
    expect(partly.services[0]?.auth.unmappedCallers).toEqual(['reports']);
    expect(partly.services[0]?.auth.policy?.Statement[0]?.Principal).toBe('*');
    expect(parityOf(partly, 'service-to-service access (backends, access graph)')).toMatchObject({
      status: 'different',
      instead: expect.stringContaining('--principal'),
    });
  });

  it('reports outlier detection, connection pools, listener timeouts and virtual gateways lost', () => {
    const plan = translateMesh(
      snapshotOf(MESH, [
        node('api', {
          listeners: [
            {
              portMapping: { port: 8080, protocol: 'http' },
              outlierDetection: {
                maxServerErrors: 5,
                interval: { value: 10, unit: 's' },
                baseEjectionDuration: { value: 30, unit: 's' },
                maxEjectionPercent: 50,
              },
              connectionPool: { http: { maxConnections: 100 } },
              timeout: { http: { perRequest: { value: 3, unit: 's' } } },
            },
          ],
        }),
        {
          kind: 'virtual-gateway',
          meshName: MESH,
          name: 'edge',
          spec: { listeners: [{ portMapping: { port: 443, protocol: 'http' } }] },
        },
      ]),
    );

    for (const feature of [
      'outlier detection',
      'connection pool limits',
      'listener timeouts',
      'virtual gateways (ingress)',
    ])
      expect(parityOf(plan, feature)?.status, feature).toBe('lost');
  });

  it('keeps names Lattice accepts and apart when two App Mesh names spell the same', () => {
    const plan = translateMesh(snapshotOf(MESH, [node('Web_V1'), node('web.v1')]));

    expect(plan.targetGroups.map((t) => t.name)).toEqual(['web-v1', 'web-v1-2']);
  });

  it('refuses a service network name Lattice would refuse, and uses a valid one as given', () => {
    const snapshot = snapshotOf(MESH, [node('a')]);

    expect(() => translateMesh(snapshot, { serviceNetworkName: 'Bad_Name' })).toThrow(
      InvalidServiceNetworkNameError,
    );
    expect(translateMesh(snapshot, { serviceNetworkName: 'shop-lattice' }).serviceNetwork.name).toBe(
      'shop-lattice',
    );
  });

  it('sets the VPC on target groups and associates it with the network when given', () => {
    const plan = translateMesh(snapshotOf(MESH, [node('a')]), { vpcIdentifier: 'vpc-0abc' });

    expect(plan.targetGroups[0]?.vpcIdentifier).toBe('vpc-0abc');
    expect(plan.associations).toContainEqual({
      kind: 'vpc',
      vpcIdentifier: 'vpc-0abc',
      serviceNetworkName: 'shop',
    });
  });

  it('scales weights above 999 into range and says when the rounding moves the shares', () => {
    const plan = translateMesh(
      snapshotOf(MESH, [
        node('a'),
        node('b'),
        router('r'),
        httpRoute('r', 'even', { prefix: '/even' }, { a: 1000, b: 2000 }),
        httpRoute('r', 'odd', { prefix: '/odd' }, { a: 1001, b: 3000 }),
        serviceOnRouter('api.shop.local', 'r'),
      ]),
    );

    const weights = listenerOf(plan).rules.map((r) =>
      'forward' in r.action ? r.action.forward.targetGroups.map((t) => t.weight) : [],
    );
    expect(weights.flat().every((w) => w >= 0 && w <= 999)).toBe(true);
    expect(weights).toEqual([
      [1, 2],
      [333, 999],
    ]);
    const lines = plan.parity.filter((p) => p.feature === 'weights above 999');
    expect(lines.map((l) => [l.status, l.source[0]?.name])).toEqual([
      ['different', 'odd'],
      ['exact', 'even'],
    ]);
  });

  it('puts a route on the listener of the port it matches when the router has several', () => {
    const plan = translateMesh(
      snapshotOf(MESH, [
        node('a', {
          listeners: [
            { portMapping: { port: 8080, protocol: 'http' } },
            { portMapping: { port: 9090, protocol: 'http' } },
          ],
        }),
        router('r', [8080, 9090]),
        httpRoute('r', 'admin', { prefix: '/', port: 9090 }, { a: 1 }),
        httpRoute('r', 'public', { prefix: '/', port: 8080 }, { a: 1 }),
        serviceOnRouter('api.shop.local', 'r'),
      ]),
    );

    const listeners = plan.services[0]?.listeners ?? [];
    expect(listeners.map((l) => [l.port, l.rules.map((r) => r.name)])).toEqual([
      [8080, ['public']],
      [9090, ['admin']],
    ]);
    expect(plan.targetGroups.map((t) => [t.name, t.port])).toEqual([
      ['a-8080', 8080],
      ['a-9090', 9090],
    ]);
  });

  it('plans with a routing simulation that finds no difference on what it carries over', () => {
    const plan = planMigration(
      snapshotOf(MESH, [
        node('a'),
        node('b'),
        router('r'),
        httpRoute(
          'r',
          'beta',
          { prefix: '/api', headers: [{ name: 'x-beta', match: { exact: '1' } }] },
          { b: 1 },
        ),
        httpRoute('r', 'api', { prefix: '/api' }, { a: 3, b: 1 }),
        serviceOnRouter('api.shop.local', 'r'),
      ]),
    );

    expect(plan.routingParity?.requestsTried).toBeGreaterThan(50);
    expect(plan.routingParity?.differences).toEqual([]);
  });
});
