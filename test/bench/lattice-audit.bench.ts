/**
 * VPC Lattice audit: the full judgement of a synthetic service network of 2,000 services and
 * 5,000 listener rules (pure rule evaluation over an in-memory snapshot), beside the App Mesh
 * audit of a mesh of the same size (2,000 virtual nodes, 5,000 routes) in the same run.
 */

import { DEMO_POLICY_FILE } from '../../infra/local/runtime';
import { LATTICE_DEFAULT_RULE } from '../../shared/domain/weighted-route';
import { judgeMesh } from '../../shared/policy/judge';
import { loadPolicy, parsePolicy } from '../../shared/policy/load';
import type {
  LatticeRuleState,
  LatticeServiceNetworkSnapshot,
  LatticeServiceState,
  LatticeTargetGroupState,
} from '../../shared/providers/vpc-lattice/model';
import { judgeServiceNetwork } from '../../shared/providers/vpc-lattice/rules/judge';
import { type Benchmark, latencyFigures, sample } from './harness';
import { syntheticAppMesh } from './synthetic-mesh';

const SERVICES = 2000;
const RULES = 5000;
const ARN = 'arn:aws:vpc-lattice:us-east-1:000000000000';
const CA = 'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/bench';
const CALLER = (i: number) => `arn:aws:iam::000000000000:role/svc-${i % 50}`;

/** The Lattice entry: TLS from the bench CA, IAM auth with an access graph, at most 5 targets. */
const POLICY_TEXT = `
version: 1
meshes:
  - mesh: bench-net
    provider: vpc-lattice
    serviceNetwork: bench-net
    changeControl: { default: deny, onViolation: report }
    compliance:
      tls: { minimumMode: STRICT, allowedCertificateAuthorities: ['${CA}'] }
      routes: { maxWeightedTargets: 5 }
      accessGraph:
        'arn:aws:iam::000000000000:role/svc-*': ['svc-*']
        'arn:aws:iam::000000000000:role/ops': ['*']
`;
const POLICY = parsePolicy(POLICY_TEXT, 'bench.policy.yaml');

function certificateArn(i: number): string {
  return `arn:aws:acm:us-east-1:000000000000:certificate/svc-${i}`;
}

/**
 * A compliant-looking network: every service HTTPS with a certificate from the bench CA, IAM
 * auth and a policy allowing two callers the graph names; rules spread evenly (2 or 3 per
 * service), each 90/10 between the service's two target groups.
 */
function syntheticNetwork(): { network: LatticeServiceNetworkSnapshot; issuers: Map<string, string> } {
  const issuers = new Map<string, string>();
  const services: LatticeServiceState[] = [];
  const targetGroups: LatticeTargetGroupState[] = [];
  const forward = (a: string, b: string) => ({
    forward: {
      targetGroups: [
        { targetGroupIdentifier: a, weight: 90 },
        { targetGroupIdentifier: b, weight: 10 },
      ],
    },
  });
  let ruleCount = 0;
  for (let i = 0; i < SERVICES; i++) {
    const serviceId = `svc-${String(i).padStart(17, '0')}`;
    const listenerId = `listener-${String(i).padStart(17, '0')}`;
    const [stable, canary] = [`tg-${i}-a`, `tg-${i}-b`];
    for (const id of [stable, canary])
      targetGroups.push({ id, arn: `${ARN}:targetgroup/${id}`, name: id, type: 'IP' });
    issuers.set(certificateArn(i), CA);
    const rulesHere = Math.floor(((i + 1) * RULES) / SERVICES) - Math.floor((i * RULES) / SERVICES);
    const rules: LatticeRuleState[] = [
      {
        address: { serviceId, listenerId },
        arn: `${ARN}:service/${serviceId}/listener/${listenerId}`,
        name: LATTICE_DEFAULT_RULE,
        isDefault: true,
        match: undefined,
        priority: undefined,
        action: forward(stable, canary),
        lastUpdatedAt: undefined,
      },
    ];
    for (let k = 0; k < rulesHere; k++, ruleCount++) {
      const ruleId = `rule-${ruleCount}`;
      rules.push({
        address: { serviceId, listenerId, ruleId },
        arn: `${ARN}:service/${serviceId}/listener/${listenerId}/rule/${ruleId}`,
        name: `route-${k}`,
        isDefault: false,
        match: { httpMatch: { pathMatch: { match: { prefix: `/${k}` } } } },
        priority: k + 1,
        action: forward(stable, canary),
        lastUpdatedAt: undefined,
      });
    }
    services.push({
      id: serviceId,
      arn: `${ARN}:service/${serviceId}`,
      name: `svc-${i}`,
      authType: 'AWS_IAM',
      certificateArn: certificateArn(i),
      customDomainName: `svc-${i}.bench.internal`,
      authPolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: [CALLER(i), CALLER(i + 1)] },
            Action: 'vpc-lattice-svcs:Invoke',
            Resource: '*',
          },
        ],
      }),
      listeners: [
        {
          id: listenerId,
          arn: `${ARN}:service/${serviceId}/listener/${listenerId}`,
          name: 'https',
          protocol: 'HTTPS',
          port: 443,
          rules,
        },
      ],
    });
  }
  const network: LatticeServiceNetworkSnapshot = {
    id: 'sn-bench',
    arn: `${ARN}:servicenetwork/sn-bench`,
    name: 'bench-net',
    takenAt: '2026-12-06T00:00:00Z',
    authType: 'AWS_IAM',
    authPolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 'vpc-lattice-svcs:Invoke',
          Resource: '*',
          Condition: { StringNotEqualsIgnoreCase: { 'aws:PrincipalType': 'anonymous' } },
        },
      ],
    }),
    services,
    targetGroups,
    vpcAssociations: [{ id: 'snva-bench', vpcId: 'vpc-bench' }],
  };
  return { network, issuers };
}

