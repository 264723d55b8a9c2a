import { describe, expect, it } from 'vitest';
import { judgeChange } from '../../../shared/change-control/judge-change';
import type { MeshResource } from '../../../shared/providers/appmesh/model';
import { appMeshEvent, routeSpec, WEB_ROUTE, world } from './scenario';

const ROUTE_KEY = 'prod/route/web-router/web-route';
const ROUTE_REF = { kind: 'route' as const, meshName: 'prod', parentName: 'web-router', name: 'web-route' };

/** alice deletes and recreates web-route (Terraform's replace); both events arrive afterwards. */
async function replaced(w: Awaited<ReturnType<typeof world>>) {
  const before = w.meshes.resources.get(ROUTE_KEY) as MeshResource;
  w.meshes.remove(ROUTE_REF);
  const recreated = await w.meshes.create({ ...ROUTE_REF, spec: routeSpec([0, 100]) }, { clientToken: 'tf' });
  const del = appMeshEvent({ who: 'alice', eventName: 'DeleteRoute', requestParameters: WEB_ROUTE });
  const create = appMeshEvent({
    who: 'alice',
    eventName: 'CreateRoute',
    requestParameters: { ...WEB_ROUTE, spec: routeSpec([0, 100]) },
    resultVersion: 1,
  });
  return { before, recreated, del, create };
}

describe('judgeChange: a denied delete-and-recreate is judged as one replace', () => {
  it('restores the last known good onto the new incarnation when the DeleteRoute event comes first', async () => {
    const w = await world();
    const { before, recreated, del, create } = await replaced(w);
    w.meshes.calls.length = 0;

    const first = await judgeChange(w.deps, del);
    const second = await judgeChange(w.deps, create);

    const now = w.meshes.resources.get(ROUTE_KEY);
    expect(now?.spec).toEqual(before.spec);
    expect(now?.metadata?.uid).toBe(recreated.metadata?.uid);
    expect(w.meshes.writes().map((c) => c.op)).toEqual(['update']);
    expect(first).toMatchObject({ status: 'decided', action: 'revert', outcome: 'applied' });
    expect(second.status).toBe('skipped');
  });

  it('restores the last known good, never deletes, when the CreateRoute event comes first', async () => {
    const w = await world();
    const { before, recreated, del, create } = await replaced(w);
    w.meshes.calls.length = 0;

    const first = await judgeChange(w.deps, create);
    const second = await judgeChange(w.deps, del);

    const now = w.meshes.resources.get(ROUTE_KEY);
    expect(now?.spec).toEqual(before.spec);
    expect(now?.metadata?.uid).toBe(recreated.metadata?.uid);
    expect(w.meshes.writes().map((c) => c.op)).toEqual(['update']);
    expect(first).toMatchObject({ status: 'decided', action: 'revert', outcome: 'applied' });
    expect(second.status).toBe('skipped');
    const decision = w.publisher.ofType('GovernanceDecision')[0]?.detail as { plan: string };
    expect(decision.plan).toContain('recreated');
  });

  it('still deletes a denied create of a resource that never had a last known good', async () => {
    const w = await world();
    const ref = { kind: 'virtual-node' as const, meshName: 'prod', name: 'rogue' };
    await w.meshes.create({ ...ref, spec: {} }, { clientToken: 'x' });

    const result = await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'alice',
        eventName: 'CreateVirtualNode',
        requestParameters: { meshName: 'prod', virtualNodeName: 'rogue' },
      }),
    );

    expect(result).toMatchObject({ action: 'revert', outcome: 'applied' });
    expect(w.meshes.resources.has('prod/virtual-node/rogue')).toBe(false);
  });
});

describe('judgeChange: a revert restores only what the violating call changed', () => {
  it('reverting a denied TagResource restores only the keys it set, keeping a newer allowed tag', async () => {
    const w = await world();
    const node = w.meshes.resources.get('prod/virtual-node/web-v1') as MeshResource;
    const arn = node.metadata?.arn ?? '';
    // The admin added `owner` (allowed, not yet in last known good), then alice overwrote `team` and added `x`.
    w.meshes.resources.set('prod/virtual-node/web-v1', {
      ...node,
      tags: { team: 'hacked', owner: 'platform', x: '1' },
    } as MeshResource);

    const result = await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'alice',
        eventName: 'TagResource',
        requestParameters: {
          resourceArn: arn,
          tags: [
            { key: 'team', value: 'hacked' },
            { key: 'x', value: '1' },
          ],
        },
      }),
    );

    expect(result).toMatchObject({ action: 'revert', outcome: 'applied' });
    expect(w.meshes.resources.get('prod/virtual-node/web-v1')?.tags).toEqual({
      team: 'web',
      owner: 'platform',
    });
  });

  it('reverting a denied UntagResource puts back only the keys it removed', async () => {
    const w = await world();
    const node = w.meshes.resources.get('prod/virtual-node/web-v1') as MeshResource;
    const arn = node.metadata?.arn ?? '';
    w.meshes.resources.set('prod/virtual-node/web-v1', {
      ...node,
      tags: { owner: 'platform' },
    } as MeshResource);

    const result = await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'alice',
        eventName: 'UntagResource',
        requestParameters: { resourceArn: arn, tagKeys: ['team'] },
      }),
    );

    expect(result).toMatchObject({ action: 'revert', outcome: 'applied' });
    expect(w.meshes.resources.get('prod/virtual-node/web-v1')?.tags).toEqual({
      owner: 'platform',
      team: 'web',
    });
    expect(w.meshes.writes().map((c) => c.op)).toEqual(['tagResource']);
  });

  it('reports a tag call whose keys the record does not carry, instead of guessing which tags to restore', async () => {
    const w = await world();
    const node = w.meshes.resources.get('prod/virtual-node/web-v1') as MeshResource;

    const result = await judgeChange(
      w.deps,
      appMeshEvent({
        who: 'alice',
        eventName: 'TagResource',
        requestParameters: { resourceArn: node.metadata?.arn },
      }),
    );

    expect(result).toMatchObject({ status: 'unjudgeable', action: 'report' });
    expect(w.meshes.writes()).toEqual([]);
  });
});
