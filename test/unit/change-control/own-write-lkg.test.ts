import { describe, expect, it } from 'vitest';
import { auditMeshes } from '../../../shared/change-control/audit-mesh';
import { judgeChange } from '../../../shared/change-control/judge-change';
import { recordingOwnWrites } from '../../../shared/change-control/own-writes';
import type { MeshResource } from '../../../shared/providers/appmesh/model';
import { FixedAlarms, FixedIssuers, RecordingNotifier } from './fakes';
import { appMeshEvent, routeSpec, WEB_ROUTE, world } from './scenario';

const ROUTE_KEY = 'prod/route/web-router/web-route';
const ROUTE = { kind: 'route' as const, meshName: 'prod', parentName: 'web-router', name: 'web-route' };

/** The admin shifts to 50/50 (version 2), then the guard rolls back to 100/0 (version 3, its own write). */
async function rolledBack(w: Awaited<ReturnType<typeof world>>) {
  w.meshes.put({ ...ROUTE, spec: routeSpec([50, 50]) });
  const guard = recordingOwnWrites(w.meshes, w.lkg, () => new Date('2026-11-26T10:00:00Z'));
  await guard.update({ ...ROUTE, spec: routeSpec([100, 0]) } as MeshResource, {
    clientToken: 'rollback',
    ownWrite: { purpose: 'rollback', cause: 'alarm' },
  });
}

describe("meshwarden's own writes stay last known good in change control", () => {
  it("a late event of the admin's 50/50 (superseded by the rollback) leaves the rollback as last known good", async () => {
    const w = await world();
    await rolledBack(w);

    const result = await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'admin',
        eventName: 'UpdateRoute',
        requestParameters: WEB_ROUTE,
        resultVersion: 2,
      }),
    );

    expect(result.status).toBe('skipped');
    const good = await w.lkg.get(ROUTE_KEY);
    expect(good).toMatchObject({ source: 'own-write', version: 3 });
    expect(good?.resource.spec).toEqual(routeSpec([100, 0]));
  });

  it('a late 50/50 event whose response reported its spec is not merged back over the rollback', async () => {
    const w = await world();
    await rolledBack(w);

    await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'alice',
        eventName: 'UpdateRoute',
        requestParameters: WEB_ROUTE,
        resultVersion: 2,
        resultSpec: routeSpec([50, 50]),
      }),
    );

    expect(w.meshes.resources.get(ROUTE_KEY)?.spec).toEqual(routeSpec([100, 0]));
    expect((await w.lkg.get(ROUTE_KEY))?.source).toBe('own-write');
  });

  it('the scheduled audit never replaces an own-write last known good', async () => {
    const w = await world({ withLastKnownGood: false });
    await rolledBack(w);

    await auditMeshes(
      {
        meshes: w.meshes,
        policy: w.deps.policy,
        issuers: new FixedIssuers(undefined),
        lastKnownGood: w.lkg,
        publisher: w.publisher,
        alarms: new FixedAlarms(),
        notifier: new RecordingNotifier(),
        now: () => new Date('2026-11-26T11:00:00Z'),
      },
      ['prod'],
    );

    expect(await w.lkg.get(ROUTE_KEY)).toMatchObject({ source: 'own-write', version: 3 });
  });
});

describe("a person's write is theirs, whatever a last known good record claims", () => {
  const BRIDGE = { kind: 'virtual-node' as const, meshName: 'prod', name: 'web-v1-lattice' };
  const BRIDGE_KEY = 'prod/virtual-node/web-v1-lattice';
  const spec = {
    serviceDiscovery: { dns: { hostname: 'web-0a1b.vpc-lattice-svcs.us-east-1.on.aws' } },
    listeners: [{ portMapping: { port: 8080, protocol: 'http' as const } }],
  };
  const created = () =>
    appMeshEvent({
      who: 'alice',
      eventName: 'CreateVirtualNode',
      requestParameters: { meshName: 'prod', virtualNodeName: BRIDGE.name, clientToken: 'mw-bridge-x' },
      resultVersion: 1,
    });

  it('judges a create recorded as an own write (anyone who can write the state table could record one) as the person’s: alice may not create nodes, deleted', async () => {
    const w = await world();
    // Written with alice's credentials, with meshwarden's token, then recorded as an own write.
    const writer = recordingOwnWrites(w.meshes, w.lkg, () => new Date('2026-11-26T10:00:00Z'));
    await writer.create({ ...BRIDGE, spec } as MeshResource, {
      clientToken: 'mw-bridge-x',
      ownWrite: { purpose: 'step', cause: 'migrate-shift-1' },
    });

    const result = await judgeChange(w.deps, created());

    expect(result).toMatchObject({ status: 'decided', action: 'revert' });
    expect(w.meshes.resources.has(BRIDGE_KEY)).toBe(false);
  });

  it('judges the same create as the person’s when nothing was recorded: deleted', async () => {
    const w = await world();
    w.meshes.put({ ...BRIDGE, spec } as MeshResource);

    const result = await judgeChange(w.deps, created());

    expect(result).toMatchObject({ status: 'decided', action: 'revert' });
    expect(w.meshes.resources.has(BRIDGE_KEY)).toBe(false);
  });
});
