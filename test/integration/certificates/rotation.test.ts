import { ACMClient } from '@aws-sdk/client-acm';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../infra/function-catalog';
import { createAppMeshClient, createAppMeshProvider } from '../../../shared/adapters/appmesh';
import { DynamoDbApprovalStore } from '../../../shared/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { runCaRollover } from '../../../shared/certificates/ca-rollover';
import { parseCertificate } from '../../../shared/certificates/pem';
import type { RotationRecord } from '../../../shared/certificates/records';
import type { SweepItem } from '../../../shared/certificates/sweep';
import { acmTrusts } from '../../../shared/certificates/trusts';
import { MeshwardenError } from '../../../shared/errors';
import { loadPolicy } from '../../../shared/policy/load';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import {
  acmCertificate,
  caCertificate,
  createRootCa,
  dailyEvent,
  importExpiringCertificate,
  opensslCheck,
  pointListenerAt,
  rotationDeps,
} from './support';

/** The demo nodes, each put on a certificate that expires in 5 days. */
const NODES = ['web-v1', 'web-v2', 'payments', 'frontend'] as const;

describe('certificate rotation in local AWS', () => {
  let local: TestLocalAws;
  let pca: ACMPCAClient;
  let acm: ACMClient;
  const arns: Record<string, string> = {};
  const policy = loadPolicy('infra/local/demo/meshwarden.policy.yaml');

  beforeAll(async () => {
    // Only this capability's function: change control would judge the test's own setup writes.
    local = await startSeededLocalAws({
      pcaIssueDelayMs: 150,
      functions: FUNCTIONS.filter((f) => f.name === 'cert-rotation'),
    });
    pca = new ACMPCAClient(local.clientConfig('admin'));
    acm = new ACMClient(local.clientConfig('admin'));
    for (const node of NODES) {
      arns[node] = await importExpiringCertificate(pca, acm, local.seed.caArn, `${node}.prod.local`, 5);
      await pointListenerAt(local, 'virtual-node', node, arns[node]);
    }
    await local.aws.drain();
  }, 60_000);

  afterAll(async () => {
    await local?.aws.close();
  });

  it('rotates the certificates expiring in 5 days; each verifies with openssl against the CA and names its node', async () => {
    // Act
    const outcome = (await local.aws.functions.invoke('cert-rotation', dailyEvent(local))) as {
      items: SweepItem[];
    };
    await local.aws.drain();

    // Assess
    const rotated = outcome.items.filter((i) => i.action === 'rotated').map((i) => i.id);
    expect(rotated.sort()).toEqual(NODES.map((n) => `acm:${arns[n]}`).sort());
    const caPem = await caCertificate(pca, local.seed.caArn);
    for (const node of NODES) {
      const { certificate } = await acmCertificate(acm, arns[node] ?? '');
      const checked = opensslCheck(certificate, caPem);
      expect(checked.verify).toMatch(/: OK$/);
      expect(checked.san).toContain(`DNS:${node}.prod.local`);
      expect(parseCertificate(certificate).notAfter.getTime()).toBeGreaterThan(Date.now() + 80 * 86_400_000);
    }
    // The ACM-issued gateway certificate is young: left alone.
    expect(
      outcome.items.find((i) => i.id.includes(local.seed.certificateArns['ingress-gw'] ?? '-'))?.action,
    ).toBe('not-due');
  }, 60_000);

  it('does nothing on a second run', async () => {
    // Prepare
    const before = local.aws.timeline
      .all()
      .filter((e) => JSON.stringify(e).includes('IssueCertificate')).length;

    // Act
    const outcome = (await local.aws.functions.invoke('cert-rotation', dailyEvent(local))) as {
      items: SweepItem[];
    };

    // Assess
    expect(before).toBeGreaterThan(0);
    expect(new Set(outcome.items.map((i) => i.action))).toEqual(new Set(['not-due']));
    const after = local.aws.timeline
      .all()
      .filter((e) => JSON.stringify(e).includes('IssueCertificate')).length;
    expect(after).toBe(before);
  }, 60_000);

  it('resumes a rotation that crashed between issue and import, without issuing twice', async () => {
    // Prepare: a certificate expiring in 2 days; the first run "dies" right after IssueCertificate.
    const crashArn = await importExpiringCertificate(pca, acm, local.seed.caArn, 'web-v1.prod.local', 2);
    await pointListenerAt(local, 'virtual-node', 'web-v1', crashArn);
    await local.aws.drain();
    const deps = rotationDeps(local);
    const issued: string[] = [];
    const crashing = {
      ...deps,
      ca: {
        describe: deps.ca.describe.bind(deps.ca),
        fetch: deps.ca.fetch.bind(deps.ca),
        issue: async (request: Parameters<typeof deps.ca.issue>[0]) => {
          issued.push(await deps.ca.issue(request));
          throw new MeshwardenError('the process died after IssueCertificate');
        },
      },
    };
    const { sweepCertificates } = await import('../../../shared/certificates/sweep');
    const first = await sweepCertificates(crashing, policy, ['prod'], { only: crashArn });

    // Act: the scheduled function runs again.
    const outcome = (await local.aws.functions.invoke('cert-rotation', dailyEvent(local))) as {
      items: SweepItem[];
    };

    // Assess
    expect(first[0]).toMatchObject({ action: 'failed', reason: /died after IssueCertificate/ });
    expect(outcome.items.find((i) => i.id === `acm:${crashArn}`)).toMatchObject({
      action: 'rotated',
      resumedFrom: 'planned',
    });
    const record = await deps.rotations.get<RotationRecord>(`ROTATION#acm:${crashArn}`);
    expect(record?.issuedArn).toBe(issued[0]);
    const { certificate } = await acmCertificate(acm, crashArn);
    const serial = parseCertificate(certificate).serialNumber.toLowerCase().replace(/^0+/, '');
    expect(issued[0]?.toLowerCase()).toMatch(new RegExp(`/certificate/0*${serial}$`));
  }, 60_000);

  it('rolls the mesh over to a new CA in three phases, the last after an approval on the bus', async () => {
    // Prepare
    const newCa = await createRootCa(pca, 'meshwarden demo root CA 2');
    const oldCa = local.seed.caArn;
    const deps = rotationDeps(local);

    // Act 1: phases 1 and 2 (what `meshwarden certs rollover` runs).
    const report = await runCaRollover(deps, policy, 'prod', oldCa, newCa);
    await local.aws.drain();

    // Assess 1
    expect(report.phase).toBe('awaiting-approval');
    const meshes = createAppMeshProvider(createAppMeshClient(local.clientConfig('admin')));
    const during = acmTrusts(await meshes.readMesh('prod'));
    expect(during.every((t) => t.arns.includes(oldCa) && t.arns.includes(newCa))).toBe(true);
    const newCaPem = await caCertificate(pca, newCa);
    const snapshot = await meshes.readMesh('prod');
    const listenerArns = [...snapshot.virtualNodes, ...snapshot.virtualGateways].flatMap((r) =>
      (r.spec.listeners ?? []).flatMap((l) =>
        l.tls && 'acm' in l.tls.certificate ? [l.tls.certificate.acm.certificateArn] : [],
      ),
    );
    expect(listenerArns).toHaveLength(5);
    for (const arn of listenerArns) {
      const { certificate } = await acmCertificate(acm, arn);
      expect(opensslCheck(certificate, newCaPem).verify).toMatch(/: OK$/);
    }

    // Act 2: priya approves (what the Slack callback stores: a person's recorded decision),
    // and the decision arrives on the meshwarden bus, put by meshwarden's own identity.
    const approvals = new DynamoDbApprovalStore(
      createDocumentClient(local.clientConfig('admin')),
      local.aws.functionEnv.MESHWARDEN_TABLE ?? '',
    );
    const action = {
      type: 'finish-ca-rollover' as const,
      rolloverId: report.rolloverId,
      oldCaArn: oldCa,
      newCaArn: newCa,
    };
    const decidedAt = new Date();
    await approvals.create({
      approvalId: `ca-rollover-${report.rolloverId}`,
      meshName: 'prod',
      action,
      title: 'Finish the CA rollover',
      reason: 'every certificate is issued by the new CA',
      requestedBy: { arn: 'meshwarden', label: 'meshwarden certificate rotation' },
      diff: '',
      requestedAt: decidedAt.toISOString(),
      expiresAt: new Date(decidedAt.getTime() + 3600_000).toISOString(),
      status: 'pending',
    });
    await approvals.recordDecision(
      `ca-rollover-${report.rolloverId}`,
      {
        status: 'approved',
        decidedAt: decidedAt.toISOString(),
        decidedBy: { slackUserId: 'U0123456789', identity: 'priya' },
        click: 'trigger:1',
      },
      decidedAt,
    );
    await new EventBridgeClient(local.clientConfig('meshwarden')).send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'meshwarden',
            Source: 'meshwarden',
            DetailType: 'ApprovalDecided',
            Detail: JSON.stringify({
              approvalId: `ca-rollover-${report.rolloverId}`,
              meshName: 'prod',
              action,
              decision: 'approved',
              decidedBy: { slackUserId: 'U0123456789', identity: 'priya' },
              decidedAt: decidedAt.toISOString(),
            }),
          },
        ],
      }),
    );
    await local.aws.drain();

    // Assess 2
    const after = acmTrusts(await meshes.readMesh('prod'));
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((t) => !t.arns.includes(oldCa) && t.arns.includes(newCa))).toBe(true);
    const record = await deps.rotations.get<{ phase: string; version: number }>(
      `ROTATION#ROLLOVER#${report.rolloverId}`,
    );
    expect(record?.phase).toBe('completed');
  }, 120_000);
});
