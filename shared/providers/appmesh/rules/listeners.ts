import type { MeshResourceOf } from '../model';

/** The listeners of a virtual node or virtual gateway, with what sentences need of them. */
export function listenersOf(resource: MeshResourceOf<'virtual-node'> | MeshResourceOf<'virtual-gateway'>) {
  return resource.spec.listeners ?? [];
}
