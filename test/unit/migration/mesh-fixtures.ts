import type { MeshResource, MeshResourceOf } from '../../../shared/domain/mesh';
import type { MeshSnapshot } from '../../../shared/domain/snapshot';

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
