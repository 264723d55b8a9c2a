import { ACMClient, DescribeCertificateCommand, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../infra/function-catalog';
import { seedDemo } from '../../../infra/local/demo/seed';
import { startLocalAws } from '../../../infra/local/runtime';
import { DynamoDbApprovalStore } from '../../../shared/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { runCaRollover } from '../../../shared/certificates/ca-rollover';
import type { RotationRecord } from '../../../shared/certificates/records';
import { cleanUpSuperseded } from '../../../shared/certificates/superseded';
import { type SweepItem, sweepCertificates } from '../../../shared/certificates/sweep';
import { acmTrusts } from '../../../shared/certificates/trusts';
import { MeshwardenError } from '../../../shared/errors';
import { loadPolicy } from '../../../shared/policy/load';
import { createAppMeshClient, createAppMeshProvider } from '../../../shared/providers/appmesh';
import { envoyLoadsEveryListener, type LoadedListenerCertificate } from '../../support/envoy';
import type { TestLocalAws } from '../../support/local-aws';
import { CREDENTIALS } from '../../support/local-edge';
import {
  acmCertificate,
  caCertificate,
  createRootCa,
  dailyEvent,
  opensslCheck,
  pointListenerAt,
  RecordingNotifier,
  rotationDeps,
} from './support';

const DAY_MS = 86_400_000;
/** The demo listeners: four virtual nodes and the ingress gateway, each on its own ACM private certificate. */
const NODES = ['frontend', 'web-v1', 'web-v2', 'payments'] as const;

/** Envoy's view of every listener: the ARN it loaded, or why it could not. */
function served(loaded: Record<string, LoadedListenerCertificate | string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(loaded).map(([where, got]) => [where, typeof got === 'string' ? got : 'loaded']),
  );
}

function countCalls(local: TestLocalAws, operation: string): number {
  return local.aws.timeline.all().filter((e) => JSON.stringify(e).includes(`:${operation} `)).length;
}

