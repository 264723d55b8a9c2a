import { describe, expect, it } from 'vitest';
import { judgeChange } from '../../../shared/change-control/judge-change';
import { holdApprovalId, revertClientToken } from '../../../shared/change-control/tokens';
import { refOf } from '../../../shared/domain/resource-key';
import { MeshwardenError } from '../../../shared/errors';
import { approvalRequestedDetail } from '../../../shared/events/approvals';
import type { MeshResource } from '../../../shared/providers/appmesh/model';
import { ALICE_CLAIMS, appMeshEvent, routeSpec, WEB_ROUTE, world } from './scenario';

const ROUTE_KEY = 'prod/route/web-router/web-route';

/** The mesh as someone (the caller of the event) left it: stored with a new version. */
function changeRoute(w: Awaited<ReturnType<typeof world>>, weights: number[], retry = true): MeshResource {
  return w.meshes.put({
    kind: 'route',
    meshName: 'prod',
    parentName: 'web-router',
    name: 'web-route',
    spec: routeSpec(weights, retry),
  });
}

function decisionOf(w: Awaited<ReturnType<typeof world>>) {
  const events = w.publisher.ofType('GovernanceDecision');
  expect(events).toHaveLength(1);
  return events[0]?.detail as Record<string, unknown>;
}

describe('judgeChange: keep', () => {
  it('keeps an allowed, compliant change and makes it the last known good', async () => {
    const w = await world();
    const changed = changeRoute(w, [80, 20]);
    const event = appMeshEvent({
      who: 'admin',
      eventName: 'UpdateRoute',
      requestParameters: WEB_ROUTE,
      resultVersion: 2,
    });

    const result = await judgeChange(w.deps, event);

    expect(result).toMatchObject({ status: 'decided', action: 'keep', outcome: 'no-effect' });
    expect(w.meshes.writes()).toEqual([]);
    expect((await w.lkg.get(ROUTE_KEY))?.resource.spec).toEqual(changed.spec);
    expect((await w.judged.get(ROUTE_KEY))?.version).toBe(2);
    expect(decisionOf(w)).toMatchObject({ changeControl: 'allow', action: 'keep', ruleIds: [] });
  });

  it('allows the OIDC developer with the claims local AWS records in webIdFederationData.attributes', async () => {
    const w = await world();
    changeRoute(w, [70, 30]);
    const event = appMeshEvent({
      who: 'alice',
      eventName: 'UpdateRoute',
      requestParameters: WEB_ROUTE,
      oidcAttributes: ALICE_CLAIMS,
    });

    const result = await judgeChange(w.deps, event);

    expect(result.action).toBe('keep');
  });

  it('allows the OIDC developer with the session tags of the recorded AssumeRoleWithWebIdentity (AWS shape)', async () => {
    const w = await world();
    changeRoute(w, [70, 30]);
    await w.sessions.put(
      {
        assumedRoleArn: 'arn:aws:sts::000000000000:assumed-role/MeshDeveloper/alice',
        roleArn: 'arn:aws:iam::000000000000:role/MeshDeveloper',
        sessionName: 'alice',
        provider: 'arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com',
        subject: 'repo:acme/web:ref:refs/heads/main',
        audience: 'sts.amazonaws.com',
        sessionTags: { repository: 'acme/web', team: 'web' },
        transitiveTagKeys: [],
        sourceIdentity: undefined,
      },
      new Date('2026-11-26T11:00:00Z'),
    );
    const event = appMeshEvent({ who: 'alice', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE });

    const result = await judgeChange(w.deps, event);

    expect(result.action).toBe('keep');
  });

  it('denies the OIDC developer when the session that carried the tags expired before the call', async () => {
    const w = await world();
    changeRoute(w, [70, 30]);
    await w.sessions.put(
      {
        assumedRoleArn: 'arn:aws:sts::000000000000:assumed-role/MeshDeveloper/alice',
        roleArn: 'arn:aws:iam::000000000000:role/MeshDeveloper',
        sessionName: 'alice',
        provider: 'x',
        subject: 's',
        audience: 'a',
        sessionTags: { repository: 'acme/web', team: 'web' },
        transitiveTagKeys: [],
        sourceIdentity: undefined,
      },
      new Date('2026-11-26T09:00:00Z'),
    );
    const event = appMeshEvent({ who: 'alice', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE });

    const result = await judgeChange(w.deps, event);

    expect(result.action).toBe('revert');
  });

  it('keeps an allowed create whose backend does not exist yet, and reports the dangling reference', async () => {
    const w = await world();
    w.meshes.put({
      kind: 'virtual-node',
      meshName: 'prod',
      name: 'payments',
      spec: { backends: [{ virtualService: { virtualServiceName: 'ledger.prod.local' } }] },
    });
    const event = appMeshEvent({
      who: 'admin',
      eventName: 'CreateVirtualNode',
      requestParameters: { meshName: 'prod', virtualNodeName: 'payments' },
    });

    const result = await judgeChange(w.deps, event);

    expect(result.action).toBe('keep');
    expect(String(decisionOf(w).findings)).toContain('consistency.backend-exists');
  });
});

