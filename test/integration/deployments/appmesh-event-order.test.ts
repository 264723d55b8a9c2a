import {
  AppMeshClient,
  CreateRouteCommand,
  DescribeRouteCommand,
  type RouteSpec,
  UpdateRouteCommand,
} from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../infra/local/demo/seed';
import type { BusEvent } from '../../../infra/local/types';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoDbDeploymentStore } from '../../../shared/adapters/dynamodb/deployment-store';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { GUARD_ENV } from './guard-env';

/** The guard's rule for App Mesh route writes on the default bus, as the local runtime names it. */
const GUARD_RULE = 'deployment-guard-appmesh-route-changes';
const ROUTE = 'web-canary';
const ROUTE_KEY = `${DEMO.mesh}/${DEMO.router}/${ROUTE}`;
const ALARM = 'web-canary-5xx-rate';
const ref = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: ROUTE };

/** A route of the demo router that passes the demo policy, with these weights. */
function specWith(stable: number, canary: number): RouteSpec {
  return {
    httpRoute: {
      match: { prefix: '/canary' },
      action: {
        weightedTargets: [
          { virtualNode: DEMO.stableNode, weight: stable, port: 8080 },
          { virtualNode: DEMO.canaryNode, weight: canary, port: 8080 },
        ],
      },
      retryPolicy: {
        maxRetries: 2,
        perRetryTimeout: { value: 2, unit: 's' },
        httpRetryEvents: ['server-error', 'gateway-error'],
        tcpRetryEvents: ['connection-error'],
      },
      timeout: { perRequest: { value: 15, unit: 's' } },
    },
  };
}

/**
 * CloudTrail delivers a route's events whenever, in whatever order: here a route is created and
 * shifted twice on local App Mesh before the guard sees any of it, then the real CloudTrail
 * events are handed to the guard (running as its stack role): the CreateRoute late, the two
 * UpdateRoutes swapped. Only the write the route still holds may open the deployment, and an
 * ALARM rolls the canary back to the stable target.
 */
describe('deployment guard on local App Mesh: route events delivered late and out of order', () => {
  let local: TestLocalAws;
  let mesh: AppMeshClient;
  let cloudwatch: CloudWatchClient;
  let store: DynamoDbDeploymentStore;
  const routeWrites: BusEvent[] = [];

  const deliver = (event: BusEvent) => local.aws.functions.invoke('deployment-guard', event);
  const weightsNow = async () => {
    const { route } = await mesh.send(new DescribeRouteCommand(ref));
    return Object.fromEntries(
      (route?.spec?.httpRoute?.action?.weightedTargets ?? []).map((t) => [t.virtualNode, t.weight]),
    );
  };

  beforeAll(async () => {
    local = await startSeededLocalAws({ functionEnv: GUARD_ENV });
    local.aws.bus.onActivity((activity) => {
      if (activity.kind !== 'event' || activity.event.source !== 'aws.appmesh') return;
      const detail = activity.event.detail as { requestParameters?: { routeName?: string } };
      if (detail.requestParameters?.routeName === ROUTE) routeWrites.push(activity.event);
    });
    mesh = new AppMeshClient(local.clientConfig());
    cloudwatch = new CloudWatchClient(local.clientConfig());
    store = new DynamoDbDeploymentStore(
      createDocumentClient(local.clientConfig()),
      local.aws.functionEnv.MESHWARDEN_TABLE as string,
      local.aws.accountId,
    );
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: ALARM,
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Dimensions: [{ Name: 'TargetGroup', Value: 'targetgroup/web-v2/0123456789abcdef' }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        Tags: [{ Key: 'meshwarden:route', Value: ROUTE_KEY }],
      }),
    );
    await local.aws.drain();
  });
  afterAll(async () => {
    mesh?.destroy();
    cloudwatch?.destroy();
    await local?.aws.close();
  });

  it('opens the deployment with the write the route holds, whatever the order, and rolls the canary back on ALARM', async () => {
    // Prepare: the guard sees no route write while all three land (100/0, 90/10, 80/20).
    local.aws.bus.setRuleState(GUARD_RULE, 'default', 'DISABLED');
    await mesh.send(new CreateRouteCommand({ ...ref, spec: specWith(100, 0) }));
    await mesh.send(new UpdateRouteCommand({ ...ref, spec: specWith(90, 10) }));
    await mesh.send(new UpdateRouteCommand({ ...ref, spec: specWith(80, 20) }));
    await local.aws.drain();
    local.aws.bus.setRuleState(GUARD_RULE, 'default', 'ENABLED');
    const named = (name: string) =>
      routeWrites.filter((e) => (e.detail as { eventName?: string }).eventName === name);
    const [create] = named('CreateRoute');
    const [first, second] = named('UpdateRoute');
    if (create === undefined || first === undefined || second === undefined)
      throw new Error('the CreateRoute and the two UpdateRoute events were not seen');
    expect(await weightsNow()).toEqual({ [DEMO.stableNode]: 80, [DEMO.canaryNode]: 20 });

    // Act: the CreateRoute, late (the route holds the second shift by now).
    await deliver(create);
    const afterCreate = await store.get(ROUTE_KEY);
    // Act: the second shift's event, then the first's, swapped; then the CreateRoute again.
    await deliver(second);
    const afterSecond = await store.get(ROUTE_KEY);
    await deliver(first);
    await deliver(create);
    const afterLate = await store.get(ROUTE_KEY);

    // Assess: the late events neither recorded weights nor opened a deployment in their name.
    expect(afterCreate).toBeUndefined();
    expect(afterSecond?.lastWeights).toEqual({ [DEMO.stableNode]: 80, [DEMO.canaryNode]: 20 });
    expect(afterSecond?.deployment).toMatchObject({
      status: 'in-progress',
      stableTarget: DEMO.stableNode,
      canaryTargets: [DEMO.canaryNode],
      openedByEventId: second.id,
      baseline: { [DEMO.stableNode]: 80, [DEMO.canaryNode]: 20 },
    });
    expect(afterLate).toEqual(afterSecond);

    // Act: the tagged alarm fires.
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: 'ALARM', StateReason: '5xx above threshold' }),
    );
    await local.aws.drain();

    // Assess: all weight back on the stable target.
    expect(await weightsNow()).toEqual({ [DEMO.stableNode]: 100, [DEMO.canaryNode]: 0 });
    expect((await store.get(ROUTE_KEY))?.deployment).toMatchObject({
      status: 'rolled-back',
      openedByEventId: second.id,
      rollback: { kind: 'alarm', alarmName: ALARM },
    });
  });
});
