import { describe, expect, it } from 'vitest';
import type { Approval, ApprovalExecution } from '../../../shared/approvals/approval';
import { promoteDeployment, rollbackDeployment } from '../../../shared/deployments/commands';
import { onAlarmStateChange } from '../../../shared/deployments/on-alarm';
import { onRouteChange } from '../../../shared/deployments/on-route-change';
import { onRecovery } from '../../../shared/deployments/recovery';
import { onApprovalDecided, onStep } from '../../../shared/deployments/steps';
import { BadRequestError, MeshwardenError, ThrottledError } from '../../../shared/errors';
import type { ApprovalDecidedEvent } from '../../../shared/events/approvals';
import type { AlarmInfo, ApprovalStore, ChatApprovals, DecisionToRecord } from '../../../shared/ports';
import { pendingApproval } from '../approvals/support';
import { ALARM_ARN, alarmEvent, type Harness, harness, routeEvent } from './fakes';

const WEB = 'prod/web-router/web-route';
const WEB_KEY = 'prod/route/web-router/web-route';
const ALARM_NAME = 'web-v2-5xx-rate';

function alarmInfo(state: AlarmInfo['state'], name = ALARM_NAME): AlarmInfo {
  return {
    name,
    arn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`,
    type: 'metric',
    state,
    stateReason: `${state}: 5xx above 5`,
    threshold: 5,
  };
}

/** The route seen at 90/10 (CreateRoute). */
async function seen(h: Harness, weights: Record<string, number> = { 'web-v1': 90, 'web-v2': 10 }) {
  h.mesh.put(WEB, weights);
  await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { eventName: 'CreateRoute' }));
}

/** A person (alice) sets these weights. */
async function person(h: Harness, weights: Record<string, number>, id?: string) {
  h.mesh.put(WEB, weights);
  return onRouteChange(h.deps, routeEvent(h.mesh, WEB, id === undefined ? {} : { id }));
}

const PROGRESSIVE = `    deployments:
      routes:
        - route: prod/web-router/web-route
          alarms: [web-5xx-rate]
          progressive:
            steps: [10, 25, 50, 100]
            bakeMinutes: 5
            onInsufficientData: wait
            approvalBeforeLastStep: true
`;

/**
 * An `ApprovalDecided` for `request`, after storing the decision as the Slack callback does:
 * the guard acts only on a decision meshwarden stored.
 */
async function approvalEvent(
  h: Harness,
  request: Record<string, unknown>,
  decision: 'approved' | 'rejected' | 'expired',
) {
  await h.deps.approvals.store.create(
    pendingApproval({
      ...(request as object),
      status: decision,
      decidedBy: { slackUserId: 'U1', identity: 'carol' },
      decidedAt: '2026-03-10T10:40:00Z',
    }),
  );
  return {
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
}

/** A progressive deployment at 50%, waiting for the approval of its last step. */
async function atGate(h: Harness): Promise<Record<string, unknown>> {
  h.alarms.push({ ...alarmInfo('OK', 'web-5xx-rate') });
  await seen(h, { 'web-v1': 100, 'web-v2': 0 });
  await person(h, { 'web-v1': 90, 'web-v2': 10 });
  for (let i = 0; i < 3; i++) {
    const next = h.scheduled.at(-1);
    if (next === undefined) throw new Error('nothing scheduled');
    await onStep(h.deps, next.step, `exec-${next.step.token}`);
  }
  const request = h.published.find((e) => e.detailType === 'ApprovalRequested')?.detail;
  if (request === undefined) throw new Error('no approval requested');
  return request;
}

class FakeApprovals implements ApprovalStore {
  readonly approvals = new Map<string, Approval>();
  async create(approval: Approval) {
    if (this.approvals.has(approval.approvalId)) return false;
    this.approvals.set(approval.approvalId, approval);
    return true;
  }
  async get(id: string) {
    return this.approvals.get(id);
  }
  async attachMessage() {}
  async recordDecision(id: string, decision: DecisionToRecord) {
    const approval = this.approvals.get(id);
    if (approval === undefined) return { outcome: 'not-found' as const };
    if (approval.status !== 'pending') return { outcome: 'already-decided' as const, approval };
    const decided = { ...approval, status: decision.status, decidedAt: decision.decidedAt };
    this.approvals.set(id, decided);
    return { outcome: 'recorded' as const, approval: decided };
  }
  async markPublished() {}
  async recordExecution(id: string, execution: ApprovalExecution) {
    const approval = this.approvals.get(id);
    if (approval !== undefined) this.approvals.set(id, { ...approval, execution });
  }
  async listOpen() {
    return [...this.approvals.values()];
  }
}

describe('I1: a deployment that opens while a bound alarm is in ALARM', () => {
  it('is rolled back at once, saying which alarm (tag-bound, no progressive steps)', async () => {
    const h = harness();
    await seen(h);
    h.alarms.push(alarmInfo('ALARM'));
    h.tags.set(ALARM_ARN, WEB);

    const result = await person(h, { 'web-v1': 80, 'web-v2': 20 });

    expect(result.outcome).toBe('opened');
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 100, 'web-v2': 0 });
    expect(h.store.records.get(WEB)?.deployment).toMatchObject({
      status: 'rolled-back',
      rollback: { kind: 'alarm-at-open', alarmName: ALARM_NAME },
    });
    expect(h.published.map((e) => e.detailType)).toEqual(['DeploymentOpened', 'DeploymentRolledBack']);
    expect(h.notified.at(-1)?.text).toMatch(
      /web-v2-5xx-rate was already in ALARM when the deployment opened/,
    );
  });

  it('is rolled back at once when the alarm is bound by the policy, before any step', async () => {
    const h = harness(PROGRESSIVE);
    h.alarms.push(alarmInfo('ALARM', 'web-5xx-rate'));
    await seen(h, { 'web-v1': 100, 'web-v2': 0 });

    await person(h, { 'web-v1': 90, 'web-v2': 10 });

    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 100, 'web-v2': 0 });
    expect(h.store.records.get(WEB)?.deployment?.status).toBe('rolled-back');
  });

  it('is rolled back on the redelivery when the first try failed after opening it', async () => {
    const h = harness();
    await seen(h);
    h.alarms.push(alarmInfo('ALARM'));
    h.tags.set(ALARM_ARN, WEB);
    const taggedFor = h.deps.alarms.taggedFor;
    (h.deps.alarms as { taggedFor: typeof taggedFor }).taggedFor = async () => {
      throw new ThrottledError('CloudWatch throttled');
    };
    h.mesh.put(WEB, { 'web-v1': 80, 'web-v2': 20 });
    const first = await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { id: 'shift-1' })).catch(
      (e: unknown) => e,
    );
    (h.deps.alarms as { taggedFor: typeof taggedFor }).taggedFor = taggedFor;

    const redelivered = await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { id: 'shift-1' }));

    expect(first).toBeInstanceOf(ThrottledError);
    expect(redelivered.rollback?.kind).toBe('rolled-back');
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 100, 'web-v2': 0 });
  });

  it('`deployments promote` refuses while a bound alarm is in ALARM, even with --force', async () => {
    const h = harness();
    await seen(h);
    await person(h, { 'web-v1': 80, 'web-v2': 20 });
    h.alarms.push(alarmInfo('ALARM'));
    h.tags.set(ALARM_ARN, WEB);

    const refused = await promoteDeployment(h.deps, WEB, 'dave', true).catch((e: unknown) => e);

    expect(refused).toBeInstanceOf(BadRequestError);
    expect(String(refused)).toMatch(/web-v2-5xx-rate in ALARM/);
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 80, 'web-v2': 20 });
  });
});

describe('I1: every weight move after promotion opens a new deployment', () => {
  it('50/50 -> 0/100 (promoted) -> 10/90: the new deployment’s stable target is web-v2, whatever the policy says', async () => {
    const h = harness(
      '    deployments:\n      rollbackWindowMinutes: 60\n      routes:\n        - route: prod/web-router/*\n          stableTarget: web-v1\n',
    );
    await seen(h);
    await person(h, { 'web-v1': 50, 'web-v2': 50 });
    const promoted = await person(h, { 'web-v1': 0, 'web-v2': 100 });
    const moved = await person(h, { 'web-v1': 10, 'web-v2': 90 });
    h.tags.set(ALARM_ARN, WEB);

    await onAlarmStateChange(h.deps, alarmEvent({ timestamp: '2026-03-10T10:20:00.000+0000' }));

    expect(promoted.outcome).toBe('promoted');
    expect(moved.outcome).toBe('opened');
    expect(moved.deploymentId).not.toBe(promoted.deploymentId);
    expect(h.store.records.get(WEB)?.deployment).toMatchObject({
      stableTarget: 'web-v2',
      stableSource: 'promoted',
      canaryTargets: ['web-v1'],
      status: 'rolled-back',
    });
    expect(h.store.archived.at(-1)).toMatchObject({ deploymentId: promoted.deploymentId, status: 'ended' });
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 0, 'web-v2': 100 });
  });

  it('a new target set [web-v2 90, web-v3 10] after promotion opens a deployment that an ALARM rolls back', async () => {
    const h = harness();
    await seen(h);
    await person(h, { 'web-v1': 0, 'web-v2': 100 });
    const moved = await person(h, { 'web-v2': 90, 'web-v3': 10 });
    h.tags.set(ALARM_ARN, WEB);

    const outcomes = await onAlarmStateChange(
      h.deps,
      alarmEvent({ timestamp: '2026-03-10T10:20:00.000+0000' }),
    );

    expect(moved.outcome).toBe('opened');
    expect(outcomes[0]?.result.kind).toBe('rolled-back');
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v2': 100, 'web-v3': 0 });
  });

  it('after that deployment rolls back, the next one still takes what held the weight (not the policy’s old stable)', async () => {
    const h = harness(
      '    deployments:\n      routes:\n        - route: prod/web-router/*\n          stableTarget: web-v1\n',
    );
    await seen(h);
    await person(h, { 'web-v1': 0, 'web-v2': 100 });
    await person(h, { 'web-v1': 10, 'web-v2': 90 });
    h.tags.set(ALARM_ARN, WEB);
    await onAlarmStateChange(h.deps, alarmEvent({ timestamp: '2026-03-10T10:20:00.000+0000' }));

    await person(h, { 'web-v1': 20, 'web-v2': 80 });

    expect(h.store.records.get(WEB)?.deployment).toMatchObject({
      stableTarget: 'web-v2',
      status: 'in-progress',
    });
  });
});

describe('an approved re-apply is the person’s change', () => {
  it('opens a deployment started by the person the re-apply acted for', async () => {
    const h = harness();
    await seen(h);
    h.mesh.put(WEB, { 'web-v1': 70, 'web-v2': 30 });
    const route = h.mesh.routes.get(WEB);
    h.lastKnownGood.set(WEB_KEY, {
      resourceKey: WEB_KEY,
      resource: route as never,
      version: route?.metadata?.version ?? 0,
      eventId: 'approval-1',
      recordedAt: '2026-03-10T10:19:00.000Z',
      source: 'own-write',
      ownWrite: {
        purpose: 'reapply',
        cause: 'approval-1',
        approvalId: 'approval-1',
        onBehalfOf: { arn: 'arn:aws:iam::123456789012:user/bob', label: 'bob' },
      },
    });

    const result = await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { self: true }));

    expect(result.outcome).toBe('opened');
    expect(h.store.records.get(WEB)?.deployment?.startedBy).toEqual({
      arn: 'arn:aws:iam::123456789012:user/bob',
      label: 'bob',
    });
  });

  it('not when the recorded re-apply is of another version, nor for a rollback', async () => {
    for (const [purpose, versionOffset] of [
      ['reapply', 1],
      ['rollback', 0],
    ] as const) {
      const h = harness();
      await seen(h);
      h.mesh.put(WEB, { 'web-v1': 70, 'web-v2': 30 });
      const route = h.mesh.routes.get(WEB);
      h.lastKnownGood.set(WEB_KEY, {
        resourceKey: WEB_KEY,
        resource: route as never,
        version: (route?.metadata?.version ?? 0) + versionOffset,
        eventId: 'x',
        recordedAt: '2026-03-10T10:19:00.000Z',
        source: 'own-write',
        ownWrite: {
          purpose,
          cause: 'x',
          onBehalfOf: { arn: 'arn:aws:iam::123456789012:user/bob', label: 'bob' },
        },
      });

      const result = await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { self: true }));

      // Still guarded (the canary has a share), but as meshwarden's, not as bob's deployment.
      expect(result.outcome).toBe('opened');
      expect(h.store.records.get(WEB)?.deployment?.startedBy.label).toBe('meshwarden');
    }
  });
});

describe('I6: nothing goes quiet or stuck', () => {
  it('every rollback starts the recovery schedule, so a rollback whose invocation dies is still retried', async () => {
    // Prepare
    const h = harness();
    await seen(h);
    await person(h, { 'web-v1': 80, 'web-v2': 20 });
    h.tags.set(ALARM_ARN, WEB);

    // Act: a rollback that succeeds, then the schedule's next run
    await onAlarmStateChange(h.deps, alarmEvent());
    const next = await onRecovery(h.deps);

    // Assess: made before anything could fail, and gone once every route is safe
    expect(h.recovery).toEqual(['ensure', 'remove']);
    expect(next.scheduleRemoved).toBe(true);
  });

  it('a rollback that fails tells people at once and a one-minute schedule finishes it once the faults clear', async () => {
    const h = harness();
    await seen(h);
    await person(h, { 'web-v1': 80, 'web-v2': 20 });
    h.tags.set(ALARM_ARN, WEB);
    h.mesh.throttleNext = 1000;

    const failed = await onAlarmStateChange(h.deps, alarmEvent()).catch((e: unknown) => e);
    const stillFailing = await onRecovery(h.deps).catch((e: unknown) => e);
    const toldWhileFailing = h.notified.length;
    h.mesh.throttleNext = 0;
    const recovered = await onRecovery(h.deps);

    expect(failed).toBeInstanceOf(ThrottledError);
    expect(stillFailing).toBeInstanceOf(MeshwardenError);
    expect(h.failures).toEqual([WEB, WEB]);
    expect(h.published.filter((e) => e.detailType === 'DeploymentRollbackFailed')).toHaveLength(1);
    expect(toldWhileFailing).toBe(1);
    expect(h.notified[0]).toMatchObject({ kind: 'rollback', title: `Rollback FAILED for ${WEB}` });
    expect(h.notified[0]?.text).toMatch(/retries every minute.*deployments rollback/);
    expect(recovered.scheduleRemoved).toBe(true);
    // One as the rollback starts, one when its write failed, one as the first recovery run failed.
    expect(h.recovery).toEqual(['ensure', 'ensure', 'ensure', 'remove']);
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 100, 'web-v2': 0 });
    expect(h.store.records.get(WEB)?.deployment?.status).toBe('rolled-back');
    expect(h.notified.at(-1)?.title).toBe(`Rolled back ${WEB}`);
  });

  it('`deployments rollback` rolls back now, audited, and finishes a rollback left rolling-back', async () => {
    const h = harness();
    await seen(h);
    await person(h, { 'web-v1': 80, 'web-v2': 20 });
    h.tags.set(ALARM_ARN, WEB);
    h.mesh.throttleNext = 1000;
    await onAlarmStateChange(h.deps, alarmEvent()).catch(() => undefined);
    h.mesh.throttleNext = 0;

    const result = await rollbackDeployment(h.deps, WEB, 'dave', 'by hand');

    expect(result.kind).toBe('rolled-back');
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 100, 'web-v2': 0 });
    expect(h.published.at(-1)?.detailType).toBe('DeploymentRolledBack');
  });

  it('`deployments rollback` of a running deployment names who did it', async () => {
    const h = harness();
    await seen(h);
    await person(h, { 'web-v1': 80, 'web-v2': 20 });

    const result = await rollbackDeployment(h.deps, WEB, 'dave', 'bad canary');

    expect(result.kind).toBe('rolled-back');
    expect(h.store.records.get(WEB)?.deployment?.rollback).toMatchObject({
      kind: 'abort',
      by: 'dave',
      note: 'bad canary',
    });
  });

  it('an approved last step that meets INSUFFICIENT_DATA does not ask again, and steps once the data is there', async () => {
    const h = harness(PROGRESSIVE);
    const request = await atGate(h);
    h.alarms[0] = alarmInfo('INSUFFICIENT_DATA', 'web-5xx-rate');

    const waited = await onApprovalDecided(h.deps, await approvalEvent(h, request, 'approved'));
    h.alarms[0] = alarmInfo('OK', 'web-5xx-rate');
    const next = h.scheduled.at(-1);
    if (next === undefined) throw new Error('no recheck scheduled');
    const stepped = await onStep(h.deps, next.step, 'exec-recheck');

    expect(waited.kind).toBe('waiting');
    expect(h.notified.at(-1)?.text).toMatch(/until 2026-03-10T11:20:00.000Z.*deployments promote/);
    expect(stepped.kind).toBe('promoted');
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 0, 'web-v2': 100 });
    expect(h.published.filter((e) => e.detailType === 'ApprovalRequested')).toHaveLength(1);
  });

  it('an approved last step that was applied is recorded on the approval, not closed as unapplied later', async () => {
    const h = harness(PROGRESSIVE);
    const approvals = new FakeApprovals();
    (h as { deps: Harness['deps'] }).deps = { ...h.deps, approvals: { store: approvals, chat: undefined } };
    const request = await atGate(h);
    await approvals.create({
      approvalId: String(request.approvalId),
      meshName: 'prod',
      action: request.action as Approval['action'],
      title: 't',
      reason: 'r',
      requestedBy: { arn: 'a', label: 'alice' },
      diff: 'd',
      requestedAt: '2026-03-10T10:20:00.000Z',
      expiresAt: '2026-03-11T10:20:00.000Z',
      status: 'approved',
      decidedBy: { slackUserId: 'U1', identity: 'carol' },
      decidedAt: '2026-03-10T10:40:00Z',
    });

    await onApprovalDecided(h.deps, await approvalEvent(h, request, 'approved'));
    await person(h, { 'web-v1': 10, 'web-v2': 90 });

    expect(approvals.approvals.get(String(request.approvalId))?.execution).toMatchObject({
      outcome: 'applied',
      detail: expect.stringMatching(/promoted to web-v1 0 \/ web-v2 100/),
    });
  });

  it('a wait on INSUFFICIENT_DATA has a deadline: then automatic steps stop and people are told the way out', async () => {
    const h = harness(`${PROGRESSIVE}            waitDeadlineMinutes: 30\n`);
    const request = await atGate(h);
    h.alarms[0] = alarmInfo('INSUFFICIENT_DATA', 'web-5xx-rate');
    await onApprovalDecided(h.deps, await approvalEvent(h, request, 'approved'));
    const scheduled = h.scheduled.length;

    h.clock = new Date('2026-03-10T10:51:00.000Z');
    const next = h.scheduled.at(-1);
    if (next === undefined) throw new Error('no recheck scheduled');
    const result = await onStep(h.deps, next.step, 'exec-late');

    expect(result.kind).toBe('stale');
    expect(h.scheduled.length).toBe(scheduled);
    expect(h.store.records.get(WEB)?.deployment?.progress?.paused).toMatch(/Stopped waiting/);
    expect(h.notified.at(-1)?.text).toMatch(/had no data for 30 minutes.*deployments promote .*rollback/);
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 50, 'web-v2': 50 });
  });

  it('an approval whose deployment rolled back is closed with the reason, in chat too', async () => {
    const h = harness(PROGRESSIVE);
    const approvals = new FakeApprovals();
    const chat: string[] = [];
    const chatApprovals: ChatApprovals = {
      postApprovalRequest: async () => ({ channel: 'C1', ts: '1' }),
      updateApprovalMessage: async (a) => void chat.push(`update ${a.status} ${a.execution?.detail ?? ''}`),
      postThreadReply: async (_m, text) => void chat.push(`reply ${text}`),
      postEphemeral: async () => undefined,
      userEmail: async () => undefined,
    };
    (h as { deps: Harness['deps'] }).deps = {
      ...h.deps,
      approvals: { store: approvals, chat: chatApprovals },
    };
    const request = await atGate(h);
    await approvals.create({
      approvalId: String(request.approvalId),
      meshName: 'prod',
      action: request.action as Approval['action'],
      title: 't',
      reason: 'r',
      requestedBy: { arn: 'a', label: 'alice' },
      diff: 'd',
      requestedAt: '2026-03-10T10:20:00.000Z',
      expiresAt: '2026-03-11T10:20:00.000Z',
      status: 'pending',
      message: { channel: 'C1', ts: '1' },
    });

    await rollbackDeployment(h.deps, WEB, 'dave');

    const closed = approvals.approvals.get(String(request.approvalId));
    expect(closed?.status).toBe('expired');
    expect(closed?.execution?.detail).toMatch(/was rolled back .*Nothing was applied/);
    expect(chat.some((c) => c.startsWith('update expired'))).toBe(true);
    expect(chat.some((c) => c.startsWith('reply') && c.includes('Nothing was applied'))).toBe(true);
  });

  it('an approval whose deployment a person took over is closed: its steps stopped, approving would apply nothing', async () => {
    const h = harness(PROGRESSIVE);
    const approvals = new FakeApprovals();
    (h as { deps: Harness['deps'] }).deps = { ...h.deps, approvals: { store: approvals, chat: undefined } };
    const request = await atGate(h);
    await approvals.create({
      approvalId: String(request.approvalId),
      meshName: 'prod',
      action: request.action as Approval['action'],
      title: 't',
      reason: 'r',
      requestedBy: { arn: 'a', label: 'alice' },
      diff: 'd',
      requestedAt: '2026-03-10T10:20:00.000Z',
      expiresAt: '2026-03-11T10:20:00.000Z',
      status: 'pending',
    });

    await person(h, { 'web-v1': 70, 'web-v2': 30 });

    expect(approvals.approvals.get(String(request.approvalId))).toMatchObject({
      status: 'expired',
      execution: { detail: expect.stringMatching(/taken over by alice.*Nothing was applied/) },
    });
    expect(h.store.records.get(WEB)?.deployment?.status).toBe('in-progress');
  });

  it('`deployments promote` does not skip the approval gate: refused without --force, and --force only where the policy allows it', async () => {
    const gated = harness(PROGRESSIVE);
    await atGate(gated);
    const allowed = harness(
      PROGRESSIVE.replace(
        '          progressive:',
        '          allowForcePromote: true\n          progressive:',
      ),
    );
    await atGate(allowed);

    const plain = await promoteDeployment(gated.deps, WEB, 'dave').catch((e: unknown) => e);
    const forcedNotAllowed = await promoteDeployment(gated.deps, WEB, 'dave', true).catch((e: unknown) => e);
    const forced = await promoteDeployment(allowed.deps, WEB, 'dave', true);

    expect(String(plain)).toMatch(/requires a Slack approval before the last step/);
    expect(String(forcedNotAllowed)).toMatch(/policy does not allow it/);
    expect(gated.mesh.weights(WEB)).toEqual({ 'web-v1': 50, 'web-v2': 50 });
    expect(forced.deployment?.status).toBe('promoted');
    expect(allowed.published.at(-1)).toMatchObject({
      detailType: 'DeploymentPromoted',
      detail: { by: 'dave', forced: true, skippedGate: 'approvalBeforeLastStep' },
    });
  });

  it('two alarms firing together roll back once and notify once', async () => {
    const h = harness();
    await seen(h);
    await person(h, { 'web-v1': 80, 'web-v2': 20 });
    const latency = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-p99-latency';
    h.tags.set(ALARM_ARN, WEB);
    h.tags.set(latency, WEB);

    await Promise.all([
      onAlarmStateChange(h.deps, alarmEvent({ id: 'a' })),
      onAlarmStateChange(h.deps, alarmEvent({ id: 'b', name: 'web-p99-latency' })),
    ]);

    expect(h.mesh.calls.filter((c) => c === 'UpdateRoute')).toHaveLength(1);
    expect(h.published.filter((e) => e.detailType === 'DeploymentRolledBack')).toHaveLength(1);
    expect(h.notified.filter((n) => n.kind === 'rollback')).toHaveLength(1);
  });
});

describe('a write that raced a person’s is judged again', () => {
  it('a step whose write raced a person’s change leaves the person’s weights to win', async () => {
    const h = harness(PROGRESSIVE);
    h.alarms.push(alarmInfo('OK', 'web-5xx-rate'));
    await seen(h, { 'web-v1': 100, 'web-v2': 0 });
    await person(h, { 'web-v1': 90, 'web-v2': 10 });
    const next = h.scheduled.at(-1);
    if (next === undefined) throw new Error('nothing scheduled');
    // A person's write lands between the step's read and its write (so App Mesh returns
    // read + 2), and the person writes again right after: the re-read finds their weights.
    h.mesh.beforeWrite = () => h.mesh.put(WEB, { 'web-v1': 60, 'web-v2': 40 });
    const original = h.deps.routes.readRoute;
    let reads = 0;
    (h.deps.routes as { readRoute: typeof original }).readRoute = async (ref) => {
      reads++;
      if (reads === 2) h.mesh.put(WEB, { 'web-v1': 60, 'web-v2': 40 });
      return original(ref);
    };

    const result = await onStep(h.deps, next.step, 'exec-raced');

    expect(result.kind).toBe('person-won');
    expect(h.store.records.get(WEB)?.lastWeights).toEqual({ 'web-v1': 90, 'web-v2': 10 });
  });

  it('a rollback whose write raced a person’s shift reads again and writes until the route is safe', async () => {
    const h = harness();
    await seen(h);
    await person(h, { 'web-v1': 80, 'web-v2': 20 });
    h.tags.set(ALARM_ARN, WEB);
    // Between the rollback's read and its write, a person shifts (and adds web-v3): App Mesh
    // has no conditional write, so the rollback's whole spec lands on top of theirs...
    h.mesh.beforeWrite = () => h.mesh.put(WEB, { 'web-v1': 50, 'web-v2': 20, 'web-v3': 30 });
    h.mesh.calls.length = 0;

    const outcomes = await onAlarmStateChange(h.deps, alarmEvent());

    // ...and the returned version (read + 2) tells: read again, web-v3 is gone, the route is safe.
    expect(outcomes[0]?.result.kind).toBe('rolled-back');
    expect(h.mesh.calls.filter((c) => c === 'DescribeRoute')).toHaveLength(2);
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 100, 'web-v2': 0 });
    expect(
      h.store.records
        .get(WEB)
        ?.deployment?.notes.map((n) => n.text)
        .join('\n'),
    ).toMatch(/Another write raced the rollback/);
  });
});
