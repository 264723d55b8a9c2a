import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppMeshService } from '../../../infra/local/services/appmesh/appmesh-service';
import { formatResourceKey } from '../../../shared/domain/resource-key';
import { snapshotResources } from '../../../shared/domain/snapshot';
import { NotFoundError } from '../../../shared/errors';
import { createAppMeshClient, createAppMeshProvider } from '../../../shared/providers/appmesh';
import type { MeshResource } from '../../../shared/providers/appmesh/model';
import { startTestEdge, type TestEdge } from '../../support/local-edge';
import { sampleResources } from '../../support/mesh-samples';

/**
 * The App Mesh adapter against local App Mesh, over the real wire: the rich sample mesh is
 * written through the port and read back whole. Two independent implementations of the same
 * API agree here, or one of them is wrong.
 */
describe('App Mesh adapter against local App Mesh', () => {
  let edge: TestEdge;
  const written: MeshResource[] = [];

  beforeAll(async () => {
    edge = await startTestEdge((context) => [new AppMeshService(context)]);
  });
  afterAll(() => edge.close());

  const provider = () =>
    createAppMeshProvider(createAppMeshClient(edge.clientConfig), { concurrency: 4, pageSize: 2 });

  /** Parents before children, providers before the services that name them. */
  const ORDER = [
    'mesh',
    'virtual-node',
    'virtual-router',
    'route',
    'virtual-service',
    'virtual-gateway',
    'gateway-route',
  ];

  it('creates every sample resource through the port', async () => {
    const resources = sampleResources().sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
    for (const [i, resource] of resources.entries()) {
      written.push((await provider().create(resource, { clientToken: `seed-${i}` })) as MeshResource);
    }
    expect(written).toHaveLength(resources.length);
  });

  it('reads the whole mesh back, every spec and tag unchanged', async () => {
    const snapshot = await provider().readMesh('prod');

    const read = new Map(snapshotResources(snapshot).map((r) => [formatResourceKey(r), r]));
    expect([...read.keys()].sort()).toEqual(written.map((r) => formatResourceKey(r)).sort());
    for (const original of sampleResources()) {
      const back = read.get(formatResourceKey(original));
      expect(back?.spec, formatResourceKey(original)).toEqual(original.spec);
      expect(back?.tags, formatResourceKey(original)).toEqual(original.tags);
    }
  });

  it('updates a route with the whole spec and sees the version grow', async () => {
    const route = await provider().describe({
      kind: 'route',
      meshName: 'prod',
      parentName: 'web-router',
      name: 'web-route',
    });
    if (route === undefined) throw new Error('web-route missing');
    const httpRoute = route.spec.httpRoute;
    if (httpRoute === undefined) throw new Error('web-route is not an http route');
    const shifted = httpRoute.action.weightedTargets.map((t) => ({ ...t, weight: 50 }));
    const updated = await provider().update(
      {
        ...route,
        spec: { ...route.spec, httpRoute: { ...httpRoute, action: { weightedTargets: shifted } } },
      },
      { clientToken: 'shift-50' },
    );
    expect(updated.metadata?.version).toBe((route.metadata?.version ?? 0) + 1);
    expect(updated.spec.httpRoute?.action.weightedTargets.map((t) => t.weight)).toEqual([50, 50]);
    expect(updated.spec.httpRoute?.retryPolicy).toEqual(route.spec.httpRoute?.retryPolicy);
  });

  it('answers undefined for a missing resource and NotFoundError for a missing mesh', async () => {
    expect(
      await provider().describe({ kind: 'virtual-node', meshName: 'prod', name: 'ghost' }),
    ).toBeUndefined();
    await expect(provider().readMesh('no-such-mesh')).rejects.toBeInstanceOf(NotFoundError);
  });
});
