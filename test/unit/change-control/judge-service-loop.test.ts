import { describe, expect, it } from 'vitest';
import type { MeshSnapshot } from '../../../shared/domain/snapshot';
import { judgeResource } from '../../../shared/policy/judge';
import { buildMeshIndex } from '../../../shared/policy/mesh-index';
import type { MeshResource } from '../../../shared/providers/appmesh/model';
import { meshResources, testPolicy } from './scenario';

function snapshotOf(resources: MeshResource[]): MeshSnapshot {
  const of = (kind: MeshResource['kind']) => resources.filter((r) => r.kind === kind);
  return {
    meshName: 'prod',
    takenAt: '2026-11-26T00:00:00Z',
    mesh: resources.find((r) => r.kind === 'mesh') as MeshSnapshot['mesh'],
    virtualNodes: of('virtual-node') as MeshSnapshot['virtualNodes'],
    virtualServices: of('virtual-service') as MeshSnapshot['virtualServices'],
    virtualRouters: of('virtual-router') as MeshSnapshot['virtualRouters'],
    routes: of('route') as MeshSnapshot['routes'],
    virtualGateways: [],
    gatewayRoutes: [],
  };
}

/** Judging one virtual service change checks for loops only through the callers it reaches. */
describe('judgeResource on a virtual service change', () => {
  it('finds the loop a service change closes through a caller it reaches, and spares the others', () => {
    // Prepare: web-v1 (a target of web-router) now calls web.prod.local, which web-router provides.
    const resources = meshResources().map((r) =>
      r.kind === 'virtual-node' && r.name === 'web-v1'
        ? {
            ...r,
            spec: { ...r.spec, backends: [{ virtualService: { virtualServiceName: 'web.prod.local' } }] },
          }
        : r,
    );
    const index = buildMeshIndex(snapshotOf(resources));

    // Act
    const findings = judgeResource(
      { kind: 'virtual-service', meshName: 'prod', name: 'web.prod.local' },
      index,
      testPolicy(),
      new Date('2026-11-26T00:00:00Z'),
    );

    // Assess
    expect(findings.map((f) => `${f.resourceKey} ${f.ruleId}`)).toEqual([
      'prod/virtual-node/web-v1 consistency.no-routing-loop',
    ]);
    expect(findings[0]?.message).toContain('web-v1 -> web.prod.local -> web-router -> web-v1');
  });

  it('finds nothing when no caller is reachable from the service', () => {
    const index = buildMeshIndex(snapshotOf(meshResources()));

    const findings = judgeResource(
      { kind: 'virtual-service', meshName: 'prod', name: 'web.prod.local' },
      index,
      testPolicy(),
      new Date('2026-11-26T00:00:00Z'),
    );

    expect(findings).toEqual([]);
  });
});
