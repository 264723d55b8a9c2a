/**
 * A snapshot indexed once for judging: resources by name and the reverse edges between them
 * (who targets this node, who provides this service, who calls this service). Judging one
 * resource then reads only its neighbours, and a full audit stays linear in the mesh's size.
 */

import type { ResourceRef } from '../domain/resource-key';
import type { MeshSnapshot } from '../domain/snapshot';
import type { MeshResource, MeshResourceOf, RouteSpec, WeightedTarget } from '../providers/appmesh/model';

type Node = MeshResourceOf<'virtual-node'>;
type Service = MeshResourceOf<'virtual-service'>;
type Router = MeshResourceOf<'virtual-router'>;
type Route = MeshResourceOf<'route'>;
type Gateway = MeshResourceOf<'virtual-gateway'>;
type GatewayRoute = MeshResourceOf<'gateway-route'>;

/** The protocol member a route uses, and its action, whichever protocol it is. */
export interface RouteShape {
  readonly protocol: 'http' | 'http2' | 'grpc' | 'tcp';
  readonly weightedTargets: readonly WeightedTarget[];
  readonly matchPort: number | undefined;
}

/** Which protocol member of a route spec is set, or undefined for a spec with none. */
export function routeShapeOf(spec: RouteSpec): RouteShape | undefined {
  if (spec.httpRoute) {
    return {
      protocol: 'http',
      weightedTargets: spec.httpRoute.action.weightedTargets,
      matchPort: spec.httpRoute.match.port,
    };
  }
  if (spec.http2Route) {
    return {
      protocol: 'http2',
      weightedTargets: spec.http2Route.action.weightedTargets,
      matchPort: spec.http2Route.match.port,
    };
  }
  if (spec.grpcRoute) {
    return {
      protocol: 'grpc',
      weightedTargets: spec.grpcRoute.action.weightedTargets,
      matchPort: spec.grpcRoute.match.port,
    };
  }
  if (spec.tcpRoute) {
    return {
      protocol: 'tcp',
      weightedTargets: spec.tcpRoute.action.weightedTargets,
      matchPort: spec.tcpRoute.match?.port,
    };
  }
  return undefined;
}

