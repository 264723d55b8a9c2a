import { describe, expect, it } from 'vitest';
import { onAlarmStateChange } from '../../../shared/deployments/on-alarm';
import { onRouteChange, onVirtualNodeDeleted } from '../../../shared/deployments/on-route-change';
import { ThrottledError } from '../../../shared/errors';
import { ALARM_ARN, alarmEvent, type Harness, harness, routeEvent } from './fakes';

const WEB = 'prod/web-router/web-route';
const API = 'prod/api-router/api-route';

/** A route seen at 90/10 (CreateRoute), then shifted to 80/20 by alice: an open deployment. */
async function deploying(h: Harness, routeKey = WEB, canary = 20): Promise<void> {
  const [stable, next] = routeKey === API ? ['api-v1', 'api-v2'] : ['web-v1', 'web-v2'];
  h.mesh.put(routeKey, { [stable]: 90, [next]: 10 });
  await onRouteChange(h.deps, routeEvent(h.mesh, routeKey, { eventName: 'CreateRoute' }));
  h.mesh.put(routeKey, { [stable]: 100 - canary, [next]: canary });
  await onRouteChange(h.deps, routeEvent(h.mesh, routeKey));
}

describe('deployment detection', () => {
  it('records a created 90/10 route without opening a deployment, then opens one when a person moves weight', async () => {
    const h = harness();
    h.mesh.put(WEB, { 'web-v1': 90, 'web-v2': 10 });

    const created = await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { eventName: 'CreateRoute' }));
    h.mesh.put(WEB, { 'web-v1': 80, 'web-v2': 20 });
    const updated = await onRouteChange(h.deps, routeEvent(h.mesh, WEB));

    expect(created.outcome).toBe('observed');
    expect(updated.outcome).toBe('opened');
    expect(h.store.records.get(WEB)?.deployment).toMatchObject({
      status: 'in-progress',
      stableTarget: 'web-v1',
      stableSource: 'most-weight-before',
      canaryTargets: ['web-v2'],
      weightsBefore: { 'web-v1': 90, 'web-v2': 10 },
      startedBy: { label: 'alice' },
    });
    expect(h.published.map((e) => e.detailType)).toEqual(['DeploymentOpened']);
  });

  it('takes the stable target from the policy before the weights', async () => {
    const h = harness(
      '    deployments:\n      routes:\n        - route: prod/web-router/*\n          stableTarget: web-v2\n',
    );
    h.mesh.put(WEB, { 'web-v1': 90, 'web-v2': 10 });
    await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { eventName: 'CreateRoute' }));

    h.mesh.put(WEB, { 'web-v1': 20, 'web-v2': 80 });
    await onRouteChange(h.deps, routeEvent(h.mesh, WEB));

    expect(h.store.records.get(WEB)?.deployment).toMatchObject({
      stableTarget: 'web-v2',
      stableSource: 'policy',
    });
  });

  it('guards weights meshwarden’s own write left shared, as meshwarden’s deployment', async () => {
    const h = harness();
    h.mesh.put(WEB, { 'web-v1': 90, 'web-v2': 10 });
    await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { eventName: 'CreateRoute' }));

    h.mesh.put(WEB, { 'web-v1': 70, 'web-v2': 30 });
    const result = await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { self: true }));

    // A revert restoring a split must not leave the canary's share where no alarm can roll it back.
    expect(result.outcome).toBe('opened');
    expect(h.store.records.get(WEB)?.deployment).toMatchObject({
      status: 'in-progress',
      stableTarget: 'web-v1',
      startedBy: { label: 'meshwarden' },
    });
  });

  it('guards a deployment again when change control undoes the change that promoted it', async () => {
    // Prepare: 80/20, then a person's (denied) change puts everything on the canary
    const h = harness();
    await deploying(h);
    h.mesh.put(WEB, { 'web-v1': 0, 'web-v2': 100 });
    await onRouteChange(h.deps, routeEvent(h.mesh, WEB));

    // Act: the revert restores 80/20
    h.mesh.put(WEB, { 'web-v1': 80, 'web-v2': 20 });
    await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { self: true }));

    // Assess: guarded again, with the stable target it had
    expect(h.store.records.get(WEB)?.deployment).toMatchObject({
      status: 'in-progress',
      stableTarget: 'web-v1',
      baseline: { 'web-v1': 80, 'web-v2': 20 },
    });
  });

  it('opens nothing for meshwarden’s own write that leaves one target with all the weight', async () => {
    const h = harness();
    h.mesh.put(WEB, { 'web-v1': 90, 'web-v2': 10 });
    await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { eventName: 'CreateRoute' }));

    h.mesh.put(WEB, { 'web-v1': 100, 'web-v2': 0 });
    const result = await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { self: true }));

    expect(result.outcome).toBe('observed');
    expect(h.store.records.get(WEB)?.deployment).toBeUndefined();
  });

  it('ends the deployment when change control reverts the weights to the baseline, and says so', async () => {
    const h = harness();
    await deploying(h);

    h.mesh.put(WEB, { 'web-v1': 90, 'web-v2': 10 });
    const result = await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { self: true }));

    expect(result.outcome).toBe('ended');
    expect(h.store.records.get(WEB)?.deployment?.ended?.reason).toMatch(
      /back at their baseline .*meshwarden \(change control\)/,
    );
  });

  it('hard case: a person changes the weights mid-deployment: the person wins and the deployment takes them as its baseline', async () => {
    const h = harness();
    await deploying(h);

    h.mesh.put(WEB, { 'web-v1': 60, 'web-v2': 40 });
    const result = await onRouteChange(h.deps, routeEvent(h.mesh, WEB));

    expect(result.outcome).toBe('rebaselined');
    const deployment = h.store.records.get(WEB)?.deployment;
    expect(deployment?.status).toBe('in-progress');
    expect(deployment?.baseline).toEqual({ 'web-v1': 60, 'web-v2': 40 });
    expect(deployment?.notes.at(-1)?.text).toMatch(
      /alice changed the weights mid-deployment .*the person wins/,
    );
  });

  it('hard case: the route is deleted during a deployment: it ends, and an alarm afterwards writes nothing', async () => {
    const h = harness();
    await deploying(h);
    h.tags.set(ALARM_ARN, WEB);

    h.mesh.routes.delete(WEB);
    const result = await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { eventName: 'DeleteRoute' }));
    const alarm = await onAlarmStateChange(h.deps, alarmEvent());

    expect(result.outcome).toBe('ended');
    expect(h.store.records.get(WEB)?.deployment?.ended?.reason).toMatch(/route deleted by alice/);
    expect(alarm[0]?.result.kind).toBe('audited');
    expect(h.mesh.calls).not.toContain('UpdateRoute');
  });

  it('hard case: the canary node is deleted: the route is rolled back to the stable target', async () => {
    const h = harness();
    await deploying(h);

    const results = await onVirtualNodeDeleted(h.deps, {
      ...routeEvent(h.mesh, WEB, { eventName: 'DeleteVirtualNode' }),
      detail: {
        ...routeEvent(h.mesh, WEB).detail,
        eventName: 'DeleteVirtualNode',
        requestParameters: { meshName: 'prod', virtualNodeName: 'web-v2' },
      },
    });

    expect(results[0]?.result.kind).toBe('rolled-back');
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 100, 'web-v2': 0 });
    expect(h.store.records.get(WEB)?.deployment?.rollback).toMatchObject({
      kind: 'target-deleted',
      virtualNode: 'web-v2',
    });
  });

  it('hard case: the stable node is deleted: nothing to roll back to, the deployment ends and people are told', async () => {
    const h = harness();
    await deploying(h);

    const results = await onVirtualNodeDeleted(h.deps, {
      ...routeEvent(h.mesh, WEB),
      detail: {
        ...routeEvent(h.mesh, WEB).detail,
        eventName: 'DeleteVirtualNode',
        requestParameters: { meshName: 'prod', virtualNodeName: 'web-v1' },
      },
    });

    expect(results[0]?.result.kind).toBe('ended');
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 80, 'web-v2': 20 });
    expect(h.notified.at(-1)?.text).toMatch(/stable target web-v1 was deleted/);
  });
});