describe('certificate rotation in local AWS', () => {
  let local: TestLocalAws;
  let pca: ACMPCAClient;
  let acm: ACMClient;
  const policy = loadPolicy('infra/local/demo/meshwarden.policy.yaml');
  /** Local AWS runs 390 days in the past while the demo is seeded: its certificates expire in 5 days. */
  let pastMs = 0;
  const meshes = () => createAppMeshProvider(createAppMeshClient(local.clientConfig('admin')));

  beforeAll(async () => {
    // Only this capability's function: change control would judge the test's own setup writes.
    const aws = await startLocalAws({
      port: 0,
      slackPort: 0,
      httpApiPort: 0,
      pcaIssueDelayMs: 150,
      functions: FUNCTIONS.filter((f) => f.name === 'cert-rotation'),
      now: () => new Date(Date.now() - pastMs),
    });
    const clientConfig = (who: keyof typeof CREDENTIALS = 'admin') => ({
      endpoint: aws.endpoint,
      region: aws.region,
      credentials: { ...CREDENTIALS[who] },
    });
    pastMs = 390 * DAY_MS;
    // The seeding administrator's clock agrees with local AWS's, as a signature must.
    const seed = await seedDemo({ ...clientConfig(), systemClockOffset: -pastMs } as ReturnType<
      typeof clientConfig
    >);
    pastMs = 0;
    // As an operator would: name the seeded CA in the stack's configuration and deploy again.
    await aws.deploy({ certificateAuthorityArns: [seed.caArn] });
    await aws.drain();
    local = { aws, seed, clientConfig };
    pca = new ACMPCAClient(local.clientConfig('admin'));
    acm = new ACMClient(local.clientConfig('admin'));
    // The proxies start: each Envoy exports its listener's certificate.
    const started = await envoyLoadsEveryListener(acm, await meshes().readMesh('prod'));
    expect(Object.values(served(started))).toEqual(['loaded', 'loaded', 'loaded', 'loaded', 'loaded']);
  }, 60_000);

  afterAll(async () => {
    await local?.aws.close();
  });

  it('renews the ACM private certificates expiring in 5 days in place; Envoy still loads every listener certificate', async () => {
    // Prepare
    const seeded = local.seed.certificateArns;
    const meshWrites = countCalls(local, 'UpdateVirtualNode') + countCalls(local, 'UpdateVirtualGateway');

    // Act
    const outcome = (await local.aws.functions.invoke('cert-rotation', dailyEvent(local))) as {
      items: SweepItem[];
    };
    await local.aws.drain();

    // Assess
    const rotated = outcome.items.filter((i) => i.action === 'rotated').map((i) => i.id);
    expect(rotated.sort()).toEqual(
      Object.values(seeded)
        .map((arn) => `acm:${arn}`)
        .sort(),
    );
    const after = await meshes().readMesh('prod');
    // Renewed under the same ARNs: no listener was rewritten.
    expect(countCalls(local, 'UpdateVirtualNode') + countCalls(local, 'UpdateVirtualGateway')).toBe(
      meshWrites,
    );
    const loaded = await envoyLoadsEveryListener(acm, after);
    expect(Object.values(served(loaded))).toEqual(['loaded', 'loaded', 'loaded', 'loaded', 'loaded']);
    const caPem = await caCertificate(pca, local.seed.caArn);
    for (const node of NODES) {
      const arn = seeded[node] ?? '';
      const detail = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
      expect(detail).toMatchObject({ Type: 'PRIVATE', RenewalSummary: { RenewalStatus: 'SUCCESS' } });
      const { certificate } = await acmCertificate(acm, arn);
      const checked = opensslCheck(certificate, caPem);
      expect(checked.verify).toMatch(/: OK$/);
      expect(checked.san).toContain(`DNS:${node}.prod.local`);
      const envoy = loaded[`virtual-node ${node}:8080`] as LoadedListenerCertificate;
      expect(Date.parse(envoy.certificate.validTo)).toBeGreaterThan(Date.now() + 390 * DAY_MS);
    }
    expect(countCalls(local, 'ImportCertificate')).toBe(0);
  }, 60_000);

  it('does nothing on a second run', async () => {
    // Prepare
    const renewals = countCalls(local, 'RenewCertificate');
    const requests = countCalls(local, 'RequestCertificate');

    // Act
    const outcome = (await local.aws.functions.invoke('cert-rotation', dailyEvent(local))) as {
      items: SweepItem[];
    };

    // Assess
    expect(renewals).toBe(5);
    expect(new Set(outcome.items.map((i) => i.action))).toEqual(new Set(['not-due']));
    expect(countCalls(local, 'RenewCertificate')).toBe(renewals);
    expect(countCalls(local, 'RequestCertificate')).toBe(requests);
  }, 60_000);

  it('resumes a renewal that crashed right after RenewCertificate, without renewing twice', async () => {
    // Prepare: `certs rotate --force` on web-v1 "dies" right after ACM accepted the renewal.
    // The Envoys have re-exported their renewed certificates since (what makes ACM renew again).
    await envoyLoadsEveryListener(acm, await meshes().readMesh('prod'));
    const arn = local.seed.certificateArns['web-v1'] ?? '';
    const deps = rotationDeps(local);
    const crashing = {
      ...deps,
      acmPrivate: {
        ...deps.acmPrivate,
        state: deps.acmPrivate.state.bind(deps.acmPrivate),
        fetch: deps.acmPrivate.fetch.bind(deps.acmPrivate),
        request: deps.acmPrivate.request.bind(deps.acmPrivate),
        remove: deps.acmPrivate.remove.bind(deps.acmPrivate),
        renew: async (certificateArn: string) => {
          await deps.acmPrivate.renew(certificateArn);
          throw new MeshwardenError('the process died after RenewCertificate');
        },
      },
    };
    // ACM dates renewals and certificates to the second: an earlier test's renewal of web-v1 in
    // this same second would leave this one's certificate ending at the same instant.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
    const renewals = countCalls(local, 'RenewCertificate');
    const first = await sweepCertificates(crashing, policy, ['prod'], { only: arn, force: true });

    // Act: run again.
    const second = await sweepCertificates(rotationDeps(local), policy, ['prod'], { only: arn, force: true });

    // Assess
    expect(first[0]).toMatchObject({ action: 'failed', reason: /died after RenewCertificate/ });
    expect(second[0]).toMatchObject({ action: 'rotated', resumedFrom: 'planned' });
    expect(countCalls(local, 'RenewCertificate')).toBe(renewals + 1);
    const record = await deps.rotations.get<RotationRecord>(`ROTATION#acm:${arn}`);
    expect(record).toMatchObject({ status: 'completed', delivery: 'acm-renew', issuedArn: arn });
    const loaded = await envoyLoadsEveryListener(acm, await meshes().readMesh('prod'));
    expect(served(loaded)['virtual-node web-v1:8080']).toBe('loaded');
  }, 60_000);

  it('moves a listener whose names are wrong to a new private certificate; the old one goes after the grace period, never while named', async () => {
    // Prepare: payments serves a private certificate for another name.
    const { CertificateArn: wrong = '' } = await acm.send(
      new RequestCertificateCommand({
        DomainName: 'legacy-payments.prod.local',
        CertificateAuthorityArn: local.seed.caArn,
        KeyAlgorithm: 'EC_prime256v1',
      }),
    );
    for (let i = 0; i < 50; i++) {
      const { Certificate } = await acm.send(new DescribeCertificateCommand({ CertificateArn: wrong }));
      if (Certificate?.Status === 'ISSUED') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await pointListenerAt(local, 'virtual-node', 'payments', wrong);
    const notifier = new RecordingNotifier();
    const deps = rotationDeps(local, { notifier });

    // Act
    const items = await sweepCertificates(deps, policy, ['prod'], { only: wrong });

    // Assess
    expect(items[0]).toMatchObject({ action: 'rotated', reason: /names legacy-payments/ });
    const mesh = await meshes().readMesh('prod');
    const loaded = await envoyLoadsEveryListener(acm, mesh);
    const payments = loaded['virtual-node payments:8080'] as LoadedListenerCertificate;
    expect(typeof payments).toBe('object');
    expect(payments.certificateArn).not.toBe(wrong);
    expect(payments.certificate.subjectAltName).toBe('DNS:payments.prod.local');
    expect(notifier.notifications[0]?.text).toMatch(
      new RegExp(`^${payments.certificateArn} now holds a certificate from ${local.seed.caArn}`),
    );

    // Act: a day later someone puts frontend on the old certificate; the cleanup keeps it.
    const later = new Date(Date.now() + 25 * 3_600_000);
    const cleanupDeps = rotationDeps(local, { now: () => later });
    await pointListenerAt(local, 'virtual-node', 'frontend', wrong);
    const whileNamed = await cleanUpSuperseded(cleanupDeps, policy, ['prod']);
    await pointListenerAt(local, 'virtual-node', 'frontend', local.seed.certificateArns.frontend ?? '');
    const once = await cleanUpSuperseded(cleanupDeps, policy, ['prod']);

    // Assess
    expect(whileNamed).toEqual([
      expect.objectContaining({ arn: wrong, action: 'kept', reason: 'named by prod/virtual-node/frontend' }),
    ]);
    expect(once).toEqual([expect.objectContaining({ arn: wrong, action: 'deleted' })]);
    const gone = await acm.send(new DescribeCertificateCommand({ CertificateArn: wrong })).then(
      () => 'still there',
      (error: Error) => error.name,
    );
    expect(gone).toBe('ResourceNotFoundException');
  }, 60_000);

  it('rolls the mesh over to a new CA in three phases; every listener stays loadable; later rotations issue from the new CA', async () => {
    // Prepare
    const newCa = await createRootCa(pca, 'meshwarden demo root CA 2');
    const oldCa = local.seed.caArn;
    // The functions may use only the CAs the stack names: the operator adds the new one first.
    await local.aws.deploy({ certificateAuthorityArns: [oldCa, newCa] });
    const deps = rotationDeps(local);
    const webV1Before = local.seed.certificateArns['web-v1'] ?? '';

    // Act 1: phases 1 and 2 (what `meshwarden certs rollover` runs).
    const report = await runCaRollover(deps, policy, 'prod', oldCa, newCa);
    await local.aws.drain();

    // Assess 1
    expect(report.phase).toBe('awaiting-approval');
    const during = acmTrusts(await meshes().readMesh('prod'));
    expect(during.every((t) => t.arns.includes(oldCa) && t.arns.includes(newCa))).toBe(true);
    const newCaPem = await caCertificate(pca, newCa);
    const loaded = await envoyLoadsEveryListener(acm, await meshes().readMesh('prod'));
    expect(Object.values(served(loaded))).toEqual(['loaded', 'loaded', 'loaded', 'loaded', 'loaded']);
    for (const got of Object.values(loaded) as LoadedListenerCertificate[]) {
      expect(opensslCheck(got.certificate.toString(), newCaPem).verify).toMatch(/: OK$/);
      const detail = (await acm.send(new DescribeCertificateCommand({ CertificateArn: got.certificateArn })))
        .Certificate;
      expect(detail).toMatchObject({ Type: 'PRIVATE', CertificateAuthorityArn: newCa });
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
    const after = acmTrusts(await meshes().readMesh('prod'));
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((t) => !t.arns.includes(oldCa) && t.arns.includes(newCa))).toBe(true);
    const record = await deps.rotations.get<{ phase: string; version: number }>(
      `ROTATION#ROLLOVER#${report.rolloverId}`,
    );
    expect(record?.phase).toBe('completed');

    // Act 3: web-v1 is put back on its old certificate (from the old CA), and someone runs
    // `meshwarden certs rotate --only web-v1`.
    await pointListenerAt(local, 'virtual-node', 'web-v1', webV1Before);
    const items = await sweepCertificates(rotationDeps(local), policy, ['prod'], {
      only: 'prod/virtual-node/web-v1',
    });

    // Assess 3: issued from the new CA, which is what every client trusts now.
    expect(items[0]).toMatchObject({ action: 'rotated', reason: expect.stringMatching(/rolled over to/) });
    const final = await envoyLoadsEveryListener(acm, await meshes().readMesh('prod'));
    const webV1 = final['virtual-node web-v1:8080'] as LoadedListenerCertificate;
    expect(webV1.certificateArn).not.toBe(webV1Before);
    expect(opensslCheck(webV1.certificate.toString(), newCaPem).verify).toMatch(/: OK$/);
  }, 120_000);
});