describe('judgeChange: revert, hold, report', () => {
  it('reverts a denied update to the last known good spec with one write carrying the derived clientToken', async () => {
    const w = await world();
    const good = await w.lkg.get(ROUTE_KEY);
    changeRoute(w, [0, 100]);
    const event = appMeshEvent({ who: 'alice', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE });

    const result = await judgeChange(w.deps, event);

    expect(result).toMatchObject({ action: 'revert', outcome: 'applied' });
    expect(w.meshes.writes()).toEqual([
      { op: 'update', key: ROUTE_KEY, clientToken: revertClientToken(event.detail.eventID) },
    ]);
    expect(w.meshes.resources.get(ROUTE_KEY)?.spec).toEqual(good?.resource.spec);
    // The version meshwarden wrote is judged: its own CloudTrail event can never be acted on.
    expect((await w.judged.get(ROUTE_KEY))?.version).toBe(
      w.meshes.resources.get(ROUTE_KEY)?.metadata?.version,
    );
    expect(decisionOf(w)).toMatchObject({
      changeControl: 'deny',
      action: 'revert',
      outcome: 'applied',
      ruleIds: ['change-control'],
    });
    expect(String(decisionOf(w).diff)).toContain('weight');
  });

  it('writes the audit record before the effect, then completes it', async () => {
    const w = await world();
    changeRoute(w, [0, 100]);
    const auditAtWrite: string[] = [];
    const update = w.meshes.update.bind(w.meshes);
    w.meshes.update = async (resource, options) => {
      auditAtWrite.push(...w.audit.puts.map((p) => p.outcome));
      return update(resource, options);
    };

    await judgeChange(
      w.deps,
      appMeshEvent({ who: 'alice', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE }),
    );

    expect(auditAtWrite).toEqual(['pending']);
    expect(w.audit.puts.map((p) => [p.outcome, p.published])).toEqual([
      ['pending', false],
      ['applied', false],
      ['applied', true],
    ]);
  });

  it('records a failed effect and rethrows it; the retry applies it once', async () => {
    const w = await world();
    changeRoute(w, [0, 100]);
    const event = appMeshEvent({ who: 'alice', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE });
    w.meshes.failNextWrite = new MeshwardenError('App Mesh is unavailable');

    await expect(judgeChange(w.deps, event)).rejects.toThrow('App Mesh is unavailable');
    const afterFailure = [...w.audit.records.values()][0];
    const retried = await judgeChange(w.deps, event);

    expect(afterFailure).toMatchObject({
      outcome: 'failed',
      error: 'App Mesh is unavailable',
      published: false,
    });
    expect(retried).toMatchObject({ action: 'revert', outcome: 'applied' });
    expect(w.meshes.writes().map((c) => c.op)).toEqual(['update', 'update']);
    expect(w.publisher.ofType('GovernanceDecision')).toHaveLength(1);
  });

  it('publishes on the retry after a failed publish, without writing again', async () => {
    const w = await world();
    changeRoute(w, [0, 100]);
    const event = appMeshEvent({ who: 'alice', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE });
    w.publisher.failNext = new MeshwardenError('EventBridge refused');

    await expect(judgeChange(w.deps, event)).rejects.toThrow('EventBridge refused');
    const retried = await judgeChange(w.deps, event);
    const again = await judgeChange(w.deps, event);

    expect(retried).toMatchObject({ status: 'already-decided', outcome: 'applied' });
    expect(again).toMatchObject({ status: 'already-decided' });
    expect(w.meshes.writes()).toHaveLength(1);
    expect(w.publisher.ofType('GovernanceDecision')).toHaveLength(1);
  });

  it('holds: reverts, then requests approval with the proposed resource, the base the revert restored and its version', async () => {
    const w = await world();
    const proposed = changeRoute(w, [50, 50]);
    const event = appMeshEvent({ who: 'bob', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE });

    const result = await judgeChange(w.deps, event);

    expect(result).toMatchObject({ action: 'hold', outcome: 'applied' });
    expect(w.meshes.writes().map((c) => c.op)).toEqual(['update']);
    const requests = w.publisher.ofType('ApprovalRequested');
    expect(requests).toHaveLength(1);
    const detail = approvalRequestedDetail.parse(requests[0]?.detail);
    expect(detail.approvalId).toBe(holdApprovalId(event.detail.eventID));
    expect(detail.action).toEqual({
      type: 'reapply-change',
      resourceKey: ROUTE_KEY,
      operation: 'UpdateRoute',
      proposed: {
        kind: 'route',
        meshName: 'prod',
        parentName: 'web-router',
        name: 'web-route',
        spec: proposed.spec,
        tags: {},
      },
      base: {
        kind: 'route',
        meshName: 'prod',
        parentName: 'web-router',
        name: 'web-route',
        spec: routeSpec([90, 10], true),
        tags: {},
      },
      baseVersion: ((await w.meshes.describe(refOf(proposed))) as MeshResource | undefined)?.metadata
        ?.version,
    });
    expect(detail.action).toMatchObject({ baseVersion: expect.any(Number) });
    expect(decisionOf(w)).toMatchObject({ action: 'hold', approvalId: detail.approvalId });
  });

  it('reports without touching the mesh when the override says report', async () => {
    const w = await world();
    changeRoute(w, [50, 50]);

    const result = await judgeChange(
      w.deps,
      appMeshEvent({ who: 'carol', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE }),
    );

    expect(result.action).toBe('report');
    expect(w.meshes.writes()).toEqual([]);
  });

  it('reverts an allowed change that breaks a compliance rule (admin drops the retry policy)', async () => {
    const w = await world();
    changeRoute(w, [90, 10], false);

    const result = await judgeChange(
      w.deps,
      appMeshEvent({ who: 'admin', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE }),
    );

    expect(result.action).toBe('revert');
    expect(decisionOf(w)).toMatchObject({ changeControl: 'allow', ruleIds: ['route.retry-policy'] });
    expect(w.meshes.resources.get(ROUTE_KEY)?.spec).toEqual(routeSpec([90, 10]));
  });

  it('says plainly that it cannot restore a resource without a last known good, and reports', async () => {
    const w = await world({ withLastKnownGood: false });
    changeRoute(w, [0, 100]);

    const result = await judgeChange(
      w.deps,
      appMeshEvent({ who: 'alice', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE }),
    );

    expect(result.action).toBe('report');
    expect(w.meshes.writes()).toEqual([]);
    expect((decisionOf(w).reasons as string[]).join(' ')).toMatch(
      /no last known good spec of prod\/route\/web-router\/web-route/,
    );
  });

  it('deletes a resource created by someone not allowed to', async () => {
    const w = await world();
    w.meshes.put({ kind: 'virtual-node', meshName: 'prod', name: 'rogue', spec: {} });

    const result = await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'alice',
        eventName: 'CreateVirtualNode',
        requestParameters: { meshName: 'prod', virtualNodeName: 'rogue' },
      }),
    );

    expect(result.action).toBe('revert');
    expect(w.meshes.writes().map((c) => [c.op, c.key])).toEqual([['delete', 'prod/virtual-node/rogue']]);
    expect(w.meshes.resources.has('prod/virtual-node/rogue')).toBe(false);
  });

  it('recreates a deleted virtual service whose provider still exists', async () => {
    const w = await world();
    const before = w.meshes.resources.get('prod/virtual-service/web.prod.local');
    w.meshes.remove({ kind: 'virtual-service', meshName: 'prod', name: 'web.prod.local' });

    const result = await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'bob',
        eventName: 'DeleteVirtualService',
        requestParameters: { meshName: 'prod', virtualServiceName: 'web.prod.local' },
      }),
    );

    expect(result.action).toBe('hold');
    expect(w.meshes.resources.get('prod/virtual-service/web.prod.local')?.spec).toEqual(before?.spec);
    const request = w.publisher.ofType('ApprovalRequested')[0]?.detail as { action: Record<string, unknown> };
    expect(request.action.proposed).toBeUndefined();
  });

  it('reports a deleted virtual service whose provider is gone too: it cannot be recreated', async () => {
    const w = await world();
    w.meshes.remove({ kind: 'virtual-service', meshName: 'prod', name: 'web.prod.local' });
    w.meshes.remove({ kind: 'route', meshName: 'prod', parentName: 'web-router', name: 'web-route' });
    w.meshes.remove({ kind: 'virtual-router', meshName: 'prod', name: 'web-router' });

    const result = await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'alice',
        eventName: 'DeleteVirtualService',
        requestParameters: { meshName: 'prod', virtualServiceName: 'web.prod.local' },
      }),
    );

    expect(result.action).toBe('report');
    expect(w.meshes.writes()).toEqual([]);
    expect((decisionOf(w).reasons as string[]).join(' ')).toContain(
      'provider virtual router web-router no longer exists',
    );
  });

  it('restores tags changed by someone not allowed to', async () => {
    const w = await world();
    const node = w.meshes.resources.get('prod/virtual-node/web-v1');
    const arn = node?.metadata?.arn ?? '';
    w.meshes.put({ ...(node as MeshResource), tags: { team: 'hacked', extra: 'x' } });

    const result = await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'alice',
        eventName: 'TagResource',
        requestParameters: {
          resourceArn: arn,
          tags: [
            { key: 'team', value: 'hacked' },
            { key: 'extra', value: 'x' },
          ],
        },
      }),
    );

    expect(result.action).toBe('revert');
    expect(w.meshes.resources.get('prod/virtual-node/web-v1')?.tags).toEqual({ team: 'web' });
    expect(w.meshes.writes().map((c) => c.op)).toEqual(['tagResource', 'untagResource']);
  });
});

