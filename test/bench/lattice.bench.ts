/**
 * `npm run bench -- lattice`: the deployment guard's rollback on VPC Lattice beside the same
 * rollback on App Mesh, in one local AWS and one run, so the two figures share the machine's
 * noise: alarm event handed to the guard -> UpdateRule (UpdateRoute) answered by the edge, and
 * the provider calls the guard makes per rollback up to that write; then the whole path a person
 * sees, SetAlarmState -> alarm event on the local bus -> guard -> UpdateRule (UpdateRoute)
 * answered, after which GetRule (DescribeRoute) shows the restored weights.
 */
import { AppMeshClient, DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, SetAlarmStateCommand, type StateValue } from '@aws-sdk/client-cloudwatch';
import { GetRuleCommand, UpdateRuleCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { findLatticeDemoRule, LATTICE_DEMO, seedLatticeDemo } from '../../infra/local/demo/lattice-seed';
import { DEMO } from '../../infra/local/demo/seed';
import { GUARD_ENV } from '../integration/deployments/guard-env';
import { startSeededLocalAws, type TestLocalAws } from '../support/local-aws';
import { loadEvent } from '../support/sample-events';
import { type Benchmark, type Figure, latencyFigures } from './harness';

const ITERATIONS = 40;
const WARMUP = 5;
const meshRef = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };

/** The guard's calls to one service at the edge, and when its write was answered. */
function watchGuard(local: TestLocalAws, service: 'appmesh' | 'vpc-lattice', write: string) {
  const state = { calls: [] as string[], writtenAt: undefined as bigint | undefined };
  local.aws.onApiCall((call) => {
    if (call.request.service !== service || !call.request.caller.label.includes('deployment-guard')) return;
    state.calls.push(call.operation ?? '?');
    if (call.operation === write && state.writtenAt === undefined) state.writtenAt = process.hrtime.bigint();
  });
  return {
    state,
    reset: () => {
      state.calls = [];
      state.writtenAt = undefined;
    },
  };
}

function alarmEvent(local: TestLocalAws, alarmName: string): unknown {
  const event = loadEvent('cloudwatch/metric-alarm-to-alarm');
  return {
    ...event,
    id: crypto.randomUUID(),
    account: local.aws.accountId,
    resources: [`arn:aws:cloudwatch:${local.aws.region}:${local.aws.accountId}:alarm:${alarmName}`],
    detail: {
      ...event.detail,
      alarmName,
      state: {
        ...event.detail.state,
        timestamp: new Date().toISOString().replace('Z', '+0000'),
        reasonData: undefined,
      },
    },
  };
}

/** A person moves the demo route to 80/20: a deployment opens (it was rolled back to 100/0). */
async function openMeshDeployment(local: TestLocalAws, mesh: AppMeshClient): Promise<void> {
  const { route } = await mesh.send(new DescribeRouteCommand(meshRef));
  const http = route?.spec?.httpRoute;
  if (http?.action === undefined) throw new Error('demo route missing');
  const weightedTargets = (http.action.weightedTargets ?? []).map((t) => ({
    ...t,
    weight: t.virtualNode === DEMO.stableNode ? 80 : 20,
  }));
  await mesh.send(
    new UpdateRouteCommand({
      ...meshRef,
      spec: { ...route?.spec, httpRoute: { ...http, action: { weightedTargets } } },
    }),
  );
  await local.aws.drain();
}

/** A person moves the Lattice demo rule to 20/80 (canary first): a deployment opens. */
async function openLatticeDeployment(
  local: TestLocalAws,
  lattice: VPCLatticeClient,
  rule: { serviceIdentifier: string; listenerIdentifier: string; ruleIdentifier: string },
  stable: string,
  canary: string,
): Promise<void> {
  const { match, priority } = await lattice.send(new GetRuleCommand(rule));
  await lattice.send(
    new UpdateRuleCommand({
      ...rule,
      match,
      priority,
      action: {
        forward: {
          targetGroups: [
            { targetGroupIdentifier: canary, weight: 80 },
            { targetGroupIdentifier: stable, weight: 20 },
          ],
        },
      },
    }),
  );
  await local.aws.drain();
}

