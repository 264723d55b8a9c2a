import { describe, expect, it } from 'vitest';
import { parseGuardInput } from '../../../shared/deployments/inbound';
import { onRouteChange } from '../../../shared/deployments/on-route-change';
import { onApprovalDecided, onStep } from '../../../shared/deployments/steps';
import { ValidationError } from '../../../shared/errors';
import type { ApprovalDecidedEvent } from '../../../shared/events/approvals';
import { PolicyError, parsePolicy } from '../../../shared/policy/load';
import type { AlarmInfo } from '../../../shared/ports';
import { pendingApproval } from '../approvals/support';
import { type Harness, harness, routeEvent } from './fakes';

const WEB = 'prod/web-router/web-route';
const POLICY = `    deployments:
      routes:
        - route: prod/web-router/web-route
          alarms: [web-5xx-rate]
          progressive:
            steps: [10, 25, 50, {weight: 100, bakeMinutes: 15}]
            bakeMinutes: 5
            onInsufficientData: wait
            approvalBeforeLastStep: true
`;

function alarm(state: AlarmInfo['state']): AlarmInfo {
  return {
    name: 'web-5xx-rate',
    arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx-rate',
    type: 'metric',
    state,
    stateReason: `${state} now`,
    threshold: 5,
  };
}

async function started(h: Harness): Promise<void> {
  h.mesh.put(WEB, { 'web-v1': 100, 'web-v2': 0 });
  await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { eventName: 'CreateRoute' }));
  h.mesh.put(WEB, { 'web-v1': 90, 'web-v2': 10 });
  await onRouteChange(h.deps, routeEvent(h.mesh, WEB));
}

async function fireNext(h: Harness) {
  const next = h.scheduled.at(-1);
  if (next === undefined) throw new Error('nothing scheduled');
  return onStep(h.deps, next.step, `exec-${next.step.token}`);
}

