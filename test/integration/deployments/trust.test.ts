import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppMeshClient, DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEDULE_GROUP_NAME } from '../../../infra/constructs/names';
import { DEMO } from '../../../infra/local/demo/seed';
import { DEMO_POLICY_FILE } from '../../../infra/local/runtime';
import type { BusEvent } from '../../../infra/local/types';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoDbDeploymentStore } from '../../../shared/adapters/dynamodb/deployment-store';
import { RECOVERY_SCHEDULE_NAME } from '../../../shared/adapters/scheduler/step-scheduler';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { GUARD_ENV } from './guard-env';

const ref = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };
const [FIVE_XX, LATENCY] = DEMO.alarms as unknown as [string, string];

/** The demo policy with the demo route's stable target named: web-v1. */
function stableTargetPolicy(): string {
  const demo = readFileSync(DEMO_POLICY_FILE, 'utf8');
  const section = `    deployments:
      rollbackWindowMinutes: 60
      routes:
        - route: ${DEMO.routeKey}
          stableTarget: ${DEMO.stableNode}

    exemptions:`;
  const file = join(mkdtempSync(join(tmpdir(), 'meshwarden-trust-')), 'policy.yaml');
  writeFileSync(file, demo.replace(/^ {4}exemptions:/m, section));
  return file;
}

