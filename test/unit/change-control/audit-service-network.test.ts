import { describe, expect, it } from 'vitest';
import { accountDirectory } from '../../../shared/accounts/accounts';
import { auditEveryAccount } from '../../../shared/change-control/audit-accounts';
import type { AuditMeshDeps } from '../../../shared/change-control/audit-mesh';
import { MeshwardenError, NotFoundError } from '../../../shared/errors';
import {
  auditServiceNetworks,
  type ServiceNetworkAuditDeps,
  type ServiceNetworkReader,
} from '../../../shared/providers/vpc-lattice/change-control/audit';
import type { LatticeServiceNetworkSnapshot } from '../../../shared/providers/vpc-lattice/model';
import { latticePolicy, listener, network, OTHER_CA, service, WEB_CERT } from '../policy/lattice/fixtures';
import {
  FixedAlarms,
  FixedIssuers,
  MemoryLastKnownGood,
  MemoryMesh,
  RecordingNotifier,
  RecordingPublisher,
} from './fakes';
import { meshResources, testPolicy } from './scenario';

const NOW = new Date('2026-12-06T05:00:00Z');

/** Service networks by name; a name it does not hold is NotFoundError, as the adapter says. */
class MemoryNetworks implements ServiceNetworkReader {
  readonly read: string[] = [];
  constructor(
    private readonly networks: ReadonlyMap<string, LatticeServiceNetworkSnapshot>,
    private readonly failure?: Error,
  ) {}
  async readServiceNetwork(name: string) {
    this.read.push(name);
    if (this.failure !== undefined) throw this.failure;
    const found = this.networks.get(name);
    if (found === undefined) throw new NotFoundError(`VPC Lattice service network ${name} does not exist`);
    return found;
  }
}

function deps(networks: ServiceNetworkReader, issuer: string | undefined = undefined) {
  const publisher = new RecordingPublisher();
  const value: ServiceNetworkAuditDeps = {
    networks,
    policy: latticePolicy(
      `      tls: { minimumMode: STRICT, allowedCertificateAuthorities: ['arn:aws:acm-pca:us-east-1:000000000000:*'] }`,
    ),
    issuers: new FixedIssuers(issuer),
    publisher,
    now: () => NOW,
  };
  return { ...value, publisher };
}

const VIOLATING = network([
  service('web', {
    certificateArn: WEB_CERT,
    listeners: [listener('http', 'HTTP'), listener('https', 'HTTPS')],
  }),
]);

describe('auditServiceNetworks', () => {
  it('judges each network whole and publishes one MeshAudited event each, with provider vpc-lattice', async () => {
    // Prepare: web's certificate was issued by a CA the policy does not allow.
    const d = deps(new MemoryNetworks(new Map([['prod-net', VIOLATING]])), OTHER_CA);

    // Act
    const [report] = await auditServiceNetworks(d, ['prod-net']);

    // Assess
    expect(report).toMatchObject({
      provider: 'vpc-lattice',
      meshName: 'prod-net',
      status: 'found',
      governed: true,
      counts: { 'service-network': 1, service: 1, listener: 2, rule: 2 },
      violations: 2,
      exempted: 0,
      drifted: ['prod-net/listener/web/http', 'prod-net/service/web'],
    });
    expect(report?.findings).toEqual([
      expect.stringMatching(
        /^prod-net\/service\/web lattice\.allowed-ca: service web serves certificate .* issued by .*rogue/,
      ),
      expect.stringMatching(
        /^prod-net\/listener\/web\/http lattice\.https-only: listener http \(HTTP:80\) of service web/,
      ),
    ]);
    const events = d.publisher.ofType('MeshAudited');
    expect(events.map((e) => [e.detail.provider, e.detail.meshName, e.detail.violations])).toEqual([
      ['vpc-lattice', 'prod-net', 2],
    ]);
  });

  it('reports a governed network that does not exist, without failing the run', async () => {
    // Prepare
    const d = deps(new MemoryNetworks(new Map()));

    // Act
    const [report] = await auditServiceNetworks(d, ['prod-net']);

    // Assess
    expect(report).toMatchObject({ status: 'not-found', governed: true, violations: 0, findings: [] });
    expect(d.publisher.ofType('MeshAudited')).toHaveLength(1);
  });

  it('lets any other failure propagate, so the run is retried', async () => {
    // Prepare
    const d = deps(new MemoryNetworks(new Map(), new MeshwardenError('VPC Lattice is unavailable')));

    // Act + Assess
    await expect(auditServiceNetworks(d, ['prod-net'])).rejects.toThrow('VPC Lattice is unavailable');
    expect(d.publisher.published).toEqual([]);
  });
});

describe('auditEveryAccount with VPC Lattice', () => {
  const CENTRAL = '111111111111';

  function meshDeps(publisher: RecordingPublisher): AuditMeshDeps {
    return {
      meshes: new MemoryMesh(meshResources()),
      policy: testPolicy(),
      issuers: new FixedIssuers(undefined),
      lastKnownGood: new MemoryLastKnownGood(),
      publisher,
      alarms: new FixedAlarms([]),
      notifier: new RecordingNotifier(),
      now: () => NOW,
    };
  }

  it('audits an account’s service networks after its meshes', async () => {
    // Prepare
    const bus = new RecordingPublisher();
    const networks = new MemoryNetworks(new Map([['prod-net', VIOLATING]]));

    // Act
    const audited = await auditEveryAccount({
      accounts: accountDirectory(CENTRAL, []),
      depsFor: () => meshDeps(bus),
      meshesIn: () => ['prod'],
      lattice: { depsFor: () => ({ ...deps(networks), publisher: bus }), networksIn: () => ['prod-net'] },
    });

    // Assess
    expect(
      audited.flatMap((a) => a.reports.map((r) => [r.meshName, 'provider' in r ? r.provider : 'appmesh'])),
    ).toEqual([
      ['prod', 'appmesh'],
      ['prod-net', 'vpc-lattice'],
    ]);
    expect(bus.ofType('MeshAudited')).toHaveLength(2);
  });

  it('builds no Lattice deps for an account that governs no service network', async () => {
    // Prepare
    let built = 0;

    // Act
    const audited = await auditEveryAccount({
      accounts: accountDirectory(CENTRAL, []),
      depsFor: () => meshDeps(new RecordingPublisher()),
      meshesIn: () => ['prod'],
      lattice: {
        depsFor: () => {
          built += 1;
          return deps(new MemoryNetworks(new Map()));
        },
        networksIn: () => [],
      },
    });

    // Assess
    expect(audited[0]?.reports.map((r) => r.meshName)).toEqual(['prod']);
    expect(built).toBe(0);
  });
});