/**
 * The same rollback end to end through the local bus, as a person sees it: SetAlarmState
 * answered by local CloudWatch -> "CloudWatch Alarm State Change" on the default bus -> the
 * guard -> its UpdateRule (UpdateRoute) answered by the edge, which is when GetRule
 * (DescribeRoute) shows the restored weights; each iteration reads them back to prove it.
 * Runs in the local AWS of the benchmark above: the functions read their endpoint once per
 * process, so a second local AWS in this process would not be the one they call.
 */
async function throughTheBus(
  local: TestLocalAws,
  mesh: AppMeshClient,
  lattice: VPCLatticeClient,
  rule: { serviceIdentifier: string; listenerIdentifier: string; ruleIdentifier: string },
  stable: string,
  canary: string,
): Promise<Figure[]> {
  const cloudwatch = new CloudWatchClient(local.clientConfig());
  try {
    const meshWatch = watchGuard(local, 'appmesh', 'UpdateRoute');
    const latticeWatch = watchGuard(local, 'vpc-lattice', 'UpdateRule');
    const meshMs: number[] = [];
    const latticeMs: number[] = [];
    const meshCalls: number[] = [];
    const latticeCalls: number[] = [];
    /** Weights by target as the provider shows them now. */
    const ruleWeights = async () =>
      Object.fromEntries(
        ((await lattice.send(new GetRuleCommand(rule))).action?.forward?.targetGroups ?? []).map((t) => [
          t.targetGroupIdentifier,
          t.weight,
        ]),
      );
    const routeWeights = async () =>
      Object.fromEntries(
        (
          (await mesh.send(new DescribeRouteCommand(meshRef))).route?.spec?.httpRoute?.action
            ?.weightedTargets ?? []
        ).map((t) => [t.virtualNode, t.weight]),
      );

    for (let i = 0; i < ITERATIONS + WARMUP; i++) {
      // Alarms back to OK first: a deployment opened while a bound alarm is in ALARM is
      // rolled back at once, which is not the path measured here.
      await setAlarm(cloudwatch, DEMO.alarms[0], 'OK');
      await setAlarm(cloudwatch, LATTICE_DEMO.alarms[0], 'OK');
      await local.aws.drain();

      await openMeshDeployment(local, mesh);
      meshWatch.reset();
      const meshStart = process.hrtime.bigint();
      await setAlarm(cloudwatch, DEMO.alarms[0], 'ALARM');
      await local.aws.drain();
      const meshAt = meshWatch.state.writtenAt;
      const meshUpTo = meshWatch.state.calls.indexOf('UpdateRoute') + 1;
      const meshAfter = await routeWeights();

      await openLatticeDeployment(local, lattice, rule, stable, canary);
      latticeWatch.reset();
      const latticeStart = process.hrtime.bigint();
      await setAlarm(cloudwatch, LATTICE_DEMO.alarms[0], 'ALARM');
      await local.aws.drain();
      const latticeAt = latticeWatch.state.writtenAt;
      const latticeUpTo = latticeWatch.state.calls.indexOf('UpdateRule') + 1;
      const latticeAfter = await ruleWeights();

      if (meshAt === undefined) throw new Error(`iteration ${i}: no UpdateRoute was sent`);
      if (latticeAt === undefined) throw new Error(`iteration ${i}: no UpdateRule was sent`);
      if (meshAfter[DEMO.stableNode] !== 100)
        throw new Error(
          `iteration ${i}: DescribeRoute shows ${JSON.stringify(meshAfter)}, not 100 on stable`,
        );
      if (latticeAfter[stable] !== 100 || latticeAfter[canary] !== 0)
        throw new Error(`iteration ${i}: GetRule shows ${JSON.stringify(latticeAfter)}, not 100/0`);
      if (i >= WARMUP) {
        meshMs.push(Number(meshAt - meshStart) / 1e6);
        latticeMs.push(Number(latticeAt - latticeStart) / 1e6);
        meshCalls.push(meshUpTo);
        latticeCalls.push(latticeUpTo);
      }
    }
    const figures: Figure[] = [
      ...latencyFigures(
        'VPC Lattice: SetAlarmState -> UpdateRule restores the rule, via the bus (warm)',
        latticeMs,
        100,
      ),
      ...latencyFigures(
        'App Mesh: SetAlarmState -> UpdateRoute restores the route, via the bus (warm)',
        meshMs,
        100,
      ),
      {
        name: 'VPC Lattice calls per rollback via the bus (max)',
        value: Math.max(...latticeCalls),
        unit: 'calls',
        target: 2,
      },
      {
        name: 'App Mesh calls per rollback via the bus (max)',
        value: Math.max(...meshCalls),
        unit: 'calls',
        target: 2,
      },
    ];
    return figures;
  } finally {
    cloudwatch.destroy();
  }
}

