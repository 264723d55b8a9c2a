import { describe, expect, it } from 'vitest';
import { shareOf } from '../../../shared/deployments/decide';
import type { RequestedDeployment } from '../../../shared/deployments/model';
import { onAlarmStateChange } from '../../../shared/deployments/on-alarm';
import { onRouteChange } from '../../../shared/deployments/on-route-change';
import { onStep } from '../../../shared/deployments/steps';
import { ALARM_ARN, alarmEvent, type Harness, harness, routeEvent } from './fakes';

const WEB = 'prod/web-router/web-route';
const LATTICE = 'prod-lattice/web-prod-local/http-8080/web-route';
const BRIDGE = 'web-v1-lattice';
const FIRST = { 'web-v1': 81, 'web-v2': 9, [BRIDGE]: 10 };

function request(overrides: Partial<RequestedDeployment> = {}): RequestedDeployment {
  return {
    weights: FIRST,
    stableTarget: 'web-v1',
    stableWeights: { 'web-v1': 90, 'web-v2': 10 },
    canaryTarget: BRIDGE,
    steps: [10, 50, 100],
    bakeMinutes: [5, 5, 5],
    watches: [LATTICE],
    requestedBy: 'PlatformAdmin/admin',
    requestedAt: '2026-03-10T10:15:00.000Z',
    expiresAt: '2026-03-10T10:30:00.000Z',
    purpose: 'migrate shift to VPC Lattice service web-prod-local',
    ...overrides,
  };
}

/** Prepare: the route seen at 90/10, a shift requested on its record, then the person's write of `weights`. */
async function shifted(
  h: Harness,
  options: { weights?: Record<string, number>; self?: boolean; requested?: RequestedDeployment } = {},
) {
  h.mesh.put(WEB, { 'web-v1': 90, 'web-v2': 10 });
  await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { eventName: 'CreateRoute' }));
  const record = await h.store.get(WEB);
  if (record === undefined) throw new Error('the route was not recorded');
  await h.store.save({ ...record, requested: options.requested ?? request() });
  h.mesh.put(WEB, options.weights ?? FIRST);
  return onRouteChange(h.deps, routeEvent(h.mesh, WEB, { self: options.self ?? false }));
}

describe('a requested deployment (migrate shift)', () => {
  it('opens on the person’s write of the requested weights, with its steps, stable split and watched route', async () => {
    const h = harness();

    const result = await shifted(h);

    expect(result.outcome).toBe('opened');
    const record = h.store.records.get(WEB);
    expect(record?.requested).toBeUndefined();
    expect(record?.deployment).toMatchObject({
      status: 'in-progress',
      stableTarget: 'web-v1',
      stableSource: 'requested',
      stableWeights: { 'web-v1': 90, 'web-v2': 10 },
      canaryTargets: [BRIDGE],
      watches: [LATTICE],
      progress: { steps: [10, 50, 100], stepIndex: 0 },
    });
    expect(h.scheduled.map((s) => s.step.stepIndex)).toEqual([1]);
  });

  it('does not open on other weights, on meshwarden’s own write, or once expired', async () => {
    const other = harness();
    const self = harness();
    const expired = harness();

    await shifted(other, { weights: { 'web-v1': 70, 'web-v2': 10, [BRIDGE]: 20 } });
    await shifted(self, { self: true });
    await shifted(expired, { requested: request({ expiresAt: '2026-03-10T10:19:59.000Z' }) });

    // Another weight move is a person's ordinary deployment, not the requested one.
    expect(other.store.records.get(WEB)?.deployment?.stableSource).not.toBe('requested');
    expect(other.store.records.get(WEB)?.requested).toBeUndefined();
    expect(self.store.records.get(WEB)?.deployment?.stableSource).not.toBe('requested');
    expect(expired.store.records.get(WEB)?.deployment?.stableSource).not.toBe('requested');
  });

  it('steps the bridge up while the App Mesh targets keep their split of the rest', async () => {
    const h = harness();
    await shifted(h);
    const next = h.scheduled[0];
    if (next === undefined) throw new Error('no step scheduled');

    const result = await onStep(h.deps, next.step, 'exec-1');

    expect(result).toEqual({ kind: 'stepped', toWeight: 50 });
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 45, 'web-v2': 5, [BRIDGE]: 50 });
  });

  it('rolls back to the App Mesh split when an alarm bound only to the watched VPC Lattice rule fires', async () => {
    const h = harness();
    await shifted(h);
    h.tags.set(ALARM_ARN, LATTICE);

    const outcomes = await onAlarmStateChange(h.deps, alarmEvent());

    // The Lattice rule itself has no deployment (nothing recorded for it here): audited only.
    expect(outcomes.map((o) => [o.routeKey, o.result.kind])).toEqual([
      [WEB, 'rolled-back'],
      [LATTICE, 'audited'],
    ]);
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 90, 'web-v2': 10, [BRIDGE]: 0 });
    expect(h.published.filter((e) => e.detailType === 'DeploymentRolledBack')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ routeKey: WEB }) }),
    ]);
  });

  it('does not bind a VPC Lattice alarm to an ordinary deployment of the App Mesh route', async () => {
    const h = harness();
    h.mesh.put(WEB, { 'web-v1': 90, 'web-v2': 10 });
    await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { eventName: 'CreateRoute' }));
    h.mesh.put(WEB, { 'web-v1': 80, 'web-v2': 20 });
    await onRouteChange(h.deps, routeEvent(h.mesh, WEB));
    h.tags.set(ALARM_ARN, LATTICE);

    const outcomes = await onAlarmStateChange(h.deps, alarmEvent());

    expect(outcomes.map((o) => [o.routeKey, o.result.kind])).toEqual([[LATTICE, 'audited']]);
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 80, 'web-v2': 20 });
  });

  it('rolls back at once when an alarm of the watched rule is in ALARM as the deployment opens', async () => {
    const h = harness();
    h.alarms.push({
      name: 'web-lattice-5xx',
      arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-lattice-5xx',
      type: 'metric',
      state: 'ALARM',
      stateReason: '5xx on VPC Lattice',
      threshold: 5,
    });
    h.tags.set('arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-lattice-5xx', LATTICE);

    const result = await shifted(h);

    expect(result.rollback?.kind).toBe('rolled-back');
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 90, 'web-v2': 10, [BRIDGE]: 0 });
  });
});

