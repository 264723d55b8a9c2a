import { describe, expect, it } from 'vitest';
import type { RolloverDecisionDeps } from '../../../shared/certificates/ca-rollover';
import { onRotationTrigger } from '../../../shared/certificates/on-trigger';
import type { RotationRecord } from '../../../shared/certificates/records';
import { sweepCertificates } from '../../../shared/certificates/sweep';
import { parseRotationTrigger } from '../../../shared/certificates/trigger';
import { NotFoundError } from '../../../shared/errors';
import { parsePolicy } from '../../../shared/policy/load';
import type { LatticeNetworkCertificateView } from '../../../shared/providers/vpc-lattice/model';
import { loadEvent } from '../../support/sample-events';
import { CA_ARN, DAY_MS, fakeWorld, GW_CERT, WEB_CERT } from './fakes';

/** prod-net governed by a Lattice entry that renews 30 days before expiry; prod an App Mesh mesh. */
const POLICY = parsePolicy(
  `version: 1
meshes:
  - mesh: prod-net
    provider: vpc-lattice
    serviceNetwork: prod-net
    changeControl: { default: allow, onViolation: report }
    certificates:
      rules: [{ resources: 'prod-net/service/*', renew: { daysBeforeExpiry: 30 } }]
`,
  'test.policy.yaml',
);

/** `api` serves the fakes' ACM private certificate over HTTPS; `legacy` the imported one. */
const NETWORK: LatticeNetworkCertificateView = {
  name: 'prod-net',
  services: [
    {
      id: 'svc-api',
      arn: 'arn:aws:vpc-lattice:us-east-1:000000000000:service/svc-api',
      name: 'api',
      certificateArn: GW_CERT,
      customDomainName: 'gw.example.com',
      listeners: [{ id: 'listener-1', name: 'https', protocol: 'HTTPS', port: 443 }],
    },
    {
      id: 'svc-legacy',
      arn: 'arn:aws:vpc-lattice:us-east-1:000000000000:service/svc-legacy',
      name: 'legacy',
      certificateArn: WEB_CERT,
      customDomainName: 'web-v1.prod.local',
      listeners: [{ id: 'listener-2', name: 'https', protocol: 'HTTPS', port: 443 }],
    },
  ],
};

async function latticeWorld(daysLeft: number) {
  const now = new Date();
  const world = await fakeWorld({
    notBefore: new Date(now.getTime() - 300 * DAY_MS),
    notAfter: new Date(now.getTime() + daysLeft * DAY_MS),
    now,
  });
  const reads: string[] = [];
  const deps = {
    ...world.deps,
    serviceNetworks: {
      readNetworkCertificates: async (name: string) => {
        reads.push(name);
        if (name !== NETWORK.name)
          throw new NotFoundError(`VPC Lattice service network ${name} does not exist`);
        return NETWORK;
      },
    },
  };
  return { ...world, deps, reads };
}

