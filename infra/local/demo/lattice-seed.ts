import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateListenerCommand,
  CreateRuleCommand,
  CreateServiceCommand,
  CreateServiceNetworkCommand,
  CreateServiceNetworkServiceAssociationCommand,
  CreateTargetGroupCommand,
  ListListenersCommand,
  ListRulesCommand,
  ListServiceNetworksCommand,
  ListServicesCommand,
  RegisterTargetsCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import type { SeedClientConfig } from './seed';

/**
 * The VPC Lattice demo `npm start` seeds beside the App Mesh one: the same three services in
 * a service network, and the `web` canary as a weighted listener rule. Alarms name the rule
 * by names (`network/service/listener/rule`), as a person writes them, not by ids.
 */
export const LATTICE_DEMO = {
  serviceNetwork: 'prod-net',
  services: ['frontend', 'web', 'payments'],
  service: 'web',
  listener: 'http',
  rule: 'web-canary',
  stableTargetGroup: 'web-v1',
  canaryTargetGroup: 'web-v2',
  routeKey: 'prod-net/web/http/web-canary',
  alarms: ['lattice-web-5xx-rate', 'lattice-web-p99-latency'],
  vpc: 'vpc-0123456789abcdef0',
} as const;

/**
 * Seed the Lattice demo through the real SDK clients: the service network, its services and
 * their associations, the two `web` target groups with a target each, the `web` listener
 * whose rule sends 90/10 to them, and CloudWatch alarms bound to that rule by the
 * `meshwarden:route` tag. Does nothing when the service network exists already.
 */
export async function seedLatticeDemo(config: SeedClientConfig): Promise<{ created: boolean }> {
  const lattice = new VPCLatticeClient({ ...config });
  const cloudwatch = new CloudWatchClient({ ...config });
  try {
    const { items } = await lattice.send(new ListServiceNetworksCommand({}));
    if (items?.some((sn) => sn.name === LATTICE_DEMO.serviceNetwork)) return { created: false };
    // Client tokens from the names: a seed retried after a crash makes each resource once.
    const token = (what: string) => `demo-seed-${what}`;
    const network = await lattice.send(
      new CreateServiceNetworkCommand({ name: LATTICE_DEMO.serviceNetwork, clientToken: token('network') }),
    );
    const serviceIds: Record<string, string> = {};
    for (const name of LATTICE_DEMO.services) {
      const service = await lattice.send(
        new CreateServiceCommand({ name, clientToken: token(`service-${name}`), tags: { team: 'platform' } }),
      );
      serviceIds[name] = service.id ?? '';
      await lattice.send(
        new CreateServiceNetworkServiceAssociationCommand({
          serviceNetworkIdentifier: network.id,
          serviceIdentifier: service.id,
          clientToken: token(`association-${name}`),
        }),
      );
    }
    const targetGroupIds: string[] = [];
    for (const [i, name] of [LATTICE_DEMO.stableTargetGroup, LATTICE_DEMO.canaryTargetGroup].entries()) {
      const group = await lattice.send(
        new CreateTargetGroupCommand({
          name,
          type: 'IP',
          config: { port: 8080, protocol: 'HTTP', vpcIdentifier: LATTICE_DEMO.vpc },
          clientToken: token(`target-group-${name}`),
        }),
      );
      targetGroupIds.push(group.id ?? '');
      await lattice.send(
        new RegisterTargetsCommand({
          targetGroupIdentifier: group.id,
          targets: [{ id: `10.0.1.${10 + i}` }],
        }),
      );
    }
    const [stable, canary] = targetGroupIds;
    const listener = await lattice.send(
      new CreateListenerCommand({
        serviceIdentifier: serviceIds[LATTICE_DEMO.service],
        name: LATTICE_DEMO.listener,
        protocol: 'HTTP',
        port: 80,
        defaultAction: { forward: { targetGroups: [{ targetGroupIdentifier: stable }] } },
        clientToken: token('listener'),
      }),
    );
    await lattice.send(
      new CreateRuleCommand({
        serviceIdentifier: serviceIds[LATTICE_DEMO.service],
        listenerIdentifier: listener.id,
        name: LATTICE_DEMO.rule,
        priority: 10,
        match: { httpMatch: { pathMatch: { match: { prefix: '/' } } } },
        action: {
          forward: {
            targetGroups: [
              { targetGroupIdentifier: stable, weight: 90 },
              { targetGroupIdentifier: canary, weight: 10 },
            ],
          },
        },
        clientToken: token('rule'),
      }),
    );
    for (const [alarm, metric, threshold] of [
      [LATTICE_DEMO.alarms[0], 'HTTPCode_5XX_Count', 5],
      [LATTICE_DEMO.alarms[1], 'RequestTime', 1500],
    ] as const) {
      await cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: alarm,
          AlarmDescription: `Canary guard for ${LATTICE_DEMO.routeKey}`,
          Namespace: 'AWS/VpcLattice',
          MetricName: metric,
          Dimensions: [{ Name: 'TargetGroup', Value: canary }],
          Statistic: metric === 'RequestTime' ? undefined : 'Sum',
          ExtendedStatistic: metric === 'RequestTime' ? 'p99' : undefined,
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: threshold,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
          Tags: [{ Key: 'meshwarden:route', Value: LATTICE_DEMO.routeKey }],
        }),
      );
    }
    return { created: true };
  } finally {
    lattice.destroy();
    cloudwatch.destroy();
  }
}

/** Where the demo's weighted rule is, by ids, if the data directory holds it. */
export interface LatticeDemoRule {
  readonly serviceId: string;
  readonly listenerId: string;
  readonly ruleId: string;
}

/** Find the demo rule by its names (the data directory may hold anything). */
export async function findLatticeDemoRule(config: SeedClientConfig): Promise<LatticeDemoRule | undefined> {
  const lattice = new VPCLatticeClient({ ...config });
  try {
    const { items: services } = await lattice.send(new ListServicesCommand({}));
    const serviceId = services?.find((s) => s.name === LATTICE_DEMO.service)?.id;
    if (serviceId === undefined) return undefined;
    const { items: listeners } = await lattice.send(
      new ListListenersCommand({ serviceIdentifier: serviceId }),
    );
    const listenerId = listeners?.find((l) => l.name === LATTICE_DEMO.listener)?.id;
    if (listenerId === undefined) return undefined;
    const { items: rules } = await lattice.send(
      new ListRulesCommand({ serviceIdentifier: serviceId, listenerIdentifier: listenerId }),
    );
    const ruleId = rules?.find((r) => r.name === LATTICE_DEMO.rule)?.id;
    return ruleId === undefined ? undefined : { serviceId, listenerId, ruleId };
  } finally {
    lattice.destroy();
  }
}