describe('a requested deployment is checked against the guard’s own record of the route', () => {
  it('does not restore a stable split the guard never recorded: an ordinary deployment opens instead, and says why', async () => {
    const h = harness();

    // Stored with the person's credentials: a split that would hand web-v2 half the traffic on rollback.
    const result = await shifted(h, {
      requested: request({ stableWeights: { 'web-v1': 50, 'web-v2': 50 } }),
    });

    expect(result.declinedRequest).toContain(
      "its stable split web-v1 50 / web-v2 50 is not the route's weights the guard last recorded, web-v1 90 / web-v2 10",
    );
    const deployment = h.store.records.get(WEB)?.deployment;
    expect(deployment?.stableSource).not.toBe('requested');
    expect(deployment?.stableWeights).toBeUndefined();
    expect(deployment?.notes.map((n) => n.text)).toContainEqual(
      expect.stringContaining('Not the deployment PlatformAdmin/admin asked for'),
    );
    expect(h.store.records.get(WEB)?.requested).toBeUndefined();
  });

  it('does not take a canary that is on the stable side, or a stable target without weight', async () => {
    const canary = harness();
    const target = harness();

    const onStable = await shifted(canary, {
      requested: request({ canaryTarget: 'web-v2', weights: FIRST }),
    });
    const weightless = await shifted(target, { requested: request({ stableTarget: BRIDGE }) });

    expect(onStable.declinedRequest).toContain('its canary web-v2 is in its stable split');
    expect(weightless.declinedRequest).toContain(`its stable target ${BRIDGE} has no weight`);
  });

  it('opens when the route the guard recorded still names the bridge of an earlier shift at 0', async () => {
    const h = harness();
    h.mesh.put(WEB, { 'web-v1': 90, 'web-v2': 10, [BRIDGE]: 0 });
    await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { eventName: 'CreateRoute' }));
    const record = await h.store.get(WEB);
    if (record === undefined) throw new Error('the route was not recorded');
    await h.store.save({ ...record, requested: request() });
    h.mesh.put(WEB, FIRST);

    const result = await onRouteChange(h.deps, routeEvent(h.mesh, WEB));

    expect(result.declinedRequest).toBeUndefined();
    expect(h.store.records.get(WEB)?.deployment?.stableSource).toBe('requested');
  });
});

describe('shareOf', () => {
  it('shares a total in proportion, in whole numbers that add up to it', () => {
    expect(shareOf({ a: 90, b: 10 }, 90)).toEqual({ a: 81, b: 9 });
    expect(shareOf({ a: 1, b: 1, c: 1 }, 100)).toEqual({ a: 34, b: 33, c: 33 });
    expect(shareOf({ a: 2, b: 1 }, 0)).toEqual({ a: 0, b: 0 });
    expect(shareOf({ a: 0, b: 0 }, 50)).toEqual({ a: 0, b: 0 });
  });
});
