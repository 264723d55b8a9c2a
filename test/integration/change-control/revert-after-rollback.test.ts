import { AppMeshClient, DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../infra/local/demo/seed';
import type { BusEvent } from '../../../infra/local/types';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoLastKnownGoodStore } from '../../../shared/adapters/dynamodb/last-known-good-store';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { GUARD_ENV } from '../deployments/guard-env';

const ref = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };
const ROUTE_KEY = 'prod/route/web-router/web-route';

async function weightsNow(mesh: AppMeshClient): Promise<Record<string, number>> {
  const { route } = await mesh.send(new DescribeRouteCommand(ref));
  return Object.fromEntries(
    (route?.spec?.httpRoute?.action?.weightedTargets ?? []).map((t) => [t.virtualNode ?? '', t.weight ?? -1]),
  );
}

/**
 * A revert never undoes a rollback: with every function running, the guard's rollback becomes
 * the route's last known good, so reverting a later violating change keeps the route safe.
 */
describe('change control after a deployment rollback, every function running in local AWS', () => {
  let local: TestLocalAws;
  let admin: AppMeshClient;
  let alice: AppMeshClient;
  let cloudwatch: CloudWatchClient;
  const seen: BusEvent[] = [];

  beforeAll(async () => {
    local = await startSeededLocalAws({ functionEnv: GUARD_ENV });
    local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event') seen.push(activity.event);
    });
    admin = new AppMeshClient(local.clientConfig('admin'));
    alice = new AppMeshClient(local.clientConfig('oidcDeveloper'));
    cloudwatch = new CloudWatchClient(local.clientConfig('admin'));
  }, 60_000);
  afterAll(() => local.aws.close());

  it('admin 50/50, ALARM rolls back to 100/0, alice drops retryPolicy: the revert restores the retryPolicy at 100/0', async () => {
    // Prepare: the admin shifts to 50/50 (a deployment), the bound alarm fires, the guard rolls back.
    const { route: seeded } = await admin.send(new DescribeRouteCommand(ref));
    const http = seeded?.spec?.httpRoute;
    if (http === undefined) throw new Error('the demo route is an HTTP route');
    const weighted = (stable: number, canary: number) =>
      (http.action?.weightedTargets ?? []).map((t) => ({
        ...t,
        weight: t.virtualNode === DEMO.stableNode ? stable : canary,
      }));
    await admin.send(
      new UpdateRouteCommand({
        ...ref,
        spec: { ...seeded?.spec, httpRoute: { ...http, action: { weightedTargets: weighted(50, 50) } } },
      }),
    );
    await local.aws.drain();
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: DEMO.alarms[0], StateValue: 'ALARM', StateReason: '5xx high' }),
    );
    await local.aws.drain();
    expect(await weightsNow(admin)).toEqual({ [DEMO.stableNode]: 100, [DEMO.canaryNode]: 0 });

    // Act: alice (allowed to update the route) drops its retry policy, breaking route.retry-policy.
    const { route: rolledBack } = await alice.send(new DescribeRouteCommand(ref));
    const { retryPolicy: _dropped, ...withoutRetry } = rolledBack?.spec?.httpRoute ?? {};
    await alice.send(
      new UpdateRouteCommand({
        ...ref,
        spec: { ...rolledBack?.spec, httpRoute: withoutRetry as typeof http },
      }),
    );
    await local.aws.drain();

    // Assess: the route is at 100/0 with its retry policy back, and the alarm never saw weight return.
    const { route: after } = await admin.send(new DescribeRouteCommand(ref));
    expect(await weightsNow(admin)).toEqual({ [DEMO.stableNode]: 100, [DEMO.canaryNode]: 0 });
    expect(after?.spec?.httpRoute?.retryPolicy).toEqual(rolledBack?.spec?.httpRoute?.retryPolicy);
    const decision = seen
      .filter((e) => e['detail-type'] === 'GovernanceDecision')
      .map((e) => e.detail as { resourceKey: string; operation: string; action: string; outcome: string })
      .filter((d) => d.resourceKey === ROUTE_KEY)
      .at(-1);
    expect(decision).toMatchObject({ operation: 'UpdateRoute', action: 'revert', outcome: 'applied' });
    const lkg = await new DynamoLastKnownGoodStore(
      createDocumentClient(local.clientConfig('admin')),
      local.aws.functionEnv.MESHWARDEN_TABLE ?? '',
      local.aws.accountId,
    ).get(ROUTE_KEY);
    expect(lkg?.resource.spec).toMatchObject({
      httpRoute: { action: { weightedTargets: weighted(100, 0) } },
    });
  });
});
