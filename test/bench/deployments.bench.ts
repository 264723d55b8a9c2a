import { AppMeshClient, DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DEMO } from '../../infra/local/demo/seed';
import type { LocalRequest, LocalResponse } from '../../infra/local/types';
import { GUARD_ENV } from '../integration/deployments/guard-env';
import { startSeededLocalAws, type TestLocalAws } from '../support/local-aws';
import { loadEvent } from '../support/sample-events';
import { type Benchmark, type Figure, latencyFigures, quantile } from './harness';

const ref = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };

/** Watch meshwarden's App Mesh calls at the edge: every call, and the moment UpdateRoute arrives. */
function watchMeshCalls(local: TestLocalAws) {
  const state = { calls: [] as string[], updateAt: undefined as bigint | undefined };
  const timeline = local.aws.timeline;
  const original = timeline.apiCall.bind(timeline);
  timeline.apiCall = (req: LocalRequest, res: LocalResponse, operation: string | undefined) => {
    if (req.service === 'appmesh' && req.caller.label.includes('meshwarden')) {
      state.calls.push(operation ?? '?');
      if (operation === 'UpdateRoute' && state.updateAt === undefined)
        state.updateAt = process.hrtime.bigint();
    }
    original(req, res, operation);
  };
  return {
    reset: () => {
      state.calls = [];
      state.updateAt = undefined;
    },
    state,
  };
}

/** A person shifts the demo route to 80/20: a deployment opens (the route was rolled back to 100/0). */
async function openDeployment(local: TestLocalAws, mesh: AppMeshClient): Promise<void> {
  const { route } = await mesh.send(new DescribeRouteCommand(ref));
  const http = route?.spec?.httpRoute;
  if (http?.action === undefined) throw new Error('demo route missing');
  const weightedTargets = (http.action.weightedTargets ?? []).map((t) => ({
    ...t,
    weight: t.virtualNode === DEMO.stableNode ? 80 : 20,
  }));
  await mesh.send(
    new UpdateRouteCommand({
      ...ref,
      spec: { ...route?.spec, httpRoute: { ...http, action: { weightedTargets } } },
    }),
  );
  await local.aws.drain();
}

function alarmEvent(local: TestLocalAws): unknown {
  const event = loadEvent('cloudwatch/metric-alarm-to-alarm');
  const timestamp = new Date().toISOString().replace('Z', '+0000');
  return {
    ...event,
    id: crypto.randomUUID(),
    account: local.aws.accountId,
    resources: [`arn:aws:cloudwatch:${local.aws.region}:${local.aws.accountId}:alarm:${DEMO.alarms[0]}`],
    detail: {
      ...event.detail,
      alarmName: DEMO.alarms[0],
      state: { ...event.detail.state, timestamp, reasonData: undefined },
    },
  };
}

const ITERATIONS = 60;
const WARMUP = 5;

const rollback: Benchmark = {
  name: 'deployment guard: alarm -> rollback (demo route 80/20, tagged alarm, local AWS)',
  run: async () => {
    const local = await startSeededLocalAws({ functionEnv: GUARD_ENV });
    try {
      const mesh = new AppMeshClient(local.clientConfig());
      const cloudwatch = new CloudWatchClient(local.clientConfig());
      const watch = watchMeshCalls(local);
      const handlerMs: number[] = [];
      const callsPerRollback: number[] = [];
      for (let i = 0; i < ITERATIONS + WARMUP; i++) {
        await openDeployment(local, mesh);
        watch.reset();
        const start = process.hrtime.bigint();
        await local.aws.functions.invoke('deployment-guard', alarmEvent(local));
        const updateAt = watch.state.updateAt;
        if (updateAt === undefined) throw new Error(`iteration ${i}: no UpdateRoute was sent`);
        const upTo = watch.state.calls.indexOf('UpdateRoute') + 1;
        await local.aws.drain();
        if (i >= WARMUP) {
          handlerMs.push(Number(updateAt - start) / 1e6);
          callsPerRollback.push(upTo);
        }
      }
      const endToEnd: number[] = [];
      for (let i = 0; i < ITERATIONS + WARMUP; i++) {
        // The alarm is reset first: a deployment that opens while it is in ALARM is rolled back at once.
        await cloudwatch.send(
          new SetAlarmStateCommand({
            AlarmName: DEMO.alarms[0],
            StateValue: 'OK',
            StateReason: 'bench reset',
          }),
        );
        await local.aws.drain();
        await openDeployment(local, mesh);
        watch.reset();
        const start = process.hrtime.bigint();
        await cloudwatch.send(
          new SetAlarmStateCommand({ AlarmName: DEMO.alarms[0], StateValue: 'ALARM', StateReason: 'bench' }),
        );
        while (watch.state.updateAt === undefined) await new Promise((resolve) => setImmediate(resolve));
        if (i >= WARMUP) endToEnd.push(Number(watch.state.updateAt - start) / 1e6);
        await local.aws.drain();
      }
      const figures: Figure[] = [
        ...latencyFigures('handler: alarm event -> UpdateRoute sent (warm)', handlerMs, 25),
        {
          name: 'App Mesh calls per rollback (max)',
          value: Math.max(...callsPerRollback),
          unit: 'calls',
          target: 2,
        },
        ...latencyFigures('end to end: SetAlarmState -> route restored (local bus)', endToEnd, 100),
        { name: 'end to end p90', value: quantile(endToEnd, 0.9), unit: 'ms' },
      ];
      return figures;
    } finally {
      await local.aws.close();
    }
  },
};

export default [rollback];
