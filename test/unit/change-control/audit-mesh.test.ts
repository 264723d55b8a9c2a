import { describe, expect, it } from 'vitest';
import { type AuditMeshDeps, auditMeshes } from '../../../shared/change-control/audit-mesh';
import { recordWebIdentitySession } from '../../../shared/change-control/record-web-identity';
import type { MeshResource } from '../../../shared/domain/mesh';
import { MeshwardenError } from '../../../shared/errors';
import { parseAssumeRoleWithWebIdentity } from '../../../shared/events/sts-web-identity';
import { loadEvent } from '../../support/sample-events';
import { FixedIssuers, MemoryLastKnownGood, MemoryMesh, MemorySessions, RecordingPublisher } from './fakes';
import { meshResources, routeSpec, testPolicy } from './scenario';

function deps(
  meshes: MemoryMesh,
  lkg = new MemoryLastKnownGood(),
): AuditMeshDeps & { publisher: RecordingPublisher } {
  return {
    meshes,
    policy: testPolicy(),
    issuers: new FixedIssuers(undefined),
    lastKnownGood: lkg,
    publisher: new RecordingPublisher(),
    now: () => new Date('2026-11-26T05:00:00Z'),
  };
}

describe('auditMeshes', () => {
  it('judges the whole mesh, reports drift and records last known good only for compliant resources without one', async () => {
    const meshes = new MemoryMesh(meshResources());
    meshes.put({
      kind: 'route',
      meshName: 'prod',
      parentName: 'web-router',
      name: 'web-route',
      spec: routeSpec([90, 10], false),
    });
    const lkg = new MemoryLastKnownGood();
    const existing = meshes.resources.get('prod/virtual-node/web-v1');
    await lkg.put({
      resourceKey: 'prod/virtual-node/web-v1',
      resource: { ...(existing as MeshResource), spec: { listeners: [] } } as MeshResource,
      version: 1,
      eventId: 'e',
      recordedAt: 'then',
      source: 'event',
    });
    const d = deps(meshes, lkg);

    const [report] = await auditMeshes(d, ['prod']);

    expect(report).toMatchObject({
      status: 'found',
      governed: true,
      violations: 1,
      drifted: ['prod/route/web-router/web-route'],
      counts: { mesh: 1, 'virtual-node': 3, route: 1, 'virtual-router': 1, 'virtual-service': 1 },
      lastKnownGoodRecorded: 5,
    });
    expect(report?.findings[0]).toContain('route.retry-policy');
    expect(lkg.records.has('prod/route/web-router/web-route')).toBe(false);
    // An existing last known good is not replaced by the audit.
    expect(lkg.records.get('prod/virtual-node/web-v1')?.resource.spec).toEqual({ listeners: [] });
    expect(d.publisher.ofType('MeshAudited')).toHaveLength(1);
  });

  it('reports a governed mesh that does not exist, and still audits the others', async () => {
    const d = deps(new MemoryMesh(meshResources()));

    const reports = await auditMeshes(d, ['gone', 'prod']);

    expect(reports.map((r) => [r.meshName, r.status])).toEqual([
      ['gone', 'not-found'],
      ['prod', 'found'],
    ]);
    expect(d.publisher.published).toHaveLength(2);
  });

  it('fails the run on any other error, so it is retried', async () => {
    const meshes = new MemoryMesh(meshResources());
    meshes.readMesh = async () => {
      throw new MeshwardenError('App Mesh answered 500');
    };
    const d = deps(meshes);

    await expect(auditMeshes(d, ['prod'])).rejects.toThrow('App Mesh answered 500');
    expect(d.publisher.published).toEqual([]);
  });
});

describe('recordWebIdentitySession', () => {
  it('remembers the session tags until the session expires', async () => {
    const sessions = new MemorySessions();
    const event = parseAssumeRoleWithWebIdentity(loadEvent('sts/assume-role-with-web-identity'));

    const { expiresAt } = await recordWebIdentitySession(sessions, event);

    const arn = 'arn:aws:sts::123456789012:assumed-role/mesh-operator/alice@example.com';
    expect(expiresAt).toBe('2026-03-10T12:02:10.000Z');
    expect((await sessions.get(arn, new Date('2026-03-10T11:30:00Z')))?.sessionTags).toEqual({
      team: 'platform',
      environment: 'prod',
    });
    expect(await sessions.get(arn, new Date('2026-03-10T12:02:10Z'))).toBeUndefined();
  });

  it('refuses a failed federation: it created no session', async () => {
    const sample = loadEvent('sts/assume-role-with-web-identity');
    const event = parseAssumeRoleWithWebIdentity({
      ...sample,
      detail: { ...sample.detail, errorCode: 'InvalidIdentityToken', responseElements: null },
    });

    await expect(recordWebIdentitySession(new MemorySessions(), event)).rejects.toThrow(/created no session/);
  });
});
