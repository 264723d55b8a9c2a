import { AppMeshClient, DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../infra/local/demo/seed';
import type { BusEvent } from '../../../infra/local/types';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoDbDeploymentStore } from '../../../shared/adapters/dynamodb/deployment-store';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { GUARD_ENV } from './guard-env';

const ref = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };

async function setWeights(mesh: AppMeshClient, stable: number, canary: number): Promise<void> {
  const { route } = await mesh.send(new DescribeRouteCommand(ref));
  const http = route?.spec?.httpRoute;
  if (http === undefined) throw new Error('the demo route is an HTTP route');
  await mesh.send(
    new UpdateRouteCommand({
      ...ref,
      spec: {
        ...route?.spec,
        httpRoute: {
          ...http,
          action: {
            weightedTargets: (http.action?.weightedTargets ?? []).map((t) => ({
              ...t,
              weight: t.virtualNode === DEMO.stableNode ? stable : canary,
            })),
          },
        },
      },
    }),
  );
}

async function weightsNow(mesh: AppMeshClient): Promise<Record<string, number>> {
  const { route } = await mesh.send(new DescribeRouteCommand(ref));
  return Object.fromEntries(
    (route?.spec?.httpRoute?.action?.weightedTargets ?? []).map((t) => [t.virtualNode ?? '', t.weight ?? -1]),
  );
}

describe('deployment guard in local AWS: the demo 90/10 route and its tagged alarm', () => {
  let local: TestLocalAws;
  let mesh: AppMeshClient;
  let cloudwatch: CloudWatchClient;
  let store: DynamoDbDeploymentStore;
  const seen: BusEvent[] = [];

  beforeAll(async () => {
    local = await startSeededLocalAws({ functionEnv: GUARD_ENV });
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

  it('records the seeded 90/10 route (CreateRoute) without opening a deployment', async () => {
    const record = await store.get(DEMO.routeKey);

    expect(record?.lastWeights).toEqual({ [DEMO.stableNode]: 90, [DEMO.canaryNode]: 10 });
    expect(record?.deployment).toBeUndefined();
  });

  it('opens a deployment when a person shifts 90/10 -> 80/20', async () => {
    await setWeights(mesh, 80, 20);
    await local.aws.drain();

    const record = await store.get(DEMO.routeKey);
    expect(record?.deployment).toMatchObject({
      status: 'in-progress',
      stableTarget: DEMO.stableNode,
      stableSource: 'most-weight-before',
      canaryTargets: [DEMO.canaryNode],
      weightsBefore: { [DEMO.stableNode]: 90, [DEMO.canaryNode]: 10 },
      startedBy: { label: 'admin', arn: expect.stringContaining('assumed-role/PlatformAdmin') },
    });
    expect(seen.some((e) => e['detail-type'] === 'DeploymentOpened')).toBe(true);
  });

  it('rolls back to 100/0 on the stable target when the bound alarm goes to ALARM, and says why', async () => {
    const before = seen.length;

    await cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: DEMO.alarms[0],
        StateValue: 'ALARM',
        StateReason: '5xx above threshold',
      }),
    );
    await local.aws.drain();

    expect(await weightsNow(mesh)).toEqual({ [DEMO.stableNode]: 100, [DEMO.canaryNode]: 0 });
    const record = await store.get(DEMO.routeKey);
    expect(record?.deployment).toMatchObject({
      status: 'rolled-back',
      rollback: {
        kind: 'alarm',
        alarmName: DEMO.alarms[0],
        stateReason: '5xx above threshold',
        threshold: 5,
        metric: expect.stringContaining('AWS/ApplicationELB/HTTPCode_Target_5XX_Count'),
        stateChangedAt: expect.any(String),
        completedAt: expect.any(String),
      },
    });
    const published = seen.slice(before).filter((e) => e['detail-type'] === 'DeploymentRolledBack');
    expect(published).toHaveLength(1);
    expect(published[0]?.detail).toMatchObject({
      routeKey: DEMO.routeKey,
      weightsBefore: { [DEMO.stableNode]: 80, [DEMO.canaryNode]: 20 },
      weightsAfter: { [DEMO.stableNode]: 100, [DEMO.canaryNode]: 0 },
      reason: { alarmName: DEMO.alarms[0], stateReason: '5xx above threshold', threshold: 5 },
    });
    // The people on call hear it in the mesh's notifications channel (#mesh-ops in the demo policy).
    const told = local.aws.slack.store.messagesIn('C0MESHOPS01').messages.map((m) => JSON.stringify(m));
    expect(told.some((m) => m.includes(DEMO.routeKey) && m.includes(DEMO.alarms[0]))).toBe(true);
  });

  it('does not roll back twice when the alarm flaps, nor open a deployment for its own write', async () => {
    const before = seen.length;
    const deploymentId = (await store.get(DEMO.routeKey))?.deployment?.deploymentId;

    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: DEMO.alarms[0], StateValue: 'OK', StateReason: 'ok' }),
    );
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: DEMO.alarms[0], StateValue: 'ALARM', StateReason: 'again' }),
    );
    await local.aws.drain();

    const after = seen.slice(before);
    expect(after.filter((e) => e['detail-type'] === 'DeploymentRolledBack')).toEqual([]);
    expect(after.filter((e) => e['detail-type'] === 'DeploymentAlarmAudited')).toHaveLength(1);
    expect((await store.get(DEMO.routeKey))?.deployment?.deploymentId).toBe(deploymentId);
  });
});
