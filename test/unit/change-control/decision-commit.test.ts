import { describe, expect, it } from 'vitest';
import { judgeChange } from '../../../shared/change-control/judge-change';
import type { AuditRecord } from '../../../shared/ports';
import { MemoryDecisionCommitter } from './fakes';
import { appMeshEvent, routeSpec, WEB_ROUTE, world } from './scenario';

const ROUTE_KEY = 'prod/route/web-router/web-route';

/** A world whose decisions commit in one step, with the mesh writes seen at each audit put. */
async function committingWorld() {
  const w = await world();
  const decisions = new MemoryDecisionCommitter({ audit: w.audit, lkg: w.lkg, judged: w.judged });
  const meshWritesAtAuditPut: { outcome: AuditRecord['outcome']; meshWrites: number }[] = [];
  const put = w.audit.put.bind(w.audit);
  w.audit.put = async (record) => {
    meshWritesAtAuditPut.push({ outcome: record.outcome, meshWrites: w.meshes.writes().length });
    await put(record);
  };
  return { ...w, decisions, meshWritesAtAuditPut, deps: { ...w.deps, decisions } };
}

function changeRoute(w: Awaited<ReturnType<typeof world>>, weights: number[]) {
  return w.meshes.put({
    kind: 'route',
    meshName: 'prod',
    parentName: 'web-router',
    name: 'web-route',
    spec: routeSpec(weights, true),
  });
}

describe('judgeChange: a decision committed in one step', () => {
  it('keeps a change with its audit record, last known good and judged version in one commit, no pending record', async () => {
    // Prepare
    const w = await committingWorld();
    const changed = changeRoute(w, [80, 20]);
    const event = appMeshEvent({ who: 'admin', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE });

    // Act
    const result = await judgeChange(w.deps, event);

    // Assess
    expect(result).toMatchObject({ status: 'decided', action: 'keep', outcome: 'no-effect' });
    expect(w.decisions.commits).toHaveLength(1);
    expect(w.decisions.commits[0]).toMatchObject({
      audit: { outcome: 'no-effect', published: false },
      lastKnownGood: { put: { resourceKey: ROUTE_KEY, version: changed.metadata?.version } },
      judged: { resourceKey: ROUTE_KEY, version: { version: changed.metadata?.version } },
    });
    expect(w.meshWritesAtAuditPut.map((p) => p.outcome)).toEqual(['no-effect', 'no-effect']);
    expect(w.audit.puts.at(-1)).toMatchObject({ outcome: 'no-effect', published: true });
    expect((await w.lkg.get(ROUTE_KEY))?.resource.spec).toEqual(changed.spec);
  });

  it('writes one by one, pending first, when the commit is refused for a newer last known good', async () => {
    // Prepare: a later event already left a newer last known good.
    const w = await committingWorld();
    const changed = changeRoute(w, [80, 20]);
    const version = changed.metadata?.version ?? 0;
    await w.lkg.put({
      resourceKey: ROUTE_KEY,
      resource: changed,
      version: version + 1,
      eventId: 'later',
      recordedAt: 'later',
      source: 'event',
    });
    const event = appMeshEvent({ who: 'admin', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE });

    // Act
    const result = await judgeChange(w.deps, event);

    // Assess: the newer last known good stands; the decision is recorded and published all the same.
    expect(result).toMatchObject({ status: 'decided', action: 'keep', outcome: 'no-effect' });
    expect(w.meshWritesAtAuditPut[0]?.outcome).toBe('pending');
    expect((await w.lkg.get(ROUTE_KEY))?.version).toBe(version + 1);
    expect((await w.judged.get(ROUTE_KEY))?.version).toBe(version);
    expect(w.audit.puts.at(-1)).toMatchObject({ outcome: 'no-effect', published: true });
  });

  it('writes a revert pending before the mesh write, then commits the completed record with the judged version', async () => {
    // Prepare
    const w = await committingWorld();
    changeRoute(w, [0, 100]);
    const event = appMeshEvent({ who: 'alice', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE });

    // Act
    const result = await judgeChange(w.deps, event);

    // Assess
    expect(result).toMatchObject({ action: 'revert', outcome: 'applied' });
    expect(w.meshWritesAtAuditPut[0]).toEqual({ outcome: 'pending', meshWrites: 0 });
    expect(w.decisions.commits).toHaveLength(1);
    const written = w.meshes.resources.get(ROUTE_KEY)?.metadata?.version;
    expect(w.decisions.commits[0]).toMatchObject({
      audit: { outcome: 'applied' },
      judged: { resourceKey: ROUTE_KEY, version: { version: written } },
    });
    expect(w.decisions.commits[0]?.lastKnownGood).toBeUndefined();
  });
});
