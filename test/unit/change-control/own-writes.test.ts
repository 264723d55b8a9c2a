import { describe, expect, it } from 'vitest';
import { recordingOwnWrites } from '../../../shared/change-control/own-writes';
import { formatResourceKey } from '../../../shared/domain/resource-key';
import type { MeshResourceOf } from '../../../shared/providers/appmesh/model';
import { sampleResource } from '../../support/mesh-samples';
import { MemoryLastKnownGood, MemoryMesh } from './fakes';

const NOW = new Date('2026-12-06T00:00:00Z');

function world() {
  const route = sampleResource('route', 'web-route');
  const mesh = new MemoryMesh([route]);
  const lkg = new MemoryLastKnownGood();
  const meshes = recordingOwnWrites(mesh, lkg, () => NOW);
  return { route, mesh, lkg, meshes, key: formatResourceKey(route) };
}

function withTimeout(route: MeshResourceOf<'route'>, seconds: number): MeshResourceOf<'route'> {
  const { metadata: _m, tags: _t, ...rest } = route;
  const http = route.spec.httpRoute;
  if (http === undefined) throw new Error('sample route is not http');
  return {
    ...rest,
    spec: { ...route.spec, httpRoute: { ...http, timeout: { perRequest: { unit: 's', value: seconds } } } },
  };
}

describe('meshwarden’s own writes become last known good', () => {
  it('records the written spec and version, keeping the tags last known good had', async () => {
    // Prepare
    const w = world();
    await w.lkg.put({
      resourceKey: w.key,
      resource: w.route,
      version: w.route.metadata?.version ?? 1,
      eventId: 'e-0',
      recordedAt: NOW.toISOString(),
      source: 'event',
    });

    // Act
    const written = await w.meshes.update(withTimeout(w.route, 7), {
      clientToken: 't-1',
      ownWrite: { purpose: 'rollback', cause: 'alarm-event-1' },
    });

    // Assess
    const record = await w.lkg.get(w.key);
    expect(record?.source).toBe('own-write');
    expect(record?.ownWrite).toEqual({ purpose: 'rollback', cause: 'alarm-event-1' });
    expect(record?.version).toBe(written.metadata?.version);
    expect(record?.resource.spec).toEqual(written.spec);
    expect(record?.resource.tags).toEqual(w.route.tags);
  });

  it('leaves last known good alone for a write that is not meshwarden’s own', async () => {
    // Prepare
    const w = world();

    // Act
    await w.meshes.update(withTimeout(w.route, 9), { clientToken: 't-2' });

    // Assess
    expect(await w.lkg.get(w.key)).toBeUndefined();
  });

  it('records nothing when the write fails', async () => {
    // Prepare
    const w = world();
    w.mesh.failNextWrite = new Error('throttled');

    // Act
    const attempt = w.meshes.update(withTimeout(w.route, 3), {
      clientToken: 't-3',
      ownWrite: { purpose: 'step', cause: 'schedule-1' },
    });

    // Assess
    await expect(attempt).rejects.toThrow('throttled');
    expect(await w.lkg.get(w.key)).toBeUndefined();
  });
});

describe('tags of an own update', () => {
  it('keeps the tags last known good had, not the tags the written resource carries', async () => {
    // Prepare: last known good has team=web; the resource passed to update claims owner=bob
    const w = world();
    await w.lkg.put({
      resourceKey: w.key,
      resource: { ...w.route, tags: { team: 'web' } },
      version: w.route.metadata?.version ?? 1,
      eventId: 'e-0',
      recordedAt: NOW.toISOString(),
      source: 'event',
    });

    // Act
    await w.meshes.update(
      { ...withTimeout(w.route, 4), tags: { team: 'web', owner: 'bob' } },
      { clientToken: 't-4', ownWrite: { purpose: 'reapply', cause: 'approval-1' } },
    );

    // Assess: App Mesh's update leaves tags alone, so last known good must too
    expect((await w.lkg.get(w.key))?.resource.tags).toEqual({ team: 'web' });
  });
});

describe('what an own write makes last known good', () => {
  it('takes only the leaves meshwarden changed: the rest of the spec keeps its own judgment', async () => {
    // Prepare: last known good has a 15 s timeout; someone's unjudged change set 99 s
    const w = world();
    const judged = w.mesh.resources.get(w.key) as MeshResourceOf<'route'>;
    await w.lkg.put({
      resourceKey: w.key,
      resource: judged,
      version: judged.metadata?.version ?? 1,
      eventId: 'e-0',
      recordedAt: NOW.toISOString(),
      source: 'event',
    });
    const unjudged = withTimeout(w.route, 99);
    const current = await w.mesh.update(unjudged, { clientToken: 't-person' });

    // Act: a rollback changes the weights of what it read
    const http = current.spec.httpRoute;
    if (http === undefined) throw new Error('sample route is not http');
    const targets = http.action.weightedTargets.map((t, i) => ({ ...t, weight: i === 0 ? 100 : 0 }));
    const rolledBack = {
      ...current,
      spec: { ...current.spec, httpRoute: { ...http, action: { weightedTargets: targets } } },
    };
    await w.meshes.update(rolledBack, {
      clientToken: 't-rollback',
      ownWrite: { purpose: 'rollback', cause: 'alarm-2' },
      basedOn: current.spec,
    });

    // Assess: the weights are meshwarden's; the timeout is still the judged one
    const record = await w.lkg.get(w.key);
    const recorded = record?.resource.spec as typeof current.spec;
    expect(recorded.httpRoute?.action.weightedTargets.map((t) => t.weight)).toEqual(
      targets.map((t) => t.weight),
    );
    expect(recorded.httpRoute?.timeout).toEqual(judged.spec.httpRoute?.timeout);
    expect(record?.version).toBe((current.metadata?.version ?? 0) + 1);
  });

  it('records nothing for a resource never judged good, when meshwarden wrote only part of it', async () => {
    // Prepare
    const w = world();

    // Act
    await w.meshes.update(withTimeout(w.route, 5), {
      clientToken: 't-5',
      ownWrite: { purpose: 'rollback', cause: 'alarm-3' },
      basedOn: w.route.spec,
    });

    // Assess
    expect(await w.lkg.get(w.key)).toBeUndefined();
  });
});

describe('own tag writes', () => {
  it('an approved tag change becomes last known good, so a later revert keeps it', async () => {
    // Prepare
    const w = world();
    const judged = w.mesh.resources.get(w.key) as MeshResourceOf<'route'>;
    await w.lkg.put({
      resourceKey: w.key,
      resource: { ...judged, tags: { team: 'web' } },
      version: judged.metadata?.version ?? 1,
      eventId: 'e-0',
      recordedAt: NOW.toISOString(),
      source: 'event',
    });
    const arn = judged.metadata?.arn ?? '';

    // Act
    await w.meshes.tagResource(
      arn,
      { owner: 'bob' },
      { ownWrite: { purpose: 'reapply', cause: 'approval-9' } },
    );
    await w.meshes.untagResource(arn, ['team'], { ownWrite: { purpose: 'reapply', cause: 'approval-9' } });

    // Assess
    const record = await w.lkg.get(w.key);
    expect(record?.resource.tags).toEqual({ owner: 'bob' });
    expect(record?.resource.spec).toEqual(judged.spec);
    expect(record?.ownWrite?.purpose).toBe('reapply');
  });
});
