import { describe, expect, it } from 'vitest';
import { auditMeshes } from '../../../shared/change-control/audit-mesh';
import { judgeChange } from '../../../shared/change-control/judge-change';
import { readMeshState, referencesOf, snapshotFrom } from '../../../shared/change-control/mesh-state';
import type { MeshResource } from '../../../shared/providers/appmesh/model';
import { FixedAlarms, FixedIssuers, MemoryMeshState, RecordingNotifier } from './fakes';
import { appMeshEvent, routeSpec, testPolicy, WEB_ROUTE, world } from './scenario';

const ROUTE_KEY = 'prod/route/web-router/web-route';
const ROUTE_REF = { kind: 'route', meshName: 'prod', parentName: 'web-router', name: 'web-route' } as const;
const NOW = new Date('2026-11-26T10:00:01Z');

type World = Awaited<ReturnType<typeof world>>;

/** A world whose cache holds the mesh as it is now (as after an audit). */
async function warmWorld(): Promise<World> {
  const w = await world();
  await w.meshState.fill(await w.meshes.readMesh('prod'));
  w.meshes.calls.length = 0;
  w.meshState.calls.length = 0;
  return w;
}

function changeRoute(w: World, weights: number[], targets?: string[]): MeshResource {
  const spec = routeSpec(weights);
  const http = spec.httpRoute;
  return w.meshes.put({
    ...ROUTE_REF,
    spec:
      targets === undefined || http === undefined
        ? spec
        : {
            httpRoute: {
              ...http,
              action: {
                weightedTargets: targets.map((virtualNode, i) => ({ virtualNode, weight: weights[i] ?? 0 })),
              },
            },
          },
  });
}

describe('readMeshState', () => {
  it('reads a warm cache and describes only the changed resource, fresh', async () => {
    const w = await warmWorld();
    const changed = changeRoute(w, [80, 20]);

    const state = await readMeshState(w.meshes, w.meshState, ROUTE_REF, NOW);

    expect(state.source).toBe('cache');
    expect(w.meshes.calls).toEqual([{ op: 'describe', key: ROUTE_KEY }]);
    expect(state.current).toEqual(changed);
    expect(state.index?.get(ROUTE_REF)).toEqual(changed);
    expect(state.cached?.metadata?.version).toBe(1);
  });

  it('reads the whole mesh on a cold cache and fills the cache from it', async () => {
    const w = await world();

    const state = await readMeshState(w.meshes, w.meshState, ROUTE_REF, NOW);

    expect(state.source).toBe('provider');
    expect(w.meshes.calls.map((c) => c.op)).toEqual(['readMesh']);
    expect(w.meshState.calls.map((c) => c.op)).toEqual(['load', 'fill']);
    expect([...w.meshState.items.keys()].sort()).toEqual([...w.meshes.resources.keys()].sort());
  });

  it('treats a cache without the mesh resource as cold (a partial cache is not trusted)', async () => {
    const w = await warmWorld();
    w.meshState.items.delete('prod/mesh');

    const state = await readMeshState(w.meshes, w.meshState, ROUTE_REF, NOW);

    expect(state.source).toBe('provider');
    expect(w.meshes.calls.map((c) => c.op)).toEqual(['readMesh']);
  });

  it('describes references the cache does not hold yet (a node created just before the route naming it)', async () => {
    const w = await warmWorld();
    w.meshes.put({ kind: 'virtual-node', meshName: 'prod', name: 'web-v3', spec: { listeners: [] } });
    changeRoute(w, [50, 50], ['web-v1', 'web-v3']);
    w.meshes.calls.length = 0;

    const state = await readMeshState(w.meshes, w.meshState, ROUTE_REF, NOW);

    expect(w.meshes.calls.map((c) => c.key)).toEqual([ROUTE_KEY, 'prod/virtual-node/web-v3']);
    expect(state.index?.get({ kind: 'virtual-node', meshName: 'prod', name: 'web-v3' })).toBeDefined();
  });

  it('judges a deleted resource against the cached rest of the mesh, without it', async () => {
    const w = await warmWorld();
    w.meshes.remove(ROUTE_REF);

    const state = await readMeshState(w.meshes, w.meshState, ROUTE_REF, NOW);

    expect(state.current).toBeUndefined();
    expect(state.index?.get(ROUTE_REF)).toBeUndefined();
    expect(state.index?.get({ kind: 'virtual-router', meshName: 'prod', name: 'web-router' })).toBeDefined();
    expect(state.cached?.metadata?.uid).toBeDefined();
  });

  it('reports no mesh when the changed resource is gone with its mesh', async () => {
    const w = await warmWorld();
    for (const key of [...w.meshes.resources.keys()]) w.meshes.resources.delete(key);

    const state = await readMeshState(w.meshes, w.meshState, ROUTE_REF, NOW);

    expect(state.index).toBeUndefined();
    expect(w.meshes.calls.map((c) => c.key)).toEqual([ROUTE_KEY, 'prod/mesh']);
  });
});

