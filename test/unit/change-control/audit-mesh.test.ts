import { describe, expect, it } from 'vitest';
import { type AuditMeshDeps, auditMeshes } from '../../../shared/change-control/audit-mesh';
import { recordWebIdentitySession } from '../../../shared/change-control/record-web-identity';
import { MeshwardenError } from '../../../shared/errors';
import { parseAssumeRoleWithWebIdentity } from '../../../shared/events/sts-web-identity';
import { parsePolicy } from '../../../shared/policy/load';
import type { MeshResource } from '../../../shared/providers/appmesh/model';
import { loadEvent } from '../../support/sample-events';
import {
  FixedAlarms,
  FixedIssuers,
  MemoryLastKnownGood,
  MemoryMesh,
  MemorySessions,
  RecordingNotifier,
  RecordingPublisher,
} from './fakes';
import { meshResources, POLICY_YAML, routeSpec, testPolicy } from './scenario';

function deps(
  meshes: MemoryMesh,
  lkg = new MemoryLastKnownGood(),
): AuditMeshDeps & { publisher: RecordingPublisher; notifier: RecordingNotifier; alarms: FixedAlarms } {
  return {
    meshes,
    policy: testPolicy(),
    issuers: new FixedIssuers(undefined),
    lastKnownGood: lkg,
    publisher: new RecordingPublisher(),
    alarms: new FixedAlarms([
      {
        name: 'web-5xx-rate',
        arn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:web-5xx-rate',
        routeTag: 'prod/web-router/web-route',
      },
    ]),
    notifier: new RecordingNotifier(),
    now: () => new Date('2026-11-26T05:00:00Z'),
  };
}

/** The unit policy with a deployments section: a stable target, a route glob and an alarm, each a typo. */
const TYPO_POLICY = `${POLICY_YAML}    deployments:
      routes:
        - route: prod/web-router/web-route
          stableTarget: web-v9
          alarms: [web-5xx-rate, web-5xx-rates]
        - route: prod/web-routr/*
`;

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

describe('auditMeshes and the policy references', () => {
  it('publishes every dangling reference with its position in MeshAudited, and tells the mesh channel', async () => {
    // Prepare
    const d = {
      ...deps(new MemoryMesh(meshResources())),
      policy: parsePolicy(TYPO_POLICY, 'unit.policy.yaml'),
    };
    d.alarms.alarms.push({
      name: 'orphan',
      arn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:orphan',
      routeTag: 'prod/web-router/gone',
    });
    const line = (needle: string) => TYPO_POLICY.split('\n').findIndex((l) => l.includes(needle)) + 1;
    // Act
    const [report] = await auditMeshes(d, ['prod']);
    // Assess
    const expected = [
      {
        kind: 'alarm-route-tag',
        line: line('deployments:'),
        path: 'meshes[0].deployments',
        message: expect.stringContaining('alarm "orphan" is tagged meshwarden:route=prod/web-router/gone'),
      },
      {
        kind: 'stable-target',
        line: line('web-v9'),
        col: 25,
        path: 'meshes[0].deployments.routes[0].stableTarget',
        message: expect.stringContaining('"web-v9" is not a target of prod/web-router/web-route'),
      },
      {
        kind: 'alarm',
        line: line('web-5xx-rates'),
        path: 'meshes[0].deployments.routes[0].alarms[1]',
        message: expect.stringContaining('no CloudWatch alarm named "web-5xx-rates" exists'),
      },
      {
        kind: 'deployment-route',
        line: line('web-routr'),
        col: 18,
        path: 'meshes[0].deployments.routes[1].route',
        message: expect.stringContaining('"prod/web-routr/*" matches no route in mesh prod'),
      },
    ].map((e) => expect.objectContaining({ file: 'unit.policy.yaml', ...e }));
    expect(report?.danglingReferences).toEqual(expected);
    const [event] = d.publisher.ofType('MeshAudited');
    expect(event?.detail.danglingReferences).toEqual(expected);
    expect(d.notifier.notifications).toEqual([
      expect.objectContaining({
        meshName: 'prod',
        kind: 'audit',
        title: '4 policy reference(s) resolve to nothing in mesh prod',
        text: expect.stringContaining(
          `unit.policy.yaml:${line('web-v9')}:25 meshes[0].deployments.routes[0].stableTarget: "web-v9" is not a target`,
        ),
      }),
    ]);
  });

  it('publishes an empty list and tells no one when every reference resolves', async () => {
    // Prepare
    const d = deps(new MemoryMesh(meshResources()));
    // Act
    const [report] = await auditMeshes(d, ['prod']);
    // Assess
    expect(report?.danglingReferences).toEqual([]);
    expect(d.publisher.ofType('MeshAudited')[0]?.detail.danglingReferences).toEqual([]);
    expect(d.notifier.notifications).toEqual([]);
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
