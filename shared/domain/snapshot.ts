import { isResourceOfKind, type MeshResource, type MeshResourceOf } from '../providers/appmesh/model';
import { formatResourceKey, type ResourceKind, type ResourceRef } from './resource-key';

/** Every resource of one mesh as read at one moment. */
export interface MeshSnapshot {
  readonly meshName: string;
  /** ISO-8601 time the read started; resources changed after it may or may not be reflected. */
  readonly takenAt: string;
  readonly mesh: MeshResourceOf<'mesh'>;
  readonly virtualNodes: readonly MeshResourceOf<'virtual-node'>[];
  readonly virtualServices: readonly MeshResourceOf<'virtual-service'>[];
  readonly virtualRouters: readonly MeshResourceOf<'virtual-router'>[];
  readonly routes: readonly MeshResourceOf<'route'>[];
  readonly virtualGateways: readonly MeshResourceOf<'virtual-gateway'>[];
  readonly gatewayRoutes: readonly MeshResourceOf<'gateway-route'>[];
}

/** The snapshot member holding each non-mesh kind. */
export const SNAPSHOT_MEMBER = {
  'virtual-node': 'virtualNodes',
  'virtual-service': 'virtualServices',
  'virtual-router': 'virtualRouters',
  route: 'routes',
  'virtual-gateway': 'virtualGateways',
  'gateway-route': 'gatewayRoutes',
} as const satisfies Record<Exclude<ResourceKind, 'mesh'>, keyof MeshSnapshot>;

/** Every resource of the snapshot: the mesh first, then kind by kind, each in the snapshot's order. */
export function snapshotResources(snapshot: MeshSnapshot): MeshResource[] {
  return [
    snapshot.mesh,
    ...snapshot.virtualGateways,
    ...snapshot.gatewayRoutes,
    ...snapshot.virtualServices,
    ...snapshot.virtualRouters,
    ...snapshot.routes,
    ...snapshot.virtualNodes,
  ];
}

/** Find the resource a ref points at, or undefined. */
export function findResource<K extends ResourceKind>(
  snapshot: MeshSnapshot,
  ref: ResourceRef<K>,
): MeshResourceOf<K> | undefined {
  const key = formatResourceKey(ref);
  for (const resource of snapshotResources(snapshot)) {
    if (isResourceOfKind(resource, ref.kind) && formatResourceKey(resource) === key) return resource;
  }
  return undefined;
}

/** Index every resource of the snapshot by its resource key. */
export function indexByKey(snapshot: MeshSnapshot): ReadonlyMap<string, MeshResource> {
  return new Map(snapshotResources(snapshot).map((r) => [formatResourceKey(r), r]));
}

/** Sort resources by key so snapshots compare and serialise deterministically. */
export function sortByKey<R extends ResourceRef>(resources: readonly R[]): R[] {
  return resources
    .map((r) => ({ r, key: formatResourceKey(r) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ r }) => r);
}
