import { describe, expect, it } from 'vitest';
import { judgeChange } from '../../../shared/change-control/judge-change';
import { restoreChangedLeaves } from '../../../shared/change-control/revert-plan';
import type { MeshResource } from '../../../shared/providers/appmesh/model';
import { appMeshEvent, routeSpec, WEB_ROUTE, world } from './scenario';

const ROUTE_KEY = 'prod/route/web-router/web-route';
const ROUTE = { kind: 'route' as const, meshName: 'prod', parentName: 'web-router', name: 'web-route' };

function weightsOf(resource: MeshResource | undefined): number[] {
  const spec = resource?.spec as ReturnType<typeof routeSpec> | undefined;
  return (spec?.httpRoute?.action.weightedTargets ?? []).map((t) => t.weight);
}

describe('restoreChangedLeaves (three-way)', () => {
  it('sets back only the leaves the call changed and keeps every later change', () => {
    const before = routeSpec([90, 10]);
    const after = routeSpec([90, 10], false);
    const current = routeSpec([70, 30], false);

    const merged = restoreChangedLeaves(before, after, current);

    expect(merged).toEqual(routeSpec([70, 30]));
  });
});

describe('judgeChange: read-modify-write against a moving resource', () => {
  it('judges a call the route moved on from, restoring only its leaves and keeping the later change', async () => {
    const w = await world();
    // alice drops the retry policy (version 2), then the admin shifts weights on top (version 3).
    w.meshes.put({ ...ROUTE, spec: routeSpec([90, 10], false) });
    w.meshes.put({ ...ROUTE, spec: routeSpec([70, 30], false) });

    const result = await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'admin',
        eventName: 'UpdateRoute',
        requestParameters: WEB_ROUTE,
        resultVersion: 2,
        resultSpec: routeSpec([90, 10], false),
      }),
    );

    expect(result).toMatchObject({ action: 'revert', outcome: 'applied' });
    expect(w.meshes.resources.get(ROUTE_KEY)?.spec).toEqual(routeSpec([70, 30]));
    const [published] = w.publisher.ofType('GovernanceDecision');
    expect(published?.detail).toMatchObject({
      race: { plannedVersion: 3, writtenVersion: 4, merged: true, raced: false },
      diff: expect.stringContaining('retryPolicy'),
    });
    expect(String((published?.detail as { diff?: string } | undefined)?.diff)).not.toContain('weight');
  });

  it('still leaves a superseded call to the later change when its last known good is not older than the call', async () => {
    const w = await world();
    w.meshes.put({ ...ROUTE, spec: routeSpec([90, 10], false) });
    w.meshes.put({ ...ROUTE, spec: routeSpec([70, 30], false) });
    const now = w.meshes.resources.get(ROUTE_KEY) as MeshResource;
    await w.lkg.put({
      resourceKey: ROUTE_KEY,
      resource: now,
      version: 3,
      eventId: 'x',
      recordedAt: 'now',
      source: 'event',
    });

    const result = await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'admin',
        eventName: 'UpdateRoute',
        requestParameters: WEB_ROUTE,
        resultVersion: 2,
        resultSpec: routeSpec([90, 10], false),
      }),
    );

    expect(result).toMatchObject({ status: 'skipped' });
    expect(w.meshes.writes()).toEqual([]);
  });

  it('detects a write that landed between its read and its write, and judges the state left again', async () => {
    const w = await world();
    w.meshes.put({ ...ROUTE, spec: routeSpec([90, 10], false) });
    let raced = false;
    w.meshes.onCall = (call) => {
      if (!raced && call.op === 'update') {
        raced = true;
        w.meshes.put({ ...ROUTE, spec: routeSpec([50, 50], false) });
      }
    };

    const result = await judgeChange(
      w.deps,
      appMeshEvent({ who: 'admin', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE }),
    );

    expect(result).toMatchObject({ action: 'revert', outcome: 'applied' });
    expect(weightsOf(w.meshes.resources.get(ROUTE_KEY))).toEqual([90, 10]);
    const [published] = w.publisher.ofType('GovernanceDecision');
    expect(published?.detail).toMatchObject({
      race: { plannedVersion: 2, writtenVersion: 4, raced: true },
      reasons: expect.arrayContaining([expect.stringContaining('was overwritten')]),
    });
  });

  it('records no race when nothing moved', async () => {
    const w = await world();
    w.meshes.put({ ...ROUTE, spec: routeSpec([90, 10], false) });

    await judgeChange(
      w.deps,
      appMeshEvent({ who: 'admin', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE }),
    );

    const [published] = w.publisher.ofType('GovernanceDecision');
    expect(published?.detail).toMatchObject({ action: 'revert' });
    expect((published?.detail as Record<string, unknown> | undefined)?.race).toBeUndefined();
  });
});