describe('rollback on an alarm', () => {
  it('puts all weight on the stable target, keeps the rest of the spec, in at most 2 App Mesh calls', async () => {
    const h = harness();
    await deploying(h);
    h.tags.set(ALARM_ARN, WEB);
    const before = structuredClone(h.mesh.routes.get(WEB)?.spec);
    h.mesh.calls.length = 0;

    const outcomes = await onAlarmStateChange(h.deps, alarmEvent());

    expect(outcomes[0]?.result.kind).toBe('rolled-back');
    expect(h.mesh.calls).toEqual(['DescribeRoute', 'UpdateRoute']);
    const after = h.mesh.routes.get(WEB)?.spec;
    expect(after?.priority).toBe(before?.priority);
    expect(after?.httpRoute?.retryPolicy).toEqual(before?.httpRoute?.retryPolicy);
    expect(after?.httpRoute?.action.weightedTargets).toEqual([
      { virtualNode: 'web-v1', weight: 100, port: 8080 },
      { virtualNode: 'web-v2', weight: 0, port: 8080 },
    ]);
    expect(h.mesh.tokens[0]).toMatch(/^[A-Za-z0-9_-]{1,36}$/);
    expect(h.published.at(-1)).toMatchObject({
      detailType: 'DeploymentRolledBack',
      detail: {
        reason: {
          alarmName: 'web-v2-5xx-rate',
          threshold: 5,
          metric: 'Meshwarden/Canary/HTTP5xxRate {Mesh=prod,VirtualNode=web-v2} Average over 60s',
          stateReason: expect.stringContaining('Threshold Crossed'),
          stateChangedAt: '2026-03-10T10:24:14.511+0000',
        },
      },
    });
    expect(h.notified.at(-1)).toMatchObject({ kind: 'rollback', title: `Rolled back ${WEB}` });
  });

  it('binds by policy (route glob -> alarm name) as well as by tag', async () => {
    const h = harness(
      '    deployments:\n      routes:\n        - route: prod/web-router/*\n          alarms: [web-v2-5xx-rate]\n',
    );
    await deploying(h);

    const outcomes = await onAlarmStateChange(h.deps, alarmEvent());

    expect(outcomes.map((o) => o.result.kind)).toEqual(['rolled-back']);
  });

  it('a duplicate event rolls back once', async () => {
    const h = harness();
    await deploying(h);
    h.tags.set(ALARM_ARN, WEB);

    await onAlarmStateChange(h.deps, alarmEvent({ id: 'same' }));
    const second = await onAlarmStateChange(h.deps, alarmEvent({ id: 'same' }));

    expect(h.mesh.calls.filter((c) => c === 'UpdateRoute')).toHaveLength(1);
    expect(second[0]?.result.kind).toBe('audited');
  });

  it('a late alarm from before a later deployment started does not roll that deployment back', async () => {
    const h = harness();
    await deploying(h);
    h.tags.set(ALARM_ARN, WEB);

    const outcomes = await onAlarmStateChange(
      h.deps,
      alarmEvent({ timestamp: '2026-03-10T09:00:00.000+0000' }),
    );

    expect(outcomes[0]?.result).toMatchObject({
      kind: 'audited',
      why: expect.stringMatching(/before the deployment started/),
    });
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 80, 'web-v2': 20 });
  });

  it('hard case: two routes deploying at once: each alarm rolls back only its own route', async () => {
    const h = harness();
    await deploying(h, WEB);
    await deploying(h, API, 30);
    const apiAlarm = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-errors';
    h.tags.set(ALARM_ARN, WEB);
    h.tags.set(apiAlarm, API);

    await Promise.all([
      onAlarmStateChange(h.deps, alarmEvent()),
      onAlarmStateChange(h.deps, alarmEvent({ name: 'api-errors', id: 'x' })),
    ]);

    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 100, 'web-v2': 0 });
    expect(h.mesh.weights(API)).toEqual({ 'api-v1': 100, 'api-v2': 0 });
    expect(h.store.records.get(WEB)?.deployment?.rollback).toMatchObject({ alarmName: 'web-v2-5xx-rate' });
    expect(h.store.records.get(API)?.deployment?.rollback).toMatchObject({ alarmName: 'api-errors' });
  });

  it('hard case: an alarm for a route with no deployment is audited only', async () => {
    const h = harness();
    h.mesh.put(WEB, { 'web-v1': 100, 'web-v2': 0 });
    await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { eventName: 'CreateRoute' }));
    h.tags.set(ALARM_ARN, WEB);

    const outcomes = await onAlarmStateChange(h.deps, alarmEvent());

    expect(outcomes).toEqual([{ routeKey: WEB, result: { kind: 'audited', why: 'no deployment' } }]);
    expect(h.mesh.calls).not.toContain('UpdateRoute');
    expect(h.published.at(-1)).toMatchObject({
      detailType: 'DeploymentAlarmAudited',
      detail: { routeKey: WEB, alarmName: 'web-v2-5xx-rate' },
    });
  });

  it('an unbound alarm does nothing at all', async () => {
    const h = harness();
    await deploying(h);
    const published = h.published.length;

    const outcomes = await onAlarmStateChange(h.deps, alarmEvent());

    expect(outcomes).toEqual([]);
    expect(h.published.length).toBe(published);
  });

  it('hard case: App Mesh throttles the rollback write: retried with backoff until it succeeds', async () => {
    const h = harness();
    await deploying(h);
    h.tags.set(ALARM_ARN, WEB);
    h.mesh.throttleNext = 2;

    const outcomes = await onAlarmStateChange(h.deps, alarmEvent());

    expect(outcomes[0]?.result.kind).toBe('rolled-back');
    expect(h.mesh.calls.filter((c) => c === 'UpdateRoute')).toHaveLength(3);
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 100, 'web-v2': 0 });
  });

  it('hard case: throttled past every retry: rethrown (DLQ), a failure metric, and the retried event finishes it', async () => {
    const h = harness();
    await deploying(h);
    h.tags.set(ALARM_ARN, WEB);
    h.mesh.throttleNext = 100;

    await expect(onAlarmStateChange(h.deps, alarmEvent({ id: 'evt-1' }))).rejects.toThrow(ThrottledError);
    const pending = h.store.records.get(WEB)?.deployment?.status;
    h.mesh.throttleNext = 0;
    const retried = await onAlarmStateChange(h.deps, alarmEvent({ id: 'evt-1' }));

    expect(h.failures).toEqual([WEB]);
    expect(pending).toBe('rolling-back');
    expect(retried[0]?.result.kind).toBe('rolled-back');
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 100, 'web-v2': 0 });
  });

  it('rolls back within the window after promotion, and only audits after it', async () => {
    const h = harness('    deployments:\n      rollbackWindowMinutes: 30\n');
    await deploying(h, WEB, 100);
    h.tags.set(ALARM_ARN, WEB);
    const promoted = h.store.records.get(WEB)?.deployment?.status;

    h.clock = new Date('2026-03-10T11:00:00.000Z');
    const late = await onAlarmStateChange(
      h.deps,
      alarmEvent({ id: 'late', timestamp: '2026-03-10T10:59:00.000+0000' }),
    );
    h.clock = new Date('2026-03-10T10:30:00.000Z');
    const inWindow = await onAlarmStateChange(h.deps, alarmEvent({ id: 'early' }));

    expect(promoted).toBe('promoted');
    expect(late[0]?.result.kind).toBe('audited');
    expect(inWindow[0]?.result.kind).toBe('rolled-back');
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 100, 'web-v2': 0 });
  });
});