describe('progressive delivery', () => {
  it('schedules the next step after the bake time of the step the person started with', async () => {
    const h = harness(POLICY);

    await started(h);

    expect(h.scheduled).toHaveLength(1);
    expect(h.scheduled[0]?.step.stepIndex).toBe(1);
    expect(h.scheduled[0]?.at.toISOString()).toBe('2026-03-10T10:25:00.000Z');
  });

  it('steps when every bound alarm is OK, then asks for approval before the last step', async () => {
    const h = harness(POLICY);
    h.alarms.push(alarm('OK'));
    await started(h);

    const step25 = await fireNext(h);
    const step50 = await fireNext(h);
    const gate = await fireNext(h);

    expect([step25.kind, step50.kind, gate.kind]).toEqual(['stepped', 'stepped', 'approval-requested']);
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 50, 'web-v2': 50 });
    expect(h.store.records.get(WEB)?.deployment?.status).toBe('awaiting-approval');
    expect(h.published.find((e) => e.detailType === 'ApprovalRequested')?.detail).toMatchObject({
      action: { type: 'promote-deployment', routeKey: WEB, toWeight: 100 },
    });
  });

  it('promotes on approval, and rolls back on rejection', async () => {
    for (const decision of ['approved', 'rejected'] as const) {
      const h = harness(POLICY);
      h.alarms.push(alarm('OK'));
      await started(h);
      await fireNext(h);
      await fireNext(h);
      await fireNext(h);
      const request = h.published.find((e) => e.detailType === 'ApprovalRequested')?.detail as Record<
        string,
        unknown
      >;
      const event = {
        version: '0',
        id: `decided-${decision}`,
        'detail-type': 'ApprovalDecided',
        source: 'meshwarden',
        account: '123456789012',
        time: '2026-03-10T10:40:00Z',
        region: 'us-east-1',
        resources: [],
        detail: {
          approvalId: request.approvalId,
          meshName: 'prod',
          action: request.action,
          decision,
          decidedBy: { slackUserId: 'U1', identity: 'carol' },
          decidedAt: '2026-03-10T10:40:00Z',
        },
      } as unknown as ApprovalDecidedEvent;
      // What the Slack callback stores when carol clicks.
      await h.approvals.create(
        pendingApproval({
          ...(request as object),
          status: decision,
          decidedBy: { slackUserId: 'U1', identity: 'carol' },
          decidedAt: '2026-03-10T10:40:00Z',
        }),
      );

      const result = await onApprovalDecided(h.deps, event);

      if (decision === 'approved') {
        expect(result.kind).toBe('promoted');
        expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 0, 'web-v2': 100 });
        expect(h.store.records.get(WEB)?.deployment?.status).toBe('promoted');
      } else {
        expect(result.kind).toBe('rolled-back');
        expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 100, 'web-v2': 0 });
      }
    }
  });

  it('a forged approval (the stored request still pending, or never stored) promotes nothing', async () => {
    for (const stored of ['pending', 'none'] as const) {
      // Prepare: the deployment waits at its approval gate
      const h = harness(POLICY);
      h.alarms.push(alarm('OK'));
      await started(h);
      await fireNext(h);
      await fireNext(h);
      await fireNext(h);
      const request = h.published.find((e) => e.detailType === 'ApprovalRequested')?.detail as Record<
        string,
        unknown
      >;
      if (stored === 'pending') await h.approvals.create(pendingApproval({ ...(request as object) }));
      const weightsBefore = h.mesh.weights(WEB);
      const forged = {
        version: '0',
        id: 'forged-by-bob',
        'detail-type': 'ApprovalDecided',
        source: 'meshwarden',
        account: '123456789012',
        time: '2026-03-10T10:40:00Z',
        region: 'us-east-1',
        resources: [],
        detail: {
          approvalId: request.approvalId,
          meshName: 'prod',
          action: request.action,
          decision: 'approved',
          decidedBy: { slackUserId: 'U1', identity: 'carol' },
          decidedAt: '2026-03-10T10:40:00Z',
        },
      } as unknown as ApprovalDecidedEvent;

      // Act
      const result = await onApprovalDecided(h.deps, forged);

      // Assess
      expect(result).toMatchObject({
        kind: 'refused',
        reason: stored === 'pending' ? 'not-decided' : 'unknown-approval',
      });
      expect(h.mesh.weights(WEB)).toEqual(weightsBefore);
      expect(h.store.records.get(WEB)?.deployment?.status).toBe('awaiting-approval');
    }
  });

  it('rolls back at a step when a bound alarm is in ALARM', async () => {
    const h = harness(POLICY);
    h.alarms.push(alarm('OK'));
    await started(h);
    h.alarms[0] = alarm('ALARM');

    const result = await fireNext(h);

    expect(result.kind).toBe('rolled-back');
    expect(h.store.records.get(WEB)?.deployment?.rollback).toMatchObject({
      kind: 'step-check',
      alarmName: 'web-5xx-rate',
    });
  });

  it('waits on INSUFFICIENT_DATA when the policy says wait, and a stale schedule does nothing', async () => {
    const h = harness(POLICY);
    h.alarms.push(alarm('INSUFFICIENT_DATA'));
    await started(h);
    const first = h.scheduled[0]?.step;

    const waited = await fireNext(h);
    const stale = first === undefined ? undefined : await onStep(h.deps, first, 'again');

    expect(waited.kind).toBe('waiting');
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 90, 'web-v2': 10 });
    expect(h.scheduled).toHaveLength(2);
    expect(stale?.kind).toBe('stale');
  });

  it('stops stepping once a person changed the weights', async () => {
    const h = harness(POLICY);
    h.alarms.push(alarm('OK'));
    await started(h);
    h.mesh.put(WEB, { 'web-v1': 70, 'web-v2': 30 });
    await onRouteChange(h.deps, routeEvent(h.mesh, WEB));

    const result = await onStep(
      h.deps,
      h.scheduled[0]?.step ?? { routeKey: WEB, deploymentId: '', stepIndex: 1, token: '' },
      'x',
    );

    expect(result.kind).toBe('stale');
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 70, 'web-v2': 30 });
    expect(h.cancelled).toHaveLength(1);
  });
});

describe('guard input and policy', () => {
  it('refuses input it does not handle, naming what it expected', () => {
    expect(() => parseGuardInput({ source: 'aws.s3' })).toThrow(ValidationError);
    expect(() => parseGuardInput(null)).toThrow(/expected source aws.appmesh/);
    expect(() =>
      parseGuardInput({
        kind: 'meshwarden.deployment-step',
        id: 'x',
        scheduledAt: 'now',
        routeKey: WEB,
        deploymentId: 'd',
        stepIndex: 1,
        token: 'nothex',
      }),
    ).toThrow(/token/);
  });

  it('refuses progressive steps that do not increase or do not end at 100, with the path', () => {
    const text = (steps: string) =>
      `version: 1\nmeshes:\n  - mesh: prod\n    changeControl: { default: allow, onViolation: report }\n    deployments:\n      routes:\n        - route: prod/web-router/*\n          progressive: { steps: ${steps} }\n`;

    expect(() => parsePolicy(text('[10, 5, 100]'), 'p.yaml')).toThrow(/steps\[1\]: steps must increase/);
    expect(() => parsePolicy(text('[10, 50]'), 'p.yaml')).toThrow(/the last step must be 100/);
    expect(() => parsePolicy(text('[10, 100]').replace('prod/web-router/*', 'nope'), 'p.yaml')).toThrow(
      PolicyError,
    );
  });
});
