/**
 * I8, a certificate change never breaks a handshake the mesh makes today, in local AWS:
 * a rotation keeps the name a caller validates by exact SAN, and phase 3 of a CA rollover
 * halts when a listener was pointed back at a certificate from the old CA after phase 2.
 */
import { ACMClient, DescribeCertificateCommand, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAuditCommand } from '../../../infra/cli/audit-command';
import { registerCertsCommand } from '../../../infra/cli/certs-command';
import type { ChangeControlCli } from '../../../infra/cli/change-control-clients';
import { FUNCTIONS } from '../../../infra/function-catalog';
import { DEMO_POLICY_FILE } from '../../../infra/local/runtime';
import type { BusEvent } from '../../../infra/local/types';
import { AcmCertificateIssuers } from '../../../shared/adapters/acm/certificate-issuers';
import { DynamoDbApprovalStore } from '../../../shared/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { runCaRollover } from '../../../shared/certificates/ca-rollover';
import { readHandshakes } from '../../../shared/certificates/handshake-guard';
import type { SweepItem } from '../../../shared/certificates/sweep';
import { acmTrusts } from '../../../shared/certificates/trusts';
import { loadPolicy } from '../../../shared/policy/load';
import { createAppMeshClient, createAppMeshProvider } from '../../../shared/providers/appmesh';
import type { MeshResourceOf } from '../../../shared/providers/appmesh/model';
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

const policy = loadPolicy('infra/local/demo/meshwarden.policy.yaml');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Only certificate rotation runs: change control would judge the tests' own setup writes. */
function start(): Promise<TestLocalAws> {
  return startSeededLocalAws({
    pcaIssueDelayMs: 50,
    functions: FUNCTIONS.filter((f) => f.name === 'cert-rotation'),
  });
}

/** A private certificate ACM issues from `caArn` (type PRIVATE: the kind Envoy can load). */
async function privateCertificate(acm: ACMClient, caArn: string, dnsName: string): Promise<string> {
  const { CertificateArn } = await acm.send(
    new RequestCertificateCommand({
      DomainName: dnsName,
      CertificateAuthorityArn: caArn,
      KeyAlgorithm: 'EC_prime256v1',
    }),
  );
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Certificate } = await acm.send(new DescribeCertificateCommand({ CertificateArn }));
    if (Certificate?.Status === 'ISSUED') return CertificateArn ?? '';
    await sleep(50);
  }
  throw new Error(`certificate for ${dnsName} was not issued`);
}

type Register = (program: Command, out: (line: string) => void) => void;

/** Run one CLI command as a person would, collecting what it prints and its exit code. */
async function runCli(register: Register, args: readonly string[]) {
  const lines: string[] = [];
  const program = new Command().name('meshwarden').exitOverride();
  register(program, (line) => lines.push(line));
  process.exitCode = undefined;
  await program.parseAsync(['node', 'meshwarden', ...args]);
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  return { lines, exitCode };
}

/** What `meshwarden audit` reads with, on local AWS as the administrator. */
function auditCli(local: TestLocalAws): Omit<ChangeControlCli, 'out' | 'err'> {
  const config = local.clientConfig('admin');
  const deps = rotationDeps(local);
  return {
    meshes: () => createAppMeshProvider(createAppMeshClient(config)),
    issuers: () => new AcmCertificateIssuers(new ACMClient(config)),
    documents: () => createDocumentClient(config),
    certificates: () => ({ meshes: deps.meshes, store: deps.store, cas: deps.cas, now: deps.now }),
  };
}

