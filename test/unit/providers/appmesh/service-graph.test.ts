import { describe, expect, it } from 'vitest';
import type { ServiceGraph } from '../../../../shared/domain/service-graph';
import {
  appMeshCallersOf,
  appMeshCallsOf,
  appMeshListenersOf,
  appMeshRouteOf,
  appMeshServedBy,
  appMeshServiceGraph,
  appMeshTargetsOf,
} from '../../../../shared/providers/appmesh/service-graph';
import {
  backend,
  CERT,
  gateway,
  httpRoute,
  node,
  route,
  router,
  service,
  snapshot,
  strictListener,
} from '../../policy/fixtures';

// A router splitting web between two nodes, a service served by a node directly, a frontend
// calling both services, and a gateway whose listener serves a certificate from a file.
function mesh() {
  return snapshot({
    nodes: [
      node('web-v1', { listeners: [strictListener(8080)] }),
      node('web-v2', { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] }),
      node('db'),
      node('frontend', { backends: [backend('web.prod.local'), backend('db.prod.local')] }),
    ],
    services: [
      service('web.prod.local', { provider: { virtualRouter: { virtualRouterName: 'web-router' } } }),
      service('db.prod.local', { provider: { virtualNode: { virtualNodeName: 'db' } } }),
    ],
    routers: [router('web-router')],
    routes: [
      route(
        'web-router',
        'web',
        httpRoute([
          { virtualNode: 'web-v1', weight: 90 },
          { virtualNode: 'web-v2', weight: 10 },
        ]),
      ),
      route('web-router', 'nowhere', {}),
    ],
    gateways: [
      gateway('edge', {
        listeners: [
          {
            portMapping: { port: 443, protocol: 'http' },
            tls: {
              mode: 'STRICT',
              certificate: { file: { certificateChain: '/certs/edge.pem', privateKey: '/certs/edge.key' } },
            },
          },
        ],
      }),
    ],
  });
}

describe('appMeshServiceGraph', () => {
  it('maps a mesh into services, routes, targets, listeners, callers and certificates in use', () => {
    // Prepare
    const input = mesh();

    // Act
    const graph = appMeshServiceGraph(input);

    // Assess
    const expected: ServiceGraph = {
      provider: 'appmesh',
      scope: 'prod',
      services: [
        {
          key: 'prod/virtual-service/web.prod.local',
          name: 'web.prod.local',
          routedBy: ['prod/virtual-router/web-router'],
          servedBy: [],
        },
        { key: 'prod/virtual-service/db.prod.local', name: 'db.prod.local', routedBy: [], servedBy: ['db'] },
      ],
      routes: [
        {
          key: 'prod/route/web-router/web',
          label: 'route web of virtual router web-router',
          parent: 'prod/virtual-router/web-router',
          targets: [
            { target: 'web-v1', weight: 90 },
            { target: 'web-v2', weight: 10 },
          ],
        },
        {
          key: 'prod/route/web-router/nowhere',
          label: 'route nowhere of virtual router web-router',
          parent: 'prod/virtual-router/web-router',
          targets: [],
        },
      ],
      targets: [
        { key: 'prod/virtual-node/web-v1', name: 'web-v1' },
        { key: 'prod/virtual-node/web-v2', name: 'web-v2' },
        { key: 'prod/virtual-node/db', name: 'db' },
        { key: 'prod/virtual-node/frontend', name: 'frontend' },
      ],
      listeners: [
        {
          owner: 'prod/virtual-node/web-v1',
          label: 'virtual node web-v1 listener 8080/http',
          port: 8080,
          protocol: 'http',
          tls: { mode: 'STRICT', certificate: { source: 'acm', arn: CERT } },
        },
        {
          owner: 'prod/virtual-node/web-v2',
          label: 'virtual node web-v2 listener 8080/http',
          port: 8080,
          protocol: 'http',
        },
        {
          owner: 'prod/virtual-gateway/edge',
          label: 'virtual gateway edge listener 443/http',
          port: 443,
          protocol: 'http',
          tls: { mode: 'STRICT', certificate: { source: 'file' } },
        },
      ],
      callers: [
        { caller: 'frontend', service: 'web.prod.local', declaredBy: 'prod/virtual-node/frontend' },
        { caller: 'frontend', service: 'db.prod.local', declaredBy: 'prod/virtual-node/frontend' },
      ],
      unreadableCallers: [],
      certificates: [{ arn: CERT, usedBy: 'prod/virtual-node/web-v1', port: 8080 }],
    };
    expect(graph).toEqual(expected);
  });

  it('maps each element on its own exactly as in the whole graph', () => {
    // Prepare
    const input = mesh();
    const graph = appMeshServiceGraph(input);

    // Act
    const routes = input.routes.map(appMeshRouteOf);
    const listeners = [...input.virtualNodes, ...input.virtualGateways].flatMap(appMeshListenersOf);
    const callers = input.virtualNodes.flatMap(appMeshCallersOf);

    // Assess
    expect(routes).toEqual(graph.routes);
    expect(listeners).toEqual(graph.listeners);
    expect(callers).toEqual(graph.callers);
    // The key-free views the per-event rules read are the same facts.
    expect(input.routes.map(appMeshTargetsOf)).toEqual(graph.routes.map((r) => r.targets));
    expect([...input.virtualNodes, ...input.virtualGateways].flatMap(appMeshServedBy)).toEqual(
      graph.listeners.map(({ label, tls }) => (tls === undefined ? { label } : { label, tls })),
    );
    expect(input.virtualNodes.flatMap(appMeshCallsOf)).toEqual(
      graph.callers.map(({ caller, service }) => ({ caller, service })),
    );
  });

  it('keeps a target listed twice twice, so it counts against a target limit', () => {
    // Prepare
    const twice = route(
      'web-router',
      'twice',
      httpRoute([
        { virtualNode: 'web-v1', weight: 50 },
        { virtualNode: 'web-v1', weight: 50 },
      ]),
    );

    // Act
    const mapped = appMeshRouteOf(twice);

    // Assess
    expect(mapped.targets).toEqual([
      { target: 'web-v1', weight: 50 },
      { target: 'web-v1', weight: 50 },
    ]);
  });
});
