import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACMClient, DescribeCertificateCommand, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateListenerCommand,
  ListServiceNetworksCommand,
  ListServicesCommand,
  PutAuthPolicyCommand,
  UpdateServiceCommand,
  UpdateServiceNetworkCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { Command } from 'commander';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerAuditCommand } from '../../../infra/cli/audit-command';
import { registerCertsCommand } from '../../../infra/cli/certs-command';
import type { ChangeControlCli } from '../../../infra/cli/change-control-clients';
import { registerExplainCommand } from '../../../infra/cli/explain-command';
import { InProcessPendingKeyVault } from '../../../infra/cli/in-process-key-vault';
import { registerPolicyCommand } from '../../../infra/cli/policy-command';
import { FUNCTIONS } from '../../../infra/function-catalog';
import { LATTICE_DEMO, seedLatticeDemo } from '../../../infra/local/demo/lattice-seed';
import { DEMO_POLICY_FILE } from '../../../infra/local/runtime';
import type { BusEvent } from '../../../infra/local/types';
import { AcmCertificateIssuers } from '../../../shared/adapters/acm/certificate-issuers';
import {
  AcmPcaCertificateAuthority,
  createAcmPcaClient,
} from '../../../shared/adapters/acm-pca/certificate-authority';
import { CloudWatchAlarmSource } from '../../../shared/adapters/cloudwatch/alarm-source';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { EventBridgePublisher } from '../../../shared/adapters/eventbridge/event-publisher';
import { createRotationDeps } from '../../../shared/certificates/wiring';
import { createAppMeshClient, createAppMeshProvider } from '../../../shared/providers/appmesh';
import { createLatticeClient, LatticeAdapter } from '../../../shared/providers/vpc-lattice';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { loadEvent } from '../../support/sample-events';

/** ACM issues a private certificate asynchronously: wait for it, as an operator would. */
async function waitUntilIssued(acm: ACMClient, CertificateArn: string | undefined): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Certificate } = await acm.send(new DescribeCertificateCommand({ CertificateArn }));
    if (Certificate?.Status === 'ISSUED') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`certificate ${CertificateArn} was not issued`);
}

const FRONTEND_ROLE = 'arn:aws:iam::000000000000:role/frontend';

/**
 * The demo policy, whose `provider: vpc-lattice` entry governs the Lattice demo's prod-net, with
 * these compliance settings (YAML, indented 6) and more of the entry's keys (indented 4).
 */
function latticePolicy(compliance: string, more = ''): string {
  const demo = readFileSync(DEMO_POLICY_FILE, 'utf8');
  const entry = `    serviceNetwork: ${LATTICE_DEMO.serviceNetwork}\n`;
  if (!demo.includes(entry)) throw new Error('the demo policy no longer governs the Lattice demo');
  return demo.replace(entry, `${entry}    compliance:\n${compliance}\n${more === '' ? '' : `${more}\n`}`);
}

const STRICT = `      tls: { minimumMode: STRICT, allowedCertificateAuthorities: ['arn:aws:acm-pca:*'] }
      accessGraph:
        '${FRONTEND_ROLE}': [web, payments]`;

/**
 * `meshwarden audit` and the mesh-audit function on the Lattice demo `prod-net`, read through
 * the real SDK client from local AWS (mesh-audit under its CDK role, which local IAM enforces).
 */
