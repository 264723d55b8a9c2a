import { describe, expect, it } from 'vitest';
import { formatResourceKey } from '../../../shared/domain/resource-key';
import { findResource, indexByKey, snapshotResources, sortByKey } from '../../../shared/domain/snapshot';
import { sampleSnapshot } from '../../support/mesh-samples';

describe('mesh snapshot helpers', () => {
  it('lists every resource once, the mesh first', () => {
    // Prepare
    const snapshot = sampleSnapshot();

    // Act
    const all = snapshotResources(snapshot);

    // Assess
    expect(all[0]).toBe(snapshot.mesh);
    const expectedCount =
      1 +
      snapshot.virtualNodes.length +
      snapshot.virtualServices.length +
      snapshot.virtualRouters.length +
      snapshot.routes.length +
      snapshot.virtualGateways.length +
      snapshot.gatewayRoutes.length;
    expect(all).toHaveLength(expectedCount);
    expect(new Set(all.map(formatResourceKey)).size).toBe(expectedCount);
  });

  it('finds a resource by ref, typed by kind, and misses what is not there', () => {
    // Prepare
    const snapshot = sampleSnapshot();

    // Act
    const route = findResource(snapshot, {
      kind: 'route',
      meshName: 'prod',
      name: 'web-route',
      parentName: 'web-router',
    });
    const wrongParent = findResource(snapshot, {
      kind: 'route',
      meshName: 'prod',
      name: 'web-route',
      parentName: 'h2-router',
    });
    const wrongKind = findResource(snapshot, { kind: 'virtual-node', meshName: 'prod', name: 'web-router' });

    // Assess
    expect(route?.spec.httpRoute?.action.weightedTargets.map((t) => [t.virtualNode, t.weight])).toEqual([
      ['web-v1', 90],
      ['web-v2', 10],
    ]);
    expect(wrongParent).toBeUndefined();
    expect(wrongKind).toBeUndefined();
  });

  it('indexes by key', () => {
    // Act
    const index = indexByKey(sampleSnapshot());

    // Assess
    expect(index.get('prod/mesh')?.kind).toBe('mesh');
    expect(index.get('prod/gateway-route/gw/web-gr')?.name).toBe('web-gr');
    expect(index.get('prod/virtual-node/nope')).toBeUndefined();
  });

  it('sorts by key without touching its input', () => {
    // Prepare
    const input = [
      { kind: 'virtual-node' as const, meshName: 'prod', name: 'web-v2' },
      { kind: 'virtual-node' as const, meshName: 'prod', name: 'frontend' },
      { kind: 'virtual-node' as const, meshName: 'prod', name: 'web-v1' },
    ];

    // Act
    const sorted = sortByKey(input);

    // Assess
    expect(sorted.map((r) => r.name)).toEqual(['frontend', 'web-v1', 'web-v2']);
    expect(input.map((r) => r.name)).toEqual(['web-v2', 'frontend', 'web-v1']);
  });
});
