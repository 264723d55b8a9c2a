import { describe, expect, it } from 'vitest';
import { readMeshState, SNAPSHOT_MAX_AGE_MS } from '../../../shared/change-control/mesh-state';
import { snapshotResources } from '../../../shared/domain/snapshot';
import type { MeshSnapshotStore, StoredMeshSnapshot } from '../../../shared/ports';
import { world } from './scenario';

const ROUTE_REF = { kind: 'route', meshName: 'prod', parentName: 'web-router', name: 'web-route' } as const;
const NODE_KEY = 'prod/virtual-node/web-v1';
const TAKEN_AT = '2026-11-26T05:00:00.000Z';
const NOW = new Date('2026-11-26T10:00:00.000Z');

type World = Awaited<ReturnType<typeof world>>;

/** The audit's snapshot of the world as it is now, with the given change marks. */
async function snapshotOf(w: World, changes: Record<string, string> = {}): Promise<StoredMeshSnapshot> {
  const read = await w.meshes.readMesh('prod');
  return { takenAt: TAKEN_AT, resources: snapshotResources(read), changes: new Map(Object.entries(changes)) };
}

function storeOf(stored: StoredMeshSnapshot | undefined): Pick<MeshSnapshotStore, 'load'> {
  return { load: async () => stored };
}

describe('readMeshState on a cold cache with the audit snapshot', () => {
  it('judges from the snapshot with one describe of the changed resource, and fills the cache', async () => {
    const w = await world();
    const snapshots = storeOf(await snapshotOf(w));
    w.meshes.calls.length = 0;

    const state = await readMeshState(w.meshes, w.meshState, ROUTE_REF, NOW, snapshots);

    expect(state.source).toBe('snapshot');
    expect(w.meshes.calls.map((c) => c.op)).toEqual(['describe']);
    expect(w.meshState.calls.map((c) => c.op)).toEqual(['load', 'fill']);
    expect(state.index?.get({ kind: 'virtual-node', meshName: 'prod', name: 'web-v1' })).toBeDefined();
  });

  it('describes a neighbour marked changed after the snapshot, and takes its fresh state', async () => {
    const w = await world();
    const snapshots = storeOf(await snapshotOf(w, { [NODE_KEY]: '2026-11-26T09:00:00.000Z' }));
    const fresh = w.meshes.put({
      kind: 'virtual-node',
      meshName: 'prod',
      name: 'web-v1',
      spec: { listeners: [{ portMapping: { port: 9999, protocol: 'http' } }] },
    });
    w.meshes.calls.length = 0;

    const state = await readMeshState(w.meshes, w.meshState, ROUTE_REF, NOW, snapshots);

    expect(state.source).toBe('snapshot');
    expect(w.meshes.calls.map((c) => c.key).sort()).toEqual(['prod/route/web-router/web-route', NODE_KEY]);
    expect(state.index?.get({ kind: 'virtual-node', meshName: 'prod', name: 'web-v1' })).toEqual(fresh);
  });

  it('reads the mesh whole when the snapshot is older than one audit period', async () => {
    const w = await world();
    const snapshots = storeOf(await snapshotOf(w));
    w.meshes.calls.length = 0;
    const later = new Date(Date.parse(TAKEN_AT) + SNAPSHOT_MAX_AGE_MS + 1);

    const state = await readMeshState(w.meshes, w.meshState, ROUTE_REF, later, snapshots);

    expect(state.source).toBe('provider');
    expect(w.meshes.calls.map((c) => c.op)).toContain('readMesh');
  });

  it('reads the mesh whole when no verified snapshot is stored', async () => {
    const w = await world();
    w.meshes.calls.length = 0;

    const state = await readMeshState(w.meshes, w.meshState, ROUTE_REF, NOW, storeOf(undefined));

    expect(state.source).toBe('provider');
    expect(w.meshes.calls.map((c) => c.op)).toContain('readMesh');
  });
});