const sideBySide: Benchmark = {
  name: `full audit: Lattice ${SERVICES} services / ${RULES} rules beside App Mesh ${SERVICES} virtual nodes / ${RULES} routes`,
  run: async () => {
    const now = new Date('2026-12-06T00:00:00Z');
    const { network, issuers } = syntheticNetwork();
    const lattice = () => judgeServiceNetwork(network, POLICY, now, { certificateAuthorities: issuers });
    const demoPolicy = loadPolicy(DEMO_POLICY_FILE);
    const mesh = syntheticAppMesh(SERVICES, RULES);
    const appMesh = () => judgeMesh(mesh.snapshot, demoPolicy, now, { certificateAuthorities: mesh.issuers });
    const latticeCheck = lattice();
    const appMeshCheck = appMesh();
    // Interleaved, so both see the same machine load.
    const latticeSamples: number[] = [];
    const appMeshSamples: number[] = [];
    for (let round = 0; round < 6; round++) {
      latticeSamples.push(...(await sample(lattice, 5, round === 0 ? 5 : 0)));
      appMeshSamples.push(...(await sample(appMesh, 5, round === 0 ? 5 : 0)));
    }
    return [
      ...latencyFigures('Lattice full audit', latticeSamples, 200),
      ...latencyFigures('App Mesh full audit (same size, for comparison)', appMeshSamples),
      {
        name: 'Lattice: resources judged (network, services, listeners, rules incl. defaults)',
        value: Object.values(latticeCheck.counts).reduce((a, b) => a + b, 0),
        unit: 'resources',
      },
      { name: 'Lattice: findings (for reference)', value: latticeCheck.findings.length, unit: 'findings' },
      { name: 'App Mesh: findings (for reference)', value: appMeshCheck.findings.length, unit: 'findings' },
    ];
  },
};

/** Half the services drifted (HTTP listener, auth type NONE, an unknown caller): sentences and exemption checks cost too. */
function driftedNetwork(): ReturnType<typeof syntheticNetwork> {
  const { network, issuers } = syntheticNetwork();
  const services = network.services.map((s, i) =>
    i % 2 === 0
      ? s
      : {
          ...s,
          authType: 'NONE',
          authPolicy: s.authPolicy?.replace('role/svc-', 'role/rogue-'),
          listeners: s.listeners.map((l) => ({ ...l, protocol: 'HTTP', port: 80 })),
        },
  );
  return { network: { ...network, services }, issuers };
}

const drifted: Benchmark = {
  name: `full audit: Lattice ${SERVICES} services / ${RULES} rules, half of the services drifted, 2 exemptions`,
  run: async () => {
    const now = new Date('2026-12-06T00:00:00Z');
    const { network, issuers } = driftedNetwork();
    const policy = parsePolicy(
      POLICY_TEXT.replace(
        'compliance:',
        `exemptions:
      - { resource: 'bench-net/listener/svc-1*', rules: [lattice.https-only], expires: '2027-12-31', reason: 'bench' }
      - { resource: 'bench-net/service/svc-9*', rules: [lattice.iam-auth], expires: '2027-12-31', reason: 'bench' }
    compliance:`,
      ),
      'bench.policy.yaml',
    );
    const audit = () => judgeServiceNetwork(network, policy, now, { certificateAuthorities: issuers });
    const check = audit();
    const samples = await sample(audit, 30, 5);
    return [
      ...latencyFigures('Lattice full audit, drifted', samples, 200),
      { name: 'drifted: findings', value: check.findings.length, unit: 'findings' },
      { name: 'drifted: exempted', value: check.findings.length - check.violations, unit: 'findings' },
    ];
  },
};

const benchmarks: readonly Benchmark[] = [sideBySide, drifted];
export default benchmarks;