describe('auditing the VPC Lattice demo', () => {
  let local: TestLocalAws;
  let dir: string;
  let strictPolicy: string;
  let lattice: VPCLatticeClient;
  const seen: BusEvent[] = [];

  async function run(args: string[]) {
    const lines: string[] = [];
    const errors: string[] = [];
    const config = local.clientConfig('admin');
    const io: ChangeControlCli = {
      out: (line) => lines.push(line),
      err: (line) => errors.push(line),
      meshes: () => createAppMeshProvider(createAppMeshClient(config)),
      serviceNetworks: () => new LatticeAdapter(createLatticeClient(config)),
      issuers: () => new AcmCertificateIssuers(new ACMClient(config)),
      documents: () => createDocumentClient(config),
    };
    const program = new Command().name('meshwarden').exitOverride();
    registerAuditCommand(program, io);
    registerExplainCommand(program, io);
    await program.parseAsync(['node', 'meshwarden', ...args]);
    return { lines, errors, exitCode: process.exitCode };
  }

  async function serviceId(name: string): Promise<string> {
    const { items } = await lattice.send(new ListServicesCommand({}));
    const id = items?.find((s) => s.name === name)?.id;
    if (id === undefined) throw new Error(`no service ${name}`);
    return id;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meshwarden-lattice-audit-'));
    strictPolicy = join(dir, 'strict.policy.yaml');
    writeFileSync(strictPolicy, latticePolicy(STRICT));
    local = await startSeededLocalAws({
      policyFile: strictPolicy,
      functions: FUNCTIONS.filter((f) => f.name === 'mesh-audit'),
    });
    local.aws.bus.onActivity((a) => {
      if (a.kind === 'event') seen.push(a.event);
    });
    await seedLatticeDemo(local.clientConfig('admin'));
    lattice = new VPCLatticeClient(local.clientConfig('admin'));
  }, 90_000);
  afterAll(async () => {
    lattice.destroy();
    await local.aws.close();
  });
  beforeEach(() => {
    process.exitCode = undefined;
  });

  it('finds nothing to fault in the demo under consistency rules alone: exit code 0', async () => {
    const lenient = join(dir, 'lenient.policy.yaml');
    writeFileSync(lenient, latticePolicy('      {}'));

    const result = await run(['audit', '--mesh', LATTICE_DEMO.serviceNetwork, '--policy', lenient]);

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBeUndefined();
    expect(result.lines).toEqual([
      'service network prod-net: 1 service network, 3 services, 1 listener, 2 rules, 0 violation(s), 0 exempted',
    ]);
  });

  it('reports what the demo violates under TLS and the access graph, with exit code 1', async () => {
    const result = await run(['audit', '--mesh', LATTICE_DEMO.serviceNetwork, '--policy', strictPolicy]);

    expect(result.exitCode).toBe(1);
    expect(result.lines[0]).toMatch(/^RESOURCE\s+RULE\s+STATUS\s+FINDING$/);
    const found = result.lines.slice(1, -1).map((l) => l.split(/\s+/).slice(0, 3).join(' '));
    expect(found).toEqual([
      'prod-net/service-network lattice.iam-auth violation',
      'prod-net/service/frontend lattice.iam-auth violation',
      'prod-net/service/payments lattice.iam-auth violation',
      'prod-net/service/web lattice.iam-auth violation',
      'prod-net/listener/web/http lattice.https-only violation',
    ]);
    expect(result.lines.at(-1)).toBe(
      'service network prod-net: 1 service network, 3 services, 1 listener, 2 rules, 5 violation(s), 0 exempted',
    );
  });

  it('sees changes made through the SDK: IAM auth with an open policy, HTTPS with and without an allowed certificate', async () => {
    // Prepare: the network turns on IAM auth but lets anyone in; web gets an HTTPS listener with a
    // certificate from the demo's private CA, payments one with Lattice's own certificate.
    const { items: networks } = await lattice.send(new ListServiceNetworksCommand({}));
    const networkId = networks?.find((n) => n.name === LATTICE_DEMO.serviceNetwork)?.id;
    await lattice.send(
      new UpdateServiceNetworkCommand({ serviceNetworkIdentifier: networkId, authType: 'AWS_IAM' }),
    );
    await lattice.send(
      new PutAuthPolicyCommand({
        resourceIdentifier: networkId,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: '*', Action: 'vpc-lattice-svcs:Invoke', Resource: '*' }],
        }),
      }),
    );
    const acm = new ACMClient(local.clientConfig('admin'));
    const { CertificateArn } = await acm.send(
      new RequestCertificateCommand({
        DomainName: 'web.prod.internal',
        CertificateAuthorityArn: local.seed.caArn,
      }),
    );
    acm.destroy();
    const web = await serviceId('web');
    await lattice.send(new UpdateServiceCommand({ serviceIdentifier: web, certificateArn: CertificateArn }));
    for (const name of ['web', 'payments']) {
      await lattice.send(
        new CreateListenerCommand({
          serviceIdentifier: await serviceId(name),
          name: 'https',
          protocol: 'HTTPS',
          port: 443,
          defaultAction: { fixedResponse: { statusCode: 404 } },
        }),
      );
    }

    // Act
    const result = await run([
      'audit',
      '--mesh',
      LATTICE_DEMO.serviceNetwork,
      '--policy',
      strictPolicy,
      '--format',
      'json',
    ]);

    // Assess
    expect(result.exitCode).toBe(1);
    const judgement = JSON.parse(result.lines.join('\n')) as {
      provider: string;
      findings: { resourceKey: string; ruleId: string; message: string }[];
    };
    expect(judgement.provider).toBe('vpc-lattice');
    const keys = judgement.findings.map((f) => `${f.resourceKey} ${f.ruleId}`);
    expect(keys).toContain('prod-net/service-network lattice.access-graph');
    expect(keys).not.toContain('prod-net/service-network lattice.iam-auth');
    expect(keys).toContain('prod-net/service/payments lattice.allowed-ca');
    expect(keys).not.toContain('prod-net/service/web lattice.allowed-ca');
    expect(judgement.findings.find((f) => f.ruleId === 'lattice.access-graph')?.message).toContain(
      '"Principal": "*" without a condition',
    );
  });

  it('explains a VPC Lattice call by the findings on the service it touched, and one that touches nothing governed', async () => {
    // Prepare: the sample UpdateRule event, aimed at the demo's web service, and at a service of no network.
    const sample = loadEvent('vpc-lattice/update-rule');
    const aimedAt = (serviceIdentifier: string) => {
      const file = join(dir, `update-rule-${serviceIdentifier}.json`);
      const event = {
        ...sample,
        detail: {
          ...sample.detail,
          requestParameters: { ...sample.detail.requestParameters, serviceIdentifier },
        },
      };
      writeFileSync(file, JSON.stringify(event));
      return file;
    };
    const web = aimedAt(await serviceId('web'));
    const elsewhere = aimedAt('svc-0000000000000000f');

    // Act
    const touched = await run(['explain', web, '--policy', strictPolicy]);
    process.exitCode = undefined;
    const untouched = await run(['explain', elsewhere, '--policy', strictPolicy]);

    // Assess
    expect(touched.exitCode).toBe(1);
    expect(touched.lines[0]).toBe('UpdateRule (VPC Lattice) by role platform-deployer (session alice)');
    expect(touched.lines[1]).toMatch(
      /^service web of service network prod-net, as it is now: [1-9]\d* violation\(s\), 0 exempted$/,
    );
    expect(
      touched.lines.some((l) => l.startsWith('  - prod-net/listener/web/http lattice.https-only: ')),
    ).toBe(true);
    expect(touched.lines.some((l) => l.includes('/service/payments'))).toBe(false);
    expect(untouched.exitCode).toBeUndefined();
    expect(untouched.lines.slice(1)).toEqual([
      'touches no service network the policy governs: nothing to judge',
    ]);
  });

  it('`policy validate --mesh prod-net` resolves a Lattice entry against the service network', async () => {
    // Prepare: an exemption for a service the network does not have.
    const stale = join(dir, 'stale.policy.yaml');
    writeFileSync(
      stale,
      latticePolicy(
        STRICT,
        `    exemptions:
      - { resource: 'prod-net/service/legacy', rules: [lattice.iam-auth], expires: '2027-01-31', reason: 'retiring' }`,
      ),
    );
    const config = local.clientConfig('admin');
    const lines: string[] = [];
    const errors: string[] = [];
    const program = new Command().name('meshwarden').exitOverride();
    registerPolicyCommand(program, {
      out: (line) => lines.push(line),
      err: (line) => errors.push(line),
      live: () => ({
        meshes: createAppMeshProvider(createAppMeshClient(config)),
        serviceNetworks: new LatticeAdapter(createLatticeClient(config)),
        alarms: new CloudWatchAlarmSource(new CloudWatchClient(config)),
        certificateAuthorities: new AcmPcaCertificateAuthority(createAcmPcaClient(config)),
      }),
    });

    // Act
    await program.parseAsync([
      'node',
      'meshwarden',
      'policy',
      'validate',
      stale,
      '--mesh',
      LATTICE_DEMO.serviceNetwork,
    ]);

    // Assess
    expect(process.exitCode).toBe(1);
    expect(errors[0]).toMatch(
      /stale\.policy\.yaml:\d+:\d+ meshes\[1\]\.exemptions\[0\]\.resource: "prod-net\/service\/legacy" matches no resource in service network prod-net/,
    );
  });

  it('lists a service certificate in `certs`, under the service that serves it', async () => {
    // Prepare: frontend gets an ACM certificate from the demo's private CA.
    const config = local.clientConfig('admin');
    const acm = new ACMClient(config);
    const { CertificateArn } = await acm.send(
      new RequestCertificateCommand({
        DomainName: 'frontend.prod.internal',
        CertificateAuthorityArn: local.seed.caArn,
        KeyAlgorithm: 'EC_prime256v1',
      }),
    );
    await waitUntilIssued(acm, CertificateArn);
    await lattice.send(
      new UpdateServiceCommand({
        serviceIdentifier: await serviceId('frontend'),
        certificateArn: CertificateArn,
      }),
    );
    const lines: string[] = [];
    const program = new Command().name('meshwarden').exitOverride();
    registerCertsCommand(program, {
      out: (line) => lines.push(line),
      err: (line) => lines.push(line),
      env: {},
      serviceNetworks: () => new LatticeAdapter(createLatticeClient(config)),
      deps: () =>
        createRotationDeps({
          pca: new ACMPCAClient(config),
          acm,
          secrets: new SecretsManagerClient(config),
          documents: createDocumentClient(config),
          tableName: 'meshwarden-state',
          pendingKeys: new InProcessPendingKeyVault(),
          meshes: createAppMeshProvider(createAppMeshClient(config)),
          publisher: new EventBridgePublisher(new EventBridgeClient(config), 'meshwarden'),
          notifier: { notify: async () => {} },
        }),
    });

    // Act
    await program.parseAsync([
      'node',
      'meshwarden',
      'certs',
      '--mesh',
      LATTICE_DEMO.serviceNetwork,
      '--policy',
      strictPolicy,
    ]);

    // Assess
    expect(lines[0]).toMatch(/^service network prod-net: \d+ certificate\(s\) and trust\(s\)$/);
    const row = lines.find((l) => l.endsWith(`acm:${CertificateArn}`));
    expect(row).toContain('prod-net/service/frontend');
    expect(row).toContain('frontend.prod.internal');
  });

  it('is audited by the mesh-audit function under its own role: one MeshAudited event for prod-net', async () => {
    seen.length = 0;

    await local.aws.functions.invoke('mesh-audit', {
      version: '0',
      id: 'lattice-audit-1',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: local.aws.accountId,
      time: '2026-12-06T05:00:00Z',
      region: local.aws.region,
      resources: ['arn:aws:events:us-east-1:000000000000:rule/mesh-audit-daily-audit'],
      detail: {},
    });
    await local.aws.drain();

    const audited = seen
      .filter((e) => e['detail-type'] === 'MeshAudited')
      .map(
        (e) => e.detail as { provider?: string; meshName: string; violations: number; findings: string[] },
      );
    const network = audited.filter((d) => d.provider === 'vpc-lattice');
    expect(network.map((d) => d.meshName)).toEqual([LATTICE_DEMO.serviceNetwork]);
    expect(network[0]?.violations).toBeGreaterThan(0);
    expect(
      network[0]?.findings.some((f) => f.startsWith('prod-net/listener/web/http lattice.https-only')),
    ).toBe(true);
    // The App Mesh demo mesh is audited beside it, as before.
    expect(audited.some((d) => d.provider === undefined && d.meshName === 'prod')).toBe(true);
  });
});