/** Make frontend validate its web backend by exactly these names, as an administrator would. */
async function frontendAccepts(local: TestLocalAws, names: readonly string[]): Promise<void> {
  const meshes = createAppMeshProvider(createAppMeshClient(local.clientConfig('admin')));
  const frontend = (await meshes.describe({ kind: 'virtual-node', meshName: 'prod', name: 'frontend' })) as
    | MeshResourceOf<'virtual-node'>
    | undefined;
  if (frontend === undefined) throw new Error('no frontend');
  const backends = (frontend.spec.backends ?? []).map((b) => {
    const tls = b.virtualService.clientPolicy?.tls;
    if (b.virtualService.virtualServiceName !== 'web.prod.local' || tls === undefined) return b;
    const validation = { ...tls.validation, subjectAlternativeNames: { match: { exact: [...names] } } };
    return { virtualService: { ...b.virtualService, clientPolicy: { tls: { ...tls, validation } } } };
  });
  await meshes.update(
    { ...frontend, spec: { ...frontend.spec, backends } },
    { clientToken: `accepts-${names.length}-names` },
  );
}

/**
 * One local AWS for the file: the functions read the local endpoint once at module load, so
 * two local AWS instances cannot share a process.
 */
describe("I8: certificate writes keep today's handshakes", () => {
  let local: TestLocalAws;
  let webArn = '';
  const seen: BusEvent[] = [];

  beforeAll(async () => {
    local = await start();
    local.aws.bus.onActivity((a) => {
      if (a.kind === 'event') seen.push(a.event);
    });
  }, 60_000);

  afterAll(() => local?.aws.close());

  it('certs and audit report the pairs broken today: frontend accepts a name web-v1 and web-v2 do not carry', async () => {
    // Prepare: the seeded mesh works; then frontend is made to accept only web.prod.local.
    const before = await readHandshakes(rotationDeps(local), 'prod', undefined);
    await frontendAccepts(local, ['web.prod.local']);
    await local.aws.drain();

    // Act
    const certs = await runCli(
      (program, out) =>
        registerCertsCommand(program, { out, err: out, deps: () => rotationDeps(local), env: {} }),
      ['certs', '--mesh', 'prod', '--policy', DEMO_POLICY_FILE],
    );
    const audit = await runCli(
      (program, out) => registerAuditCommand(program, { ...auditCli(local), out, err: out }),
      ['audit', '--mesh', 'prod', '--policy', DEMO_POLICY_FILE],
    );

    // Assess
    expect(before.filter((v) => v.status !== 'ok')).toEqual([]);
    expect(certs.exitCode).toBe(1);
    expect(certs.lines).toContain('mesh prod: 6 TLS handshake(s), 2 broken, 0 cannot be judged');
    const broken = certs.lines.find((l) => l.startsWith('!! BROKEN  frontend → web-v1'));
    expect(broken).toMatch(
      /^!! BROKEN {2}frontend → web-v1 \(port 8080, 90% of web\.prod\.local\): web-v1's certificate acm:\S+ names web-v1\.prod\.local; frontend accepts only web\.prod\.local$/,
    );
    expect(audit.exitCode).toBe(1);
    const findings = audit.lines.filter((l) => l.includes('tls.handshake'));
    expect(findings).toHaveLength(2);
    expect(findings[0]).toMatch(
      /^prod\/virtual-node\/frontend\s+tls\.handshake\s+violation\s+virtual node frontend cannot complete a TLS handshake: frontend → web-v\d/,
    );
    expect(audit.lines.at(-1)).toBe('mesh prod: 12 resources, 2 violation(s), 0 exempted');
  }, 60_000);

  it('renews web-v1 for web.prod.local, not the service discovery name frontend would refuse', async () => {
    // Prepare: web-v1 serves a certificate for the service's name, web.prod.local, which frontend accepts.
    const pca = new ACMPCAClient(local.clientConfig('admin'));
    const acm = new ACMClient(local.clientConfig('admin'));
    webArn = await importExpiringCertificate(pca, acm, local.seed.caArn, 'web.prod.local', 5);
    await pointListenerAt(local, 'virtual-node', 'web-v1', webArn);
    await local.aws.drain();

    // Act
    const outcome = (await local.aws.functions.invoke('cert-rotation', dailyEvent(local))) as {
      items: SweepItem[];
    };
    await local.aws.drain();

    // Assess
    expect(outcome.items.find((i) => i.id === `acm:${webArn}`)?.action).toBe('rotated');
    const { certificate } = await acmCertificate(acm, webArn);
    const checked = opensslCheck(
      certificate,
      await caCertificate(new ACMPCAClient(local.clientConfig('admin')), local.seed.caArn),
    );
    expect(checked.verify).toMatch(/: OK$/);
    expect(checked.san).toContain('DNS:web.prod.local');
    expect(checked.san).not.toContain('web-v1.prod.local');
  }, 60_000);

  it('halts with both CAs trusted, naming the leaf, when web-v1 went back to a certificate from the old CA', async () => {
    // Prepare: phases 1 and 2 towards a new CA. The nodes first move to imported certificates
    // meshwarden re-imports in place (renewing a private one would import a copy Envoy cannot load).
    await frontendAccepts(local, ['web-v1.prod.local', 'web-v2.prod.local']);
    const pca = new ACMPCAClient(local.clientConfig('admin'));
    const acm = new ACMClient(local.clientConfig('admin'));
    for (const node of ['web-v1', 'web-v2', 'payments', 'frontend']) {
      const arn = await importExpiringCertificate(pca, acm, local.seed.caArn, `${node}.prod.local`, 60);
      await pointListenerAt(local, 'virtual-node', node, arn);
    }
    const oldCa = local.seed.caArn;
    const newCa = await createRootCa(pca, 'meshwarden demo root CA 2');
    // The functions may use only the CAs the stack names: the operator adds the new one first.
    await local.aws.deploy({ certificateAuthorityArns: [oldCa, newCa] });
    const deps = rotationDeps(local);
    const report = await runCaRollover(deps, policy, 'prod', oldCa, newCa);
    expect(report.phase).toBe('awaiting-approval');
    // ... then someone points web-v1, all of web's traffic, at a private certificate from the old CA.
    const backOnOld = await privateCertificate(acm, oldCa, 'web-v1.prod.local');
    await pointListenerAt(local, 'virtual-node', 'web-v1', backOnOld);
    await local.aws.drain();
    const today = await readHandshakes(rotationDeps(local), 'prod', undefined);
    expect(
      today.find((v) => v.pair.caller.name === 'frontend' && v.pair.callee.name === 'web-v1')?.status,
    ).toBe('ok');

    // Act: priya approves; the decision arrives on the bus.
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
    const approvalId = `ca-rollover-${report.rolloverId}`;
    await approvals.create({
      approvalId,
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
    const decidedBy = { slackUserId: 'U0123456789', identity: 'priya' };
    await approvals.recordDecision(
      approvalId,
      { status: 'approved', decidedAt: decidedAt.toISOString(), decidedBy, click: 'trigger:1' },
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
              approvalId,
              meshName: 'prod',
              action,
              decision: 'approved',
              decidedBy,
              decidedAt: decidedAt.toISOString(),
            }),
          },
        ],
      }),
    );
    await local.aws.drain();
    // Assess: nothing removed, the rollover halted, and what it tells names web-v1's certificate.
    const meshes = createAppMeshProvider(createAppMeshClient(local.clientConfig('admin')));
    const trusts = acmTrusts(await meshes.readMesh('prod'));
    expect(trusts.length).toBeGreaterThan(0);
    expect(trusts.every((t) => t.arns.includes(oldCa) && t.arns.includes(newCa))).toBe(true);
    const record = await deps.rotations.get<{ version: number; phase: string; note: string }>(
      `ROTATION#ROLLOVER#${report.rolloverId}`,
    );
    expect(record?.phase).toBe('halted');
    expect(record?.note).toContain(
      `acm:${backOnOld} (served by prod/virtual-node/web-v1:8080) is issued by the old CA ${oldCa}`,
    );
    const progressed = seen.filter((e) => e['detail-type'] === 'CaRolloverProgressed').map((e) => e.detail);
    expect(progressed.at(-1)).toMatchObject({ phase: 'halted', note: expect.stringContaining(backOnOld) });
  }, 120_000);
});