describe('snapshotFrom and referencesOf', () => {
  it('builds no snapshot from resources of another mesh or without the mesh', () => {
    const route = { ...ROUTE_REF, spec: routeSpec([100, 0]) } as MeshResource;

    expect(snapshotFrom('prod', [route], NOW.toISOString())).toBeUndefined();
    expect(
      snapshotFrom('prod', [{ kind: 'mesh', meshName: 'dev', name: 'dev', spec: {} }], NOW.toISOString()),
    ).toBeUndefined();
  });

  it('names a route router and target nodes, and nothing for a route with an empty parent', () => {
    const route = { ...ROUTE_REF, spec: routeSpec([90, 10]) } as MeshResource;

    expect(referencesOf(route).map((r) => `${r.kind}/${r.name}`)).toEqual([
      'virtual-router/web-router',
      'virtual-node/web-v1',
      'virtual-node/web-v2',
    ]);
  });
});

describe('judgeChange with the mesh state cache', () => {
  it('judges a second event from the cache with one describe, and caches the kept state', async () => {
    const w = await warmWorld();
    const changed = changeRoute(w, [80, 20]);

    const result = await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'admin',
        eventName: 'UpdateRoute',
        requestParameters: WEB_ROUTE,
        resultVersion: 2,
      }),
    );

    expect(result).toMatchObject({ action: 'keep' });
    expect(w.meshes.calls.map((c) => c.op)).toEqual(['describe']);
    expect(w.meshState.items.get(ROUTE_KEY)).toEqual(changed);
  });

  it('caches the state meshwarden wrote back after a revert', async () => {
    const w = await warmWorld();
    changeRoute(w, [0, 100]);

    const result = await judgeChange(
      w.deps,
      appMeshEvent({ who: 'alice', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE }),
    );

    expect(result).toMatchObject({ action: 'revert', outcome: 'applied' });
    expect(w.meshState.items.get(ROUTE_KEY)).toEqual(w.meshes.resources.get(ROUTE_KEY));
    expect(w.meshState.items.get(ROUTE_KEY)?.metadata?.version).toBe(3);
  });

  it('forgets a deleted resource that is kept deleted', async () => {
    const w = await warmWorld();
    w.meshes.remove(ROUTE_REF);

    const result = await judgeChange(
      w.deps,
      appMeshEvent({ who: 'admin', eventName: 'DeleteRoute', requestParameters: WEB_ROUTE }),
    );

    expect(result).toMatchObject({ status: 'decided' });
    expect(w.meshState.items.has(ROUTE_KEY)).toBe(false);
  });
});

describe('auditMeshes refreshes the cache', () => {
  it('writes every resource and forgets what is gone', async () => {
    const w = await warmWorld();
    const stale = new MemoryMeshState();
    stale.items.set('prod/virtual-node/ghost', {
      kind: 'virtual-node',
      meshName: 'prod',
      name: 'ghost',
      spec: { listeners: [] },
    });

    await auditMeshes(
      {
        meshes: w.meshes,
        policy: testPolicy(),
        issuers: new FixedIssuers(undefined),
        lastKnownGood: w.lkg,
        publisher: w.publisher,
        meshState: stale,
        alarms: new FixedAlarms(),
        notifier: new RecordingNotifier(),
        now: () => NOW,
      },
      ['prod'],
    );

    expect([...stale.items.keys()].sort()).toEqual([...w.meshes.resources.keys()].sort());
  });
});
