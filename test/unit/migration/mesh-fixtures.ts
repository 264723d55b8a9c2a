import type { MeshSnapshot } from '../../../shared/domain/snapshot';
import type { MeshResource, MeshResourceOf } from '../../../shared/providers/appmesh/model';

/** A snapshot of the given resources, as the App Mesh provider would read it. */
export function snapshotOf(meshName: string, resources: readonly MeshResource[]): MeshSnapshot {
  const of = <K extends MeshResource['kind']>(kind: K) =>
    resources.filter((r): r is MeshResourceOf<K> & MeshResource => r.kind === kind) as MeshResourceOf<K>[];
  const mesh = of('mesh')[0] ?? { kind: 'mesh' as const, meshName, name: meshName, spec: {} };
  return {
    meshName,
    takenAt: '2026-12-06T00:00:00.000Z',
    mesh,
    virtualNodes: of('virtual-node'),
    virtualServices: of('virtual-service'),
    virtualRouters: of('virtual-router'),
    routes: of('route'),
    virtualGateways: of('virtual-gateway'),
    gatewayRoutes: of('gateway-route'),
  };
}

export const MESH = 'shop';

/** A virtual node with one HTTP listener on 8080 (overridable), found by DNS. */
export function node(
  name: string,
  spec: Partial<MeshResourceOf<'virtual-node'>['spec']> = {},
): MeshResourceOf<'virtual-node'> {
  return {
    kind: 'virtual-node',
    meshName: MESH,
    name,
    spec: {
      serviceDiscovery: { dns: { hostname: `${name}.shop.local` } },
      listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
      ...spec,
    },
  };
}

export function router(name: string, ports: readonly number[] = [8080]): MeshResourceOf<'virtual-router'> {
  return {
    kind: 'virtual-router',
    meshName: MESH,
    name,
    spec: { listeners: ports.map((port) => ({ portMapping: { port, protocol: 'http' as const } })) },
  };
}

export function route(
  routerName: string,
  name: string,
  spec: MeshResourceOf<'route'>['spec'],
): MeshResourceOf<'route'> {
  return { kind: 'route', meshName: MESH, parentName: routerName, name, spec };
}

/** An HTTP route with the given match to weighted targets (node name -> weight). */
export function httpRoute(
  routerName: string,
  name: string,
  match: NonNullable<MeshResourceOf<'route'>['spec']['httpRoute']>['match'],
  targets: Readonly<Record<string, number>>,
  extra: { priority?: number } & Partial<NonNullable<MeshResourceOf<'route'>['spec']['httpRoute']>> = {},
): MeshResourceOf<'route'> {
  const { priority, ...http } = extra;
  return route(routerName, name, {
    ...(priority !== undefined ? { priority } : {}),
    httpRoute: {
      match,
      action: {
        weightedTargets: Object.entries(targets).map(([virtualNode, weight]) => ({ virtualNode, weight })),
      },
      ...http,
    },
  });
}

export function serviceOnRouter(name: string, routerName: string): MeshResourceOf<'virtual-service'> {
  return {
    kind: 'virtual-service',
    meshName: MESH,
    name,
    spec: { provider: { virtualRouter: { virtualRouterName: routerName } } },
  };
}

export function serviceOnNode(name: string, nodeName: string): MeshResourceOf<'virtual-service'> {
  return {
    kind: 'virtual-service',
    meshName: MESH,
    name,
    spec: { provider: { virtualNode: { virtualNodeName: nodeName } } },
  };
}