describe('judgeChange: what it does not act on', () => {
  it("skips meshwarden's own writes (the loop guard): no audit, no event", async () => {
    const w = await world();
    changeRoute(w, [0, 100]);

    const result = await judgeChange(
      w.deps,
      appMeshEvent({ who: 'meshwarden', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE }),
    );

    expect(result).toMatchObject({ status: 'skipped' });
    expect(result.reason).toContain("meshwarden's own write");
    expect(w.audit.puts).toEqual([]);
    expect(w.publisher.published).toEqual([]);
    expect(w.meshes.calls).toEqual([]);
  });

  it('skips meshes it does not govern', async () => {
    const w = await world();

    const result = await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'alice',
        eventName: 'UpdateRoute',
        requestParameters: { ...WEB_ROUTE, meshName: 'staging' },
      }),
    );

    expect(result).toMatchObject({ status: 'skipped' });
    expect(w.publisher.published).toEqual([]);
  });

  it('audits a failed call (AccessDenied) without acting', async () => {
    const w = await world();

    const result = await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'alice',
        eventName: 'UpdateRoute',
        requestParameters: WEB_ROUTE,
        errorCode: 'AccessDenied',
      }),
    );

    expect(result).toMatchObject({ action: 'none', outcome: 'no-effect' });
    expect(w.meshes.calls).toEqual([]);
    expect(decisionOf(w)).toMatchObject({ changeControl: 'failed-call', action: 'none' });
    expect([...w.audit.records.values()][0]).toMatchObject({ outcome: 'no-effect', published: true });
  });

  it('ignores an event whose resource version was already judged (out of order)', async () => {
    const w = await world();
    changeRoute(w, [0, 100]);
    const metadata = w.meshes.resources.get(ROUTE_KEY)?.metadata;
    await w.judged.record(
      ROUTE_KEY,
      { uid: metadata?.uid ?? '', version: metadata?.version ?? 0 },
      'earlier',
    );

    const result = await judgeChange(
      w.deps,
      appMeshEvent({ who: 'alice', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE }),
    );

    expect(result).toMatchObject({ status: 'skipped' });
    expect(result.reason).toContain('already judged');
    expect(w.meshes.writes()).toEqual([]);
  });

  it('still judges a tag change at a version already judged (tagging bumps no version)', async () => {
    const w = await world();
    changeRoute(w, [80, 20]);
    await judgeChange(
      w.deps,
      appMeshEvent({ who: 'admin', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE }),
    );
    const route = w.meshes.resources.get(ROUTE_KEY) as MeshResource;
    w.meshes.resources.set(ROUTE_KEY, { ...route, tags: { owner: 'mallory' } } as MeshResource);

    const result = await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'alice',
        eventName: 'TagResource',
        requestParameters: { resourceArn: route.metadata?.arn, tags: [{ key: 'owner', value: 'mallory' }] },
      }),
    );

    expect(result).toMatchObject({ action: 'revert', outcome: 'applied' });
    expect(w.meshes.resources.get(ROUTE_KEY)?.tags).toEqual({});
  });

  it('judges a recreated resource afresh: App Mesh restarts its versions at 1 under a new uid', async () => {
    const w = await world();
    const ref = { kind: 'virtual-node' as const, meshName: 'prod', name: 'spare' };
    const params = { meshName: 'prod', virtualNodeName: 'spare' };
    for (let i = 0; i < 3; i++) w.meshes.put({ ...ref, spec: { listeners: [] } });
    await judgeChange(
      w.deps,
      appMeshEvent({ who: 'admin', eventName: 'UpdateVirtualNode', requestParameters: params }),
    );
    w.meshes.remove(ref);
    await judgeChange(
      w.deps,
      appMeshEvent({ who: 'admin', eventName: 'DeleteVirtualNode', requestParameters: params }),
    );
    await w.meshes.create({ ...ref, spec: {} }, { clientToken: 'x' });
    await judgeChange(
      w.deps,
      appMeshEvent({ who: 'admin', eventName: 'CreateVirtualNode', requestParameters: params }),
    );
    w.meshes.put({ ...ref, spec: { backends: [] } });

    const result = await judgeChange(
      w.deps,
      appMeshEvent({ who: 'alice', eventName: 'UpdateVirtualNode', requestParameters: params }),
    );

    expect(result).toMatchObject({ status: 'decided', action: 'revert' });
    expect(w.meshes.resources.get('prod/virtual-node/spare')?.spec).toEqual({});
    expect(w.meshes.resources.get('prod/virtual-node/spare')?.metadata?.version).toBe(3);
  });

  it('ignores an event whose write was superseded by a later version', async () => {
    const w = await world();
    changeRoute(w, [0, 100]);
    changeRoute(w, [90, 10]);

    const result = await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'alice',
        eventName: 'UpdateRoute',
        requestParameters: WEB_ROUTE,
        resultVersion: 2,
      }),
    );

    expect(result).toMatchObject({ status: 'skipped' });
    expect(result.reason).toContain('later than the version 2');
  });

  it('ignores a delete when the resource exists again', async () => {
    const w = await world();

    const result = await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'alice',
        eventName: 'DeleteVirtualNode',
        requestParameters: { meshName: 'prod', virtualNodeName: 'web-v1' },
      }),
    );

    expect(result).toMatchObject({ status: 'skipped' });
    expect(w.meshes.writes()).toEqual([]);
  });
});