describe('sweepCertificates on a VPC Lattice service network', () => {
  it('renews the due private certificate in place and reports the imported one', async () => {
    // Prepare: 10 days left, inside the policy's 30.
    const world = await latticeWorld(10);

    // Act
    const items = await sweepCertificates(world.deps, POLICY, ['prod-net']);

    // Assess
    expect(items.find((i) => i.id === `acm:${GW_CERT}`)).toMatchObject({
      meshName: 'prod-net',
      action: 'rotated',
    });
    expect(items.find((i) => i.id === `acm:${WEB_CERT}`)).toMatchObject({
      meshName: 'prod-net',
      action: 'unmanaged',
      reason: expect.stringMatching(/^an imported certificate/),
    });
    const record = await world.rotations.get<RotationRecord>(`ROTATION#acm:${GW_CERT}`);
    expect(record).toMatchObject({
      status: 'completed',
      delivery: 'acm-renew',
      caArn: CA_ARN,
      meshName: 'prod-net',
    });
    // Nothing was imported, and no mesh was read or written: a Lattice network is not a mesh.
    expect(world.store.deliveries).toEqual([]);
    expect(world.notifier.notifications.map((n) => [n.meshName, n.title])).toEqual([
      ['prod-net', 'Rotated the certificate for gw.example.com'],
    ]);
  });

  it('does nothing while nothing is due, and nothing on a second run', async () => {
    // Prepare
    const world = await latticeWorld(10);
    await sweepCertificates(world.deps, POLICY, ['prod-net']);
    const rotated = world.notifier.notifications.length;

    // Act
    const again = await sweepCertificates(world.deps, POLICY, ['prod-net']);

    // Assess
    expect(again.find((i) => i.id === `acm:${GW_CERT}`)).toMatchObject({ action: 'not-due' });
    expect(world.notifier.notifications).toHaveLength(rotated);
  });

  it('resumes a renewal that crashed right after RenewCertificate, without renewing twice', async () => {
    // Prepare: the first run dies once ACM has accepted the renewal.
    const world = await latticeWorld(10);
    const renew = world.acmPrivate.renew.bind(world.acmPrivate);
    world.acmPrivate.renew = async (arn: string) => {
      await renew(arn);
      world.acmPrivate.renew = renew;
      throw new Error('the process died after RenewCertificate');
    };
    const [first] = await sweepCertificates(world.deps, POLICY, ['prod-net'], { only: GW_CERT });

    // Act
    const [second] = await sweepCertificates(world.deps, POLICY, ['prod-net'], { only: GW_CERT });

    // Assess
    expect(first).toMatchObject({ action: 'failed', reason: 'the process died after RenewCertificate' });
    expect(second).toMatchObject({ action: 'rotated', resumedFrom: 'planned' });
    expect(world.acmPrivate.calls.filter((c) => c.startsWith('renew '))).toEqual([`renew ${GW_CERT}`]);
    expect(await world.rotations.get<RotationRecord>(`ROTATION#acm:${GW_CERT}`)).toMatchObject({
      status: 'completed',
      delivery: 'acm-renew',
    });
  });

  it('says what it would do on a dry run, and does nothing', async () => {
    // Prepare
    const world = await latticeWorld(10);

    // Act
    const items = await sweepCertificates(world.deps, POLICY, ['prod-net'], { dryRun: true });

    // Assess
    expect(items.find((i) => i.id === `acm:${GW_CERT}`)).toMatchObject({ action: 'would-rotate' });
    expect(await world.rotations.get(`ROTATION#acm:${GW_CERT}`)).toBeUndefined();
  });

  it('has nothing to rotate in a governed network that does not exist (the audit reports it)', async () => {
    // Prepare
    const world = await latticeWorld(10);
    const policy = parsePolicy(
      'version: 1\nmeshes:\n  - mesh: gone-net\n    provider: vpc-lattice\n    serviceNetwork: gone-net\n    changeControl: { default: allow, onViolation: report }\n',
      'test.policy.yaml',
    );

    // Act
    const items = await sweepCertificates(world.deps, policy, ['gone-net']);

    // Assess
    expect(items).toEqual([]);
    expect(world.reads).toEqual(['gone-net']);
  });

  it("rotates the Lattice certificate ACM's expiry notice names, and nothing else", async () => {
    // Prepare: the notice names the private certificate; no App Mesh mesh is configured.
    const world = await latticeWorld(10);
    const event = structuredClone(loadEvent('acm/approaching-expiration'));
    const notice = { ...event, resources: [GW_CERT] };
    const deps = { ...world.deps, approvals: {} as RolloverDecisionDeps['approvals'] };

    // Act
    const outcome = await onRotationTrigger(deps, POLICY, [], parseRotationTrigger(notice));

    // Assess
    expect(outcome.items).toEqual([
      expect.objectContaining({ meshName: 'prod-net', id: `acm:${GW_CERT}`, action: 'rotated' }),
    ]);
  });
});