/** The virtual service a gateway route forwards to, whichever protocol it is. */
export function gatewayRouteTargetOf(resource: GatewayRoute): string | undefined {
  const spec = resource.spec;
  const route = spec.httpRoute ?? spec.http2Route ?? spec.grpcRoute;
  return route?.action.target.virtualService.virtualServiceName;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function childKey(parent: string, name: string): string {
  return `${parent}/${name}`;
}

const NONE: readonly never[] = [];

/** Maps by name and reverse edges of one snapshot. Build with {@link buildMeshIndex}. */
export class MeshIndex {
  readonly meshName: string;
  readonly nodes = new Map<string, Node>();
  readonly services = new Map<string, Service>();
  readonly routers = new Map<string, Router>();
  readonly gateways = new Map<string, Gateway>();
  private readonly routesByKey = new Map<string, Route>();
  private readonly gatewayRoutesByKey = new Map<string, GatewayRoute>();
  private readonly routesOfRouter = new Map<string, Route[]>();
  private readonly gatewayRoutesOfGateway = new Map<string, GatewayRoute[]>();
  private readonly routesToNode = new Map<string, Route[]>();
  private readonly servicesOfNode = new Map<string, Service[]>();
  private readonly servicesOfRouter = new Map<string, Service[]>();
  private readonly nodesCalling = new Map<string, Node[]>();
  private readonly gatewayRoutesTo = new Map<string, GatewayRoute[]>();

  constructor(readonly snapshot: MeshSnapshot) {
    this.meshName = snapshot.meshName;
    for (const node of snapshot.virtualNodes) {
      this.nodes.set(node.name, node);
      for (const backend of node.spec.backends ?? NONE) {
        push(this.nodesCalling, backend.virtualService.virtualServiceName, node);
      }
    }
    for (const service of snapshot.virtualServices) {
      this.services.set(service.name, service);
      const provider = service.spec.provider;
      if (provider === undefined) continue;
      if ('virtualNode' in provider) push(this.servicesOfNode, provider.virtualNode.virtualNodeName, service);
      else push(this.servicesOfRouter, provider.virtualRouter.virtualRouterName, service);
    }
    for (const router of snapshot.virtualRouters) this.routers.set(router.name, router);
    for (const route of snapshot.routes) {
      const parent = route.parentName ?? '';
      this.routesByKey.set(childKey(parent, route.name), route);
      push(this.routesOfRouter, parent, route);
      const targets = routeShapeOf(route.spec)?.weightedTargets ?? NONE;
      // A route naming a node twice is still one edge for "who targets this node".
      const seen = new Set<string>();
      for (const target of targets) {
        if (seen.has(target.virtualNode)) continue;
        seen.add(target.virtualNode);
        push(this.routesToNode, target.virtualNode, route);
      }
    }
    for (const gateway of snapshot.virtualGateways) this.gateways.set(gateway.name, gateway);
    for (const gatewayRoute of snapshot.gatewayRoutes) {
      const parent = gatewayRoute.parentName ?? '';
      this.gatewayRoutesByKey.set(childKey(parent, gatewayRoute.name), gatewayRoute);
      push(this.gatewayRoutesOfGateway, parent, gatewayRoute);
      const target = gatewayRouteTargetOf(gatewayRoute);
      if (target !== undefined) push(this.gatewayRoutesTo, target, gatewayRoute);
    }
  }

  /** The resource a ref points at in this snapshot, or undefined (deleted, or another mesh). */
  get(ref: ResourceRef): MeshResource | undefined {
    if (ref.meshName !== this.meshName) return undefined;
    switch (ref.kind) {
      case 'mesh':
        return ref.name === this.meshName ? this.snapshot.mesh : undefined;
      case 'virtual-node':
        return this.nodes.get(ref.name);
      case 'virtual-service':
        return this.services.get(ref.name);
      case 'virtual-router':
        return this.routers.get(ref.name);
      case 'virtual-gateway':
        return this.gateways.get(ref.name);
      case 'route':
        return this.route(ref.parentName ?? '', ref.name);
      case 'gateway-route':
        return this.gatewayRoutesByKey.get(childKey(ref.parentName ?? '', ref.name));
    }
  }

  /** One route of a router. */
  route(routerName: string, routeName: string): Route | undefined {
    return this.routesByKey.get(childKey(routerName, routeName));
  }

  /** The routes of a virtual router. */
  routesOf(routerName: string): readonly Route[] {
    return this.routesOfRouter.get(routerName) ?? NONE;
  }

  /** The gateway routes of a virtual gateway. */
  gatewayRoutesOf(gatewayName: string): readonly GatewayRoute[] {
    return this.gatewayRoutesOfGateway.get(gatewayName) ?? NONE;
  }

  /** Routes with a weighted target naming this virtual node. */
  routesTargeting(nodeName: string): readonly Route[] {
    return this.routesToNode.get(nodeName) ?? NONE;
  }

  /** Virtual services whose provider is this virtual node. */
  servicesProvidedByNode(nodeName: string): readonly Service[] {
    return this.servicesOfNode.get(nodeName) ?? NONE;
  }

  /** Virtual services whose provider is this virtual router. */
  servicesProvidedByRouter(routerName: string): readonly Service[] {
    return this.servicesOfRouter.get(routerName) ?? NONE;
  }

  /** Virtual nodes that have this virtual service as a backend. */
  nodesCallingService(serviceName: string): readonly Node[] {
    return this.nodesCalling.get(serviceName) ?? NONE;
  }

  /** Gateway routes forwarding to this virtual service. */
  gatewayRoutesTargeting(serviceName: string): readonly GatewayRoute[] {
    return this.gatewayRoutesTo.get(serviceName) ?? NONE;
  }
}

/** Index a snapshot; O(resources + edges). */
export function buildMeshIndex(snapshot: MeshSnapshot): MeshIndex {
  return new MeshIndex(snapshot);
}