/** Scheduler invokes the function on its own (not through the bus): wait for what it does. */
async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('deployment guard trust cases in local AWS', () => {
  let local: TestLocalAws;
  let mesh: AppMeshClient;
  let cloudwatch: CloudWatchClient;
  let store: DynamoDbDeploymentStore;
  const seen: BusEvent[] = [];

  async function setWeights(weights: Record<string, number>): Promise<void> {
    const { route } = await mesh.send(new DescribeRouteCommand(ref));
    const http = route?.spec?.httpRoute;
    if (http === undefined) throw new Error('the demo route is an HTTP route');
    const port = http.action?.weightedTargets?.[0]?.port;
    await mesh.send(
      new UpdateRouteCommand({
        ...ref,
        spec: {
          ...route?.spec,
          httpRoute: {
            ...http,
            action: {
              weightedTargets: Object.entries(weights).map(([virtualNode, weight]) => ({
                virtualNode,
                weight,
                ...(port === undefined ? {} : { port }),
              })),
            },
          },
        },
      }),
    );
    await local.aws.drain();
  }

  async function weightsNow(): Promise<Record<string, number>> {
    const { route } = await mesh.send(new DescribeRouteCommand(ref));
    return Object.fromEntries(
      (route?.spec?.httpRoute?.action?.weightedTargets ?? []).map((t) => [
        t.virtualNode ?? '',
        t.weight ?? -1,
      ]),
    );
  }

  async function alarm(name: string, state: 'OK' | 'ALARM', reason = `${name} ${state}`): Promise<void> {
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: reason }),
    );
  }

  const rollbacksSince = (from: number) =>
    seen.slice(from).filter((e) => e['detail-type'] === 'DeploymentRolledBack');
  const toldSince = (from: number) =>
    local.aws.slack.store
      .messagesIn('C0MESHOPS01')
      .messages.slice(from)
      .map((m) => JSON.stringify(m));

  beforeAll(async () => {
    local = await startSeededLocalAws({ functionEnv: GUARD_ENV, policyFile: stableTargetPolicy() });
    local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event') seen.push(activity.event);
    });
    mesh = new AppMeshClient(local.clientConfig());
    cloudwatch = new CloudWatchClient(local.clientConfig());
    store = new DynamoDbDeploymentStore(
      createDocumentClient(local.clientConfig()),
      local.aws.functionEnv.MESHWARDEN_TABLE as string,
      local.aws.accountId,
    );
  });
  afterAll(() => local.aws.close());

  it('a deployment opened while its alarm is already in ALARM is rolled back at once, saying why', async () => {
    await alarm(FIVE_XX, 'ALARM', '5xx above threshold');
    await local.aws.drain();
    const from = seen.length;

    await setWeights({ [DEMO.stableNode]: 80, [DEMO.canaryNode]: 20 });

    expect(await weightsNow()).toEqual({ [DEMO.stableNode]: 100, [DEMO.canaryNode]: 0 });
    expect(rollbacksSince(from)).toHaveLength(1);
    expect(rollbacksSince(from)[0]?.detail).toMatchObject({
      reason: { kind: 'alarm-at-open', alarmName: FIVE_XX, stateReason: '5xx above threshold' },
    });
    expect((await store.get(DEMO.routeKey))?.deployment?.status).toBe('rolled-back');
    await alarm(FIVE_XX, 'OK');
    await local.aws.drain();
  });

  it('50/50 -> 0/100 (promoted) -> 10/90 opens a new deployment whose stable is web-v2: an ALARM restores 0/100', async () => {
    await setWeights({ [DEMO.stableNode]: 50, [DEMO.canaryNode]: 50 });
    await setWeights({ [DEMO.stableNode]: 0, [DEMO.canaryNode]: 100 });
    const promoted = (await store.get(DEMO.routeKey))?.deployment;
    await setWeights({ [DEMO.stableNode]: 10, [DEMO.canaryNode]: 90 });
    const reopened = (await store.get(DEMO.routeKey))?.deployment;

    await alarm(FIVE_XX, 'ALARM');
    await local.aws.drain();

    expect(promoted?.status).toBe('promoted');
    expect(reopened).toMatchObject({
      status: 'in-progress',
      stableTarget: DEMO.canaryNode,
      stableSource: 'promoted',
    });
    expect(reopened?.deploymentId).not.toBe(promoted?.deploymentId);
    expect(await weightsNow()).toEqual({ [DEMO.stableNode]: 0, [DEMO.canaryNode]: 100 });
    await alarm(FIVE_XX, 'OK');
    await local.aws.drain();
  });

  it('two alarms firing together roll back once and notify once', async () => {
    await setWeights({ [DEMO.stableNode]: 30, [DEMO.canaryNode]: 70 });
    const from = seen.length;
    const told = local.aws.slack.store.messagesIn('C0MESHOPS01').messages.length;

    await Promise.all([alarm(FIVE_XX, 'ALARM'), alarm(LATENCY, 'ALARM')]);
    await local.aws.drain();

    const stable = (await store.get(DEMO.routeKey))?.deployment?.stableTarget ?? '';
    expect((await weightsNow())[stable]).toBe(100);
    expect(rollbacksSince(from)).toHaveLength(1);
    expect(toldSince(told).filter((m) => m.includes('Rolled back'))).toHaveLength(1);
    await Promise.all([alarm(FIVE_XX, 'OK'), alarm(LATENCY, 'OK')]);
    await local.aws.drain();
  });

  it('a rollback whose write keeps failing tells people at once, and the one-minute schedule finishes it once the faults clear', async () => {
    await setWeights({ [DEMO.stableNode]: 20, [DEMO.canaryNode]: 80 });
    const from = seen.length;
    const told = local.aws.slack.store.messagesIn('C0MESHOPS01').messages.length;
    const scheduler = new SchedulerClient(local.clientConfig());
    // App Mesh fails every UpdateRoute (5xx) past the SDK's retries and the bus's redeliveries.
    // (Throttling is the unit test's: the adaptive client-side rate limiter makes it take minutes.)
    local.aws.faults.set([
      { service: 'appmesh', operation: 'UpdateRoute', throttleRate: 0, errorRate: 1, latencyMs: 0 },
    ]);

    await alarm(FIVE_XX, 'ALARM');
    await local.aws.drain();
    const failing = (await store.get(DEMO.routeKey))?.deployment;
    const recovery = await scheduler.send(
      new ListSchedulesCommand({ GroupName: SCHEDULE_GROUP_NAME, NamePrefix: RECOVERY_SCHEDULE_NAME }),
    );
    const toldWhileFailing = toldSince(told);
    local.aws.faults.set([]);
    await local.aws.scheduler.tick(new Date(Date.now() + 2 * 60_000));
    const recoverySchedules = async () =>
      (
        await scheduler.send(
          new ListSchedulesCommand({ GroupName: SCHEDULE_GROUP_NAME, NamePrefix: RECOVERY_SCHEDULE_NAME }),
        )
      ).Schedules ?? [];
    await until(async () => (await recoverySchedules()).length === 0);
    await local.aws.drain();

    expect(failing?.status).toBe('rolling-back');
    expect(seen.slice(from).filter((e) => e['detail-type'] === 'DeploymentRollbackFailed')).toHaveLength(1);
    expect(toldWhileFailing.filter((m) => m.includes('Rollback FAILED'))).toHaveLength(1);
    expect(recovery.Schedules?.map((s) => s.Name)).toEqual([RECOVERY_SCHEDULE_NAME]);
    expect(await weightsNow()).toEqual({ [DEMO.stableNode]: 0, [DEMO.canaryNode]: 100 });
    expect((await store.get(DEMO.routeKey))?.deployment?.status).toBe('rolled-back');
    expect(rollbacksSince(from)).toHaveLength(1);
  }, 120_000);
});
