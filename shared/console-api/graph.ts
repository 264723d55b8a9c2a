/**
 * The mesh as a graph for the console page: gateways route to virtual services, a service is
 * served by a node or a router, a router's routes split traffic over nodes by weight, and a
 * node calls the services it names as backends.
 */

import { targetsOf } from '../deployments/weights';
import { gatewayRouteTargetOf } from '../policy/mesh-index';
import { isResourceOfKind, type MeshResource, type MeshResourceOf } from '../providers/appmesh/model';

export interface MeshGraph {
  readonly mesh: string;
  readonly gateways: readonly { name: string; routes: readonly { name: string; service: string | null }[] }[];
  readonly services: readonly {
    name: string;
    provider: { kind: 'virtual-node' | 'virtual-router'; name: string } | null;
  }[];
  readonly routers: readonly {
    name: string;
    routes: readonly {
      name: string;
      routeKey: string;
      targets: readonly { node: string; weight: number }[];
    }[];
  }[];
  readonly nodes: readonly { name: string; backends: readonly string[] }[];
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

function ofKind<K extends MeshResource['kind']>(
  resources: readonly MeshResource[],
  kind: K,
): (MeshResource & MeshResourceOf<K>)[] {
  return resources.filter((r): r is MeshResource & MeshResourceOf<K> => isResourceOfKind(r, kind));
}

/**
 * The graph of one mesh from its resources. `routes` replaces the resources' routes when given:
 * the weights are read fresh, since meshwarden's own writes (a rollback) reach the cache later.
 */
export function meshGraph(
  mesh: string,
  resources: readonly MeshResource[],
  routes: readonly MeshResourceOf<'route'>[] = ofKind(resources, 'route'),
): MeshGraph {
  const inMesh = resources.filter((r) => r.meshName === mesh);
  const gatewayRoutes = ofKind(inMesh, 'gateway-route');
  return {
    mesh,
    gateways: ofKind(inMesh, 'virtual-gateway')
      .map((g) => ({
        name: g.name,
        routes: gatewayRoutes
          .filter((r) => r.parentName === g.name)
          .map((r) => ({ name: r.name, service: gatewayRouteTargetOf(r) ?? null }))
          .sort(byName),
      }))
      .sort(byName),
    services: ofKind(inMesh, 'virtual-service')
      .map((s) => {
        const p = s.spec.provider;
        const provider =
          p === undefined
            ? null
            : 'virtualNode' in p
              ? { kind: 'virtual-node' as const, name: p.virtualNode.virtualNodeName }
              : { kind: 'virtual-router' as const, name: p.virtualRouter.virtualRouterName };
        return { name: s.name, provider };
      })
      .sort(byName),
    routers: ofKind(inMesh, 'virtual-router')
      .map((router) => ({
        name: router.name,
        routes: routes
          .filter((r) => r.meshName === mesh && r.parentName === router.name)
          .map((r) => ({
            name: r.name,
            routeKey: `${mesh}/${router.name}/${r.name}`,
            targets: targetsOf(r.spec).map((t) => ({ node: t.virtualNode, weight: t.weight })),
          }))
          .sort(byName),
      }))
      .sort(byName),
    nodes: ofKind(inMesh, 'virtual-node')
      .map((n) => ({
        name: n.name,
        backends: (n.spec.backends ?? []).map((b) => b.virtualService.virtualServiceName).sort(),
      }))
      .sort(byName),
  };
}
