import { ACMClient, DescribeCertificateCommand, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import {
  CreateListenerCommand,
  CreateServiceCommand,
  CreateServiceNetworkServiceAssociationCommand,
  GetServiceCommand,
  ListListenersCommand,
  ListServiceNetworksCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCertsCommand } from '../../../infra/cli/certs-command';
import { functionRoleName } from '../../../infra/constructs/names';
import { FUNCTIONS } from '../../../infra/function-catalog';
import { LATTICE_DEMO, seedLatticeDemo } from '../../../infra/local/demo/lattice-seed';
import { DEMO_POLICY_FILE, type LocalApiCall } from '../../../infra/local/runtime';
import type { BusEvent } from '../../../infra/local/types';
import type { RotationRecord } from '../../../shared/certificates/records';
import type { SweepItem } from '../../../shared/certificates/sweep';
import { createLatticeClient, LatticeAdapter } from '../../../shared/providers/vpc-lattice';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import {
  acmCertificate,
  caCertificate,
  dailyEvent,
  importExpiringCertificate,
  opensslCheck,
  rotationDeps,
} from './support';

const DAY_MS = 86_400_000;
const DOMAIN = 'api.prod.internal';
const ROLE = functionRoleName('cert-rotation');

/**
 * The cert-rotation function, under its own role in local AWS, on the Lattice demo's prod-net
 * (the demo policy governs it): a service `api` whose HTTPS listener serves an ACM private
 * certificate from the demo CA that expires in 5 days, and a service `legacy` serving an
 * imported one.
 */
describe('certificate rotation of a VPC Lattice service network', () => {
  let local: TestLocalAws;
  let acm: ACMClient;
  let lattice: VPCLatticeClient;
  let arn: string;
  let imported: string;
  let serviceId: string;
  /** Local AWS runs this far in the past while the certificate is issued: it expires in 5 days. */
  let pastMs = 0;
  const calls: LocalApiCall[] = [];
  const seen: BusEvent[] = [];
  /** What the rotation function asked of AWS, by operation. */
  const rotationCalls = (operation?: string) =>
    calls.filter(
      (c) =>
        c.request.caller.arn.includes(`/${ROLE}/`) && (operation === undefined || c.operation === operation),
    );

  async function runDaily(): Promise<SweepItem[]> {
    const outcome = (await local.aws.functions.invoke('cert-rotation', dailyEvent(local))) as {
      items: SweepItem[];
    };
    await local.aws.drain();
    return outcome.items;
  }

  beforeAll(async () => {
    // Only this capability's function: change control would judge the test's own setup writes.
    local = await startSeededLocalAws({
      pcaIssueDelayMs: 150,
      functions: FUNCTIONS.filter((f) => f.name === 'cert-rotation'),
      now: () => new Date(Date.now() - pastMs),
    });
    local.aws.onApiCall((call) => calls.push(call));
    local.aws.bus.onActivity((a) => {
      if (a.kind === 'event') seen.push(a.event);
    });
    await seedLatticeDemo(local.clientConfig('admin'));
    lattice = new VPCLatticeClient(local.clientConfig('admin'));
    acm = new ACMClient(local.clientConfig('admin'));
    // ACM issues 13-month private certificates: one issued 390 days ago expires in 5 days.
    pastMs = 390 * DAY_MS;
    const past = new ACMClient({ ...local.clientConfig('admin'), systemClockOffset: -pastMs });
    ({ CertificateArn: arn = '' } = await past.send(
      new RequestCertificateCommand({
        DomainName: DOMAIN,
        CertificateAuthorityArn: local.seed.caArn,
        KeyAlgorithm: 'EC_prime256v1',
      }),
    ));
    for (let i = 0; i < 100; i++) {
      const { Certificate } = await past.send(new DescribeCertificateCommand({ CertificateArn: arn }));
      if (Certificate?.Status === 'ISSUED') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    past.destroy();
    pastMs = 0;
    imported = await importExpiringCertificate(
      new ACMPCAClient(local.clientConfig('admin')),
      acm,
      local.seed.caArn,
      'legacy.prod.internal',
      5,
    );
    const { items } = await lattice.send(new ListServiceNetworksCommand({}));
    const network = items?.find((n) => n.name === LATTICE_DEMO.serviceNetwork)?.id;
    for (const [name, certificateArn] of [
      ['api', arn],
      ['legacy', imported],
    ] as const) {
      const service = await lattice.send(
        new CreateServiceCommand({ name, customDomainName: `${name}.prod.internal`, certificateArn }),
      );
      if (name === 'api') serviceId = service.id ?? '';
      await lattice.send(
        new CreateServiceNetworkServiceAssociationCommand({
          serviceNetworkIdentifier: network,
          serviceIdentifier: service.id,
        }),
      );
      await lattice.send(
        new CreateListenerCommand({
          serviceIdentifier: service.id,
          name: 'https',
          protocol: 'HTTPS',
          port: 443,
          defaultAction: { fixedResponse: { statusCode: 404 } },
        }),
      );
    }
  }, 90_000);

  afterAll(async () => {
    lattice?.destroy();
    acm?.destroy();
    await local?.aws.close();
  });

  it('renews the private certificate expiring in 5 days in place; the service and its listener keep naming it', async () => {
    // Prepare
    const before = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    expect(Date.parse(String(before.Certificate?.NotAfter))).toBeLessThan(Date.now() + 6 * DAY_MS);
    // A certificate a Lattice service serves is in use, which is what makes ACM renew it.
    expect(before.Certificate).toMatchObject({
      InUseBy: [expect.stringContaining(serviceId)],
      RenewalEligibility: 'ELIGIBLE',
    });
    calls.length = 0;

    // Act
    const items = await runDaily();

    // Assess
    const mine = items.filter((i) => i.meshName === LATTICE_DEMO.serviceNetwork);
    expect(mine.find((i) => i.id === `acm:${arn}`)).toMatchObject({ action: 'rotated' });
    expect(mine.find((i) => i.id === `acm:${imported}`)).toMatchObject({
      action: 'unmanaged',
      reason: expect.stringMatching(/^an imported certificate: ACM cannot renew it/),
    });
    expect(mine).toHaveLength(2);
    // The App Mesh demo's certificates, issued today, are not due.
    expect(new Set(items.filter((i) => i.meshName === 'prod').map((i) => i.action))).toEqual(
      new Set(['not-due']),
    );
    expect(rotationCalls('RenewCertificate').map((c) => c.response.status)).toEqual([200]);
    const after = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    expect(after.Certificate).toMatchObject({
      Type: 'PRIVATE',
      RenewalSummary: { RenewalStatus: 'SUCCESS' },
    });
    const { certificate } = await acmCertificate(acm, arn);
    const checked = opensslCheck(
      certificate,
      await caCertificate(new ACMPCAClient(local.clientConfig('admin')), local.seed.caArn),
    );
    expect(checked.verify).toMatch(/: OK$/);
    expect(checked.san).toContain(`DNS:${DOMAIN}`);
    expect(Date.parse(String(after.Certificate?.NotAfter))).toBeGreaterThan(Date.now() + 390 * DAY_MS);
    // Same ARN: the service still names it, its HTTPS listener is as it was, nothing was written.
    const service = await lattice.send(new GetServiceCommand({ serviceIdentifier: serviceId }));
    expect(service.certificateArn).toBe(arn);
    const { items: listeners } = await lattice.send(
      new ListListenersCommand({ serviceIdentifier: serviceId }),
    );
    expect(listeners?.map((l) => [l.protocol, l.port])).toEqual([['HTTPS', 443]]);
    expect(
      rotationCalls().filter(
        (c) => c.request.service === 'vpc-lattice' && !/^(Get|List)/.test(String(c.operation)),
      ),
    ).toEqual([]);
    expect(rotationCalls('ImportCertificate')).toEqual([]);
    // Recorded, told on the bus and in the network's Slack channel, as an App Mesh renewal is.
    const record = await rotationDeps(local).rotations.get<RotationRecord>(`ROTATION#acm:${arn}`);
    expect(record).toMatchObject({
      status: 'completed',
      delivery: 'acm-renew',
      issuedArn: arn,
      meshName: LATTICE_DEMO.serviceNetwork,
    });
    const rotated = seen
      .filter((e) => e['detail-type'] === 'CertificateRotated')
      .map((e) => e.detail as Record<string, unknown>);
    expect(rotated).toEqual([
      expect.objectContaining({
        meshName: LATTICE_DEMO.serviceNetwork,
        certificateArn: arn,
        delivery: 'acm-renew',
      }),
    ]);
    const told = local.aws.slack.store.messagesIn('C0MESHOPS01').messages;
    expect(told.some((m) => JSON.stringify(m).includes(`Rotated the certificate for ${DOMAIN}`))).toBe(true);
  }, 60_000);

  it('does nothing on a second run', async () => {
    // Prepare
    calls.length = 0;

    // Act
    const items = await runDaily();

    // Assess
    expect(items.find((i) => i.id === `acm:${arn}`)).toMatchObject({ action: 'not-due' });
    expect(rotationCalls('RenewCertificate')).toEqual([]);
    expect(rotationCalls('RequestCertificate')).toEqual([]);
    expect((await lattice.send(new GetServiceCommand({ serviceIdentifier: serviceId }))).certificateArn).toBe(
      arn,
    );
  }, 60_000);

  it('`certs rotate --dry-run` without --mesh sweeps the governed service network: renewed, not due; imported, reported', async () => {
    // Prepare: no MESHWARDEN_MESHES, so only what the policy governs on VPC Lattice.
    const config = local.clientConfig('admin');
    const lines: string[] = [];
    const program = new Command().name('meshwarden').exitOverride();
    registerCertsCommand(program, {
      out: (line) => lines.push(line),
      err: (line) => lines.push(line),
      env: {},
      serviceNetworks: () => new LatticeAdapter(createLatticeClient(config)),
      deps: () => rotationDeps(local),
    });
    process.exitCode = undefined;

    // Act
    await program.parseAsync([
      'node',
      'meshwarden',
      'certs',
      'rotate',
      '--dry-run',
      '--policy',
      DEMO_POLICY_FILE,
    ]);

    // Assess
    expect(process.exitCode).toBeUndefined();
    expect(lines[0]).toMatch(/^ACTION\s+ID\s+REASON$/);
    expect(lines.find((l) => l.includes(`acm:${arn}`))).toMatch(/^not-due\s+/);
    expect(lines.find((l) => l.includes(`acm:${imported}`))).toMatch(
      /^unmanaged\s+.*an imported certificate/,
    );
    expect(lines).toHaveLength(3);
  }, 60_000);

  it('reads the network with only the VPC Lattice actions its role is granted, each of them used, none refused', async () => {
    // Prepare
    calls.length = 0;
    const role = local.aws.functionRoles().find((r) => r.roleName === ROLE);
    // Actions as the role's statements name them (ARNs hold `vpc-lattice:` too).
    const granted = new Set(
      [...JSON.stringify(role?.policies).matchAll(/"vpc-lattice:([A-Z][A-Za-z]+)"/g)].map((m) => m[1]),
    );

    // Act
    await runDaily();

    // Assess
    const lattice = rotationCalls().filter((c) => c.request.service === 'vpc-lattice');
    expect(lattice.filter((c) => c.response.status >= 400)).toEqual([]);
    expect(new Set(lattice.map((c) => c.operation))).toEqual(granted);
    expect([...granted].sort()).toEqual([
      'GetService',
      'ListListeners',
      'ListServiceNetworkServiceAssociations',
      'ListServiceNetworks',
    ]);
  }, 60_000);
});
