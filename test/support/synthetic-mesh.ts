import type { MeshSnapshot } from '../../shared/domain/snapshot';
import type { MeshResource } from '../../shared/providers/appmesh/model';

/**
 * A large mesh for the migration benchmark: `nodes` virtual nodes with TLS, health checks and
 * backends; routers of `routesPerRouter` routes each (prefixes, exact paths, header and method
 * matches, canary weights, priorities on some, retry policies on some) until `routes` routes;
 * a virtual service per router and per node not behind a router.
 */
export function syntheticMesh(nodes = 500, routes = 1000, routesPerRouter = 10): MeshSnapshot {
  const meshName = 'synthetic';
  const nodeNames = Array.from({ length: nodes }, (_, i) => `svc-${i}`);
  const virtualNodes = nodeNames.map((name, i) => ({
    kind: 'virtual-node' as const,
    meshName,
    name,
    spec: {
      serviceDiscovery: { dns: { hostname: `${name}.synthetic.local` } },
      listeners: [
        {
          portMapping: { port: 8080, protocol: 'http' as const },
          tls: {
            mode: 'STRICT' as const,
            certificate: {
              acm: { certificateArn: `arn:aws:acm:us-east-1:111122223333:certificate/${name}` },
            },
          },
          healthCheck: {
            protocol: 'http' as const,
            path: '/healthz',
            intervalMillis: 5000,
            timeoutMillis: 2000,
            healthyThreshold: 2,
            unhealthyThreshold: 3,
          },
        },
      ],
      backends: [1, 2, 3].map((d) => ({
        virtualService: {
          virtualServiceName: `router-${(i + d) % Math.ceil(routes / routesPerRouter)}.synthetic.local`,
        },
      })),
    },
  }));
  const routerCount = Math.ceil(routes / routesPerRouter);
  const virtualRouters = Array.from({ length: routerCount }, (_, r) => ({
    kind: 'virtual-router' as const,
    meshName,
    name: `router-${r}`,
    spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' as const } }] },
  }));
  const routeResources = Array.from({ length: routes }, (_, k) => {
    const r = Math.floor(k / routesPerRouter);
    const j = k % routesPerRouter;
    const stable = nodeNames[(r * 5 + j) % nodes] ?? 'svc-0';
    const canary = nodeNames[(r * 5 + j + 1) % nodes] ?? 'svc-1';
    const match =
      j % 4 === 0
        ? { path: { exact: `/api/v${j}/items` } }
        : j % 4 === 1
          ? { prefix: `/api/v${j}/`, headers: [{ name: 'x-tenant', match: { exact: `t${j}` } }] }
          : j % 4 === 2
            ? { prefix: `/api/v${j}`, method: 'POST' as const }
            : {
                prefix: j === routesPerRouter - 1 ? '/' : `/api/v${j}/`,
                headers: [{ name: 'user-agent', match: { prefix: 'ios/' } }],
              };
    return {
      kind: 'route' as const,
      meshName,
      parentName: `router-${r}`,
      name: `route-${j}`,
      spec: {
        ...(j < 3 ? { priority: j * 10 } : {}),
        httpRoute: {
          match,
          action: {
            weightedTargets: [
              { virtualNode: stable, weight: 95 - j },
              { virtualNode: canary, weight: 5 + j },
            ],
          },
          ...(j % 3 === 0
            ? {
                retryPolicy: {
                  maxRetries: 2,
                  perRetryTimeout: { value: 2, unit: 's' as const },
                  httpRetryEvents: ['server-error'],
                },
              }
            : {}),
        },
      },
    };
  });
  const routedNodes = new Set(
    routeResources.flatMap((r) => r.spec.httpRoute.action.weightedTargets.map((t) => t.virtualNode)),
  );
  const virtualServices: MeshResource[] = [
    ...virtualRouters.map((router) => ({
      kind: 'virtual-service' as const,
      meshName,
      name: `${router.name}.synthetic.local`,
      spec: { provider: { virtualRouter: { virtualRouterName: router.name } } },
    })),
    ...nodeNames
      .filter((n) => !routedNodes.has(n))
      .map((n) => ({
        kind: 'virtual-service' as const,
        meshName,
        name: `${n}.synthetic.local`,
        spec: { provider: { virtualNode: { virtualNodeName: n } } },
      })),
  ];
  return {
    meshName,
    takenAt: '2026-12-06T00:00:00.000Z',
    mesh: { kind: 'mesh', meshName, name: meshName, spec: { egressFilter: { type: 'DROP_ALL' } } },
    virtualNodes,
    virtualServices: virtualServices as MeshSnapshot['virtualServices'],
    virtualRouters,
    routes: routeResources,
    virtualGateways: [],
    gatewayRoutes: [],
  };
}
