import type * as z from 'zod';
import {
  gatewayRouteSpec,
  meshSpec,
  resourceName,
  routeSpec,
  serviceName,
  virtualGatewaySpec,
  virtualNodeSpec,
  virtualRouterSpec,
  virtualServiceSpec,
} from './validation';

/** The seven kinds of App Mesh resource. */
export type KindName =
  | 'mesh'
  | 'virtualNode'
  | 'virtualService'
  | 'virtualRouter'
  | 'route'
  | 'virtualGateway'
  | 'gatewayRoute';

/** A resource another resource's spec names, e.g. the virtual node a virtual service's provider is. */
export interface SpecReference {
  readonly kind: KindName;
  readonly name: string;
}

/**
 * Everything that differs between the kinds of resource: one row per kind drives the route
 * table, the storage keys, the ARNs, the wire shapes and the reference checks.
 */
export interface ResourceKind {
  readonly name: KindName;
  /** As in the operation names: `Create${label}`, `List${plural}`. */
  readonly label: string;
  readonly plural: string;
  /** The member that carries the resource's own name, e.g. `virtualNodeName`. */
  readonly nameMember: string;
  readonly nameSchema: z.ZodType<string>;
  /** The kind this one lives under; meshes have none, every other kind lives at least in a mesh. */
  readonly parent?: KindName;
  /** The ARN path segment: `mesh/m/virtualRouter/r/route/name`. */
  readonly arnSegment: string;
  /** The URI path template of the collection (Create, List); an item's path adds `/{nameMember}`. */
  readonly collectionPath: string;
  /** The member of the List* output holding the refs. */
  readonly listMember: string;
  readonly spec: z.ZodType;
  /** CreateMesh and UpdateMesh take an optional spec; every other kind requires one. */
  readonly specRequired: boolean;
  /** Resources this kind's spec names, which must exist and then cannot be deleted. */
  readonly references?: (spec: unknown) => SpecReference[];
}

function providerOf(spec: unknown): SpecReference[] {
  const provider = (
    spec as {
      provider?: { virtualNode?: { virtualNodeName: string }; virtualRouter?: { virtualRouterName: string } };
    }
  ).provider;
  if (provider?.virtualNode) return [{ kind: 'virtualNode', name: provider.virtualNode.virtualNodeName }];
  if (provider?.virtualRouter)
    return [{ kind: 'virtualRouter', name: provider.virtualRouter.virtualRouterName }];
  return [];
}

export const KINDS: Readonly<Record<KindName, ResourceKind>> = {
  mesh: {
    name: 'mesh',
    label: 'Mesh',
    plural: 'Meshes',
    nameMember: 'meshName',
    nameSchema: resourceName,
    arnSegment: 'mesh',
    collectionPath: '/v20190125/meshes',
    listMember: 'meshes',
    spec: meshSpec,
    specRequired: false,
  },
  virtualNode: {
    name: 'virtualNode',
    label: 'VirtualNode',
    plural: 'VirtualNodes',
    nameMember: 'virtualNodeName',
    nameSchema: resourceName,
    parent: 'mesh',
    arnSegment: 'virtualNode',
    collectionPath: '/v20190125/meshes/{meshName}/virtualNodes',
    listMember: 'virtualNodes',
    spec: virtualNodeSpec,
    specRequired: true,
  },
  virtualService: {
    name: 'virtualService',
    label: 'VirtualService',
    plural: 'VirtualServices',
    nameMember: 'virtualServiceName',
    nameSchema: serviceName,
    parent: 'mesh',
    arnSegment: 'virtualService',
    collectionPath: '/v20190125/meshes/{meshName}/virtualServices',
    listMember: 'virtualServices',
    spec: virtualServiceSpec,
    specRequired: true,
    references: providerOf,
  },
  virtualRouter: {
    name: 'virtualRouter',
    label: 'VirtualRouter',
    plural: 'VirtualRouters',
    nameMember: 'virtualRouterName',
    nameSchema: resourceName,
    parent: 'mesh',
    arnSegment: 'virtualRouter',
    collectionPath: '/v20190125/meshes/{meshName}/virtualRouters',
    listMember: 'virtualRouters',
    spec: virtualRouterSpec,
    specRequired: true,
  },
  route: {
    name: 'route',
    label: 'Route',
    plural: 'Routes',
    nameMember: 'routeName',
    nameSchema: resourceName,
    parent: 'virtualRouter',
    arnSegment: 'route',
    // The parent is singular in this path, unlike the router's own item path.
    collectionPath: '/v20190125/meshes/{meshName}/virtualRouter/{virtualRouterName}/routes',
    listMember: 'routes',
    spec: routeSpec,
    specRequired: true,
  },
  virtualGateway: {
    name: 'virtualGateway',
    label: 'VirtualGateway',
    plural: 'VirtualGateways',
    nameMember: 'virtualGatewayName',
    nameSchema: resourceName,
    parent: 'mesh',
    arnSegment: 'virtualGateway',
    collectionPath: '/v20190125/meshes/{meshName}/virtualGateways',
    listMember: 'virtualGateways',
    spec: virtualGatewaySpec,
    specRequired: true,
  },
  gatewayRoute: {
    name: 'gatewayRoute',
    label: 'GatewayRoute',
    plural: 'GatewayRoutes',
    nameMember: 'gatewayRouteName',
    nameSchema: resourceName,
    parent: 'virtualGateway',
    arnSegment: 'gatewayRoute',
    collectionPath: '/v20190125/meshes/{meshName}/virtualGateway/{virtualGatewayName}/gatewayRoutes',
    listMember: 'gatewayRoutes',
    spec: gatewayRouteSpec,
    specRequired: true,
  },
};

/** The kinds from the mesh down to `kind`, e.g. [mesh, virtualRouter, route]. */
export function lineage(kind: ResourceKind): ResourceKind[] {
  const chain: ResourceKind[] = [kind];
  let current = kind;
  while (current.parent !== undefined) {
    current = KINDS[current.parent];
    chain.unshift(current);
  }
  return chain;
}

/** Human words for messages: `virtualNode` -> `VirtualNode`. */
export function labelOf(kind: KindName): string {
  return KINDS[kind].label;
}