const sideBySide: Benchmark = {
  name: 'deployment guard: alarm -> rollback write, and SetAlarmState -> weights restored through the local bus, VPC Lattice (UpdateRule) beside App Mesh (UpdateRoute), local AWS',
  run: async () => {
    const local = await startSeededLocalAws({ functionEnv: GUARD_ENV });
    const mesh = new AppMeshClient(local.clientConfig());
    const lattice = new VPCLatticeClient(local.clientConfig());
    try {
      await seedLatticeDemo(local.clientConfig());
      await local.aws.drain();
      const found = await findLatticeDemoRule(local.clientConfig());
      if (found === undefined) throw new Error('the Lattice demo rule was not seeded');
      const rule = {
        serviceIdentifier: found.serviceId,
        listenerIdentifier: found.listenerId,
        ruleIdentifier: found.ruleId,
      };
      const seeded = await lattice.send(new GetRuleCommand(rule));
      const [stable, canary] = (seeded.action?.forward?.targetGroups ?? []).map(
        (t) => t.targetGroupIdentifier as string,
      );
      if (stable === undefined || canary === undefined)
        throw new Error('the demo rule has two target groups');
      const meshWatch = watchGuard(local, 'appmesh', 'UpdateRoute');
      const latticeWatch = watchGuard(local, 'vpc-lattice', 'UpdateRule');
      const meshMs: number[] = [];
      const latticeMs: number[] = [];
      const meshCalls: number[] = [];
      const latticeCalls: number[] = [];
      for (let i = 0; i < ITERATIONS + WARMUP; i++) {
        await openMeshDeployment(local, mesh);
        meshWatch.reset();
        const meshStart = process.hrtime.bigint();
        await local.aws.functions.invoke('deployment-guard', alarmEvent(local, DEMO.alarms[0]));
        const meshAt = meshWatch.state.writtenAt;
        const meshUpTo = meshWatch.state.calls.indexOf('UpdateRoute') + 1;
        await local.aws.drain();

        await openLatticeDeployment(local, lattice, rule, stable, canary);
        latticeWatch.reset();
        const latticeStart = process.hrtime.bigint();
        await local.aws.functions.invoke('deployment-guard', alarmEvent(local, LATTICE_DEMO.alarms[0]));
        const latticeAt = latticeWatch.state.writtenAt;
        const latticeUpTo = latticeWatch.state.calls.indexOf('UpdateRule') + 1;
        await local.aws.drain();
        if (meshAt === undefined) throw new Error(`iteration ${i}: no UpdateRoute was sent`);
        if (latticeAt === undefined) throw new Error(`iteration ${i}: no UpdateRule was sent`);
        if (i >= WARMUP) {
          meshMs.push(Number(meshAt - meshStart) / 1e6);
          latticeMs.push(Number(latticeAt - latticeStart) / 1e6);
          meshCalls.push(meshUpTo);
          latticeCalls.push(latticeUpTo);
        }
      }
      const figures: Figure[] = [
        ...latencyFigures('VPC Lattice: alarm event -> UpdateRule sent (warm)', latticeMs, 25),
        ...latencyFigures('App Mesh: alarm event -> UpdateRoute sent (warm)', meshMs, 25),
        {
          name: 'VPC Lattice calls per rollback (max)',
          value: Math.max(...latticeCalls),
          unit: 'calls',
          target: 2,
        },
        {
          name: 'App Mesh calls per rollback (max)',
          value: Math.max(...meshCalls),
          unit: 'calls',
          target: 2,
        },
      ];
      return [...figures, ...(await throughTheBus(local, mesh, lattice, rule, stable, canary))];
    } finally {
      mesh.destroy();
      lattice.destroy();
      await local.aws.close();
    }
  },
};

async function setAlarm(cloudwatch: CloudWatchClient, alarmName: string, state: StateValue): Promise<void> {
  await cloudwatch.send(
    new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: state, StateReason: `bench: ${state}` }),
  );
}

export default [sideBySide];
