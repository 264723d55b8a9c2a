import { type DecisionRefusalReason, loadStoredDecision } from '../approvals/verified-decision';
import type { WeightedRoute, WeightedRouteWrite } from '../domain/weighted-route';
import type { ApprovalDecidedEvent } from '../events/approvals';
import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import type { AlarmInfo, StepInvocation, WeightedRoutes } from '../ports';
import { recordApprovalApplied } from './approvals';
import { clientTokenFor, decideStep, planNextStep, promote, shortHash, stepWeights } from './decide';
import type { GuardDeps } from './deps';
import { deploymentEvent, deploymentNotification } from './events';
import type { Weights } from './model';
import { type Deployment, type ProgressState, type RouteRecord, withNote } from './model';
import { type RollbackResult, rollBack, saveDeployment } from './rollback';
import { type RoutePolicy, routePolicyOf } from './route-policy';
import { routeRefOf, weightedRoutesFor } from './route-port';
import { formatWeights, sameWeights } from './weights';

/** How long a step waits before checking again when a bound alarm has no data. */
export const INSUFFICIENT_DATA_RECHECK_MINUTES = 1;
/** How long a step waits on INSUFFICIENT_DATA when the policy does not say (`progressive.waitDeadlineMinutes`). */
export const DEFAULT_WAIT_DEADLINE_MINUTES = 60;
/** How long an approval request stays open. */
export const APPROVAL_TTL_HOURS = 24;

export type StepResult =
  | { readonly kind: 'stale' | 'waiting' | 'approval-requested' | 'person-won'; readonly why: string }
  /** An approval event that no stored, person-made decision backs: nothing was done. */
  | { readonly kind: 'refused'; readonly why: string; readonly reason: DecisionRefusalReason }
  | { readonly kind: 'stepped' | 'promoted'; readonly toWeight: number }
  | { readonly kind: 'rolled-back'; readonly result: RollbackResult };

/**
 * The route keys whose bound alarms guard a deployment: its own route's, and those of the
 * routes it also watches (a migration shift: the VPC Lattice rule serving the bridge).
 */
export function guardingRouteKeys(routeKey: string, deployment: Deployment | undefined): string[] {
  return [...new Set([routeKey, ...(deployment?.watches ?? [])])];
}

/**
 * Every alarm bound to a route: the policy's, the configuration's, and those tagged for it;
 * with `deployment`, also every alarm bound so to the routes it watches.
 */
export async function boundAlarms(
  deps: GuardDeps,
  routeKey: string,
  policy: RoutePolicy,
  deployment?: Deployment,
): Promise<AlarmInfo[]> {
  const keys = guardingRouteKeys(routeKey, deployment);
  const named = [
    ...policy.alarms,
    ...keys.filter((k) => k !== routeKey).flatMap((k) => routePolicyOf(deps.policy, k).alarms),
    ...deps.staticBindings.filter((b) => keys.includes(b.routeKey)).map((b) => b.alarmName),
  ];
  const [described, ...tagged] = await Promise.all([
    named.length === 0 ? Promise.resolve([]) : deps.alarms.describe([...new Set(named)]),
    ...keys.map((k) => deps.alarms.taggedFor(k)),
  ]);
  const byArn = new Map<string, AlarmInfo>();
  for (const alarm of [...described, ...tagged.flat()]) byArn.set(alarm.arn, alarm);
  return [...byArn.values()];
}

/**
 * Neither provider has a conditional write: where the provider's version shows someone wrote
 * between the read and the write (App Mesh: the written version is not the one read + 1),
 * read again and judge again. Returns why the write does not stand (the route no longer has
 * the written weights: a person's change is there now, its CloudTrail event rebaselines), or
 * undefined when it does.
 */
export async function racedWrite(
  routes: WeightedRoutes,
  read: WeightedRoute,
  written: WeightedRouteWrite,
  weights: Weights,
): Promise<string | undefined> {
  if (written.followsRead !== false) return undefined;
  const again = await routes.read({ id: read.id, arn: read.arn });
  const now = again?.weights;
  if (now !== undefined && sameWeights(now, weights)) return undefined;
  return `another write raced meshwarden's (read version ${read.version}, wrote ${written.route.version}); the route has ${formatWeights(now)} now`;
}

/** Write the step's weights, record them, plan the next step (or promote at 100). */
async function applyStep(
  deps: GuardDeps,
  record: RouteRecord,
  deployment: Deployment,
  stepIndex: number,
  toWeight: number,
  policy: RoutePolicy,
  eventId: string,
): Promise<StepResult> {
  const ref = routeRefOf(record);
  const routes = weightedRoutesFor(deps, ref.id);
  const route = await routes.read(ref);
  const current = route?.weights;
  if (route === undefined || current === undefined)
    return { kind: 'stale', why: 'the route is gone or unreadable' };
  if (!sameWeights(current, record.lastWeights)) {
    // The CloudTrail event of a person's change has not arrived yet: the person wins, it will rebaseline.
    return {
      kind: 'person-won',
      why: `the route's weights are ${formatWeights(current)}, not what the deployment last set`,
    };
  }
  const weights = stepWeights(deployment, current, toWeight);
  if (weights === undefined)
    return { kind: 'stale', why: 'steps need exactly one canary and the stable target' };
  const written = await routes.writeWeights(route, weights, {
    clientToken: clientTokenFor(`step-${stepIndex}`, eventId, deployment.deploymentId),
    ownWrite: { purpose: 'step', cause: eventId },
  });
  const raced = await racedWrite(routes, route, written, weights);
  if (raced !== undefined) return { kind: 'person-won', why: raced };
  const at = deps.now().toISOString();
  const last = toWeight === 100;
  const saved = await saveDeployment(deps, record, deployment.deploymentId, (r, d) => {
    const progress: ProgressState = { ...(d.progress ?? { steps: [], bakeMinutes: [] }), stepIndex };
    const { next: _next, approvalId: _a, waitingSince: _w, ...rest } = progress;
    const stepped: Deployment = {
      ...withNote(d, at, `Step ${stepIndex + 1}: ${formatWeights(weights)}`, weights),
      status: 'in-progress',
      baseline: weights,
      progress: rest,
    };
    if (last)
      return {
        ...r,
        lastWeights: weights,
        observedAt: at,
        deployment: promote(stepped, at, policy.rollbackWindowMinutes, 'Last step done: promoted'),
      };
    const next = planNextStep(rest, d.deploymentId, at);
    return {
      ...r,
      lastWeights: weights,
      observedAt: at,
      deployment: { ...stepped, progress: next === undefined ? rest : { ...rest, next } },
    };
  });
  const updated = saved.deployment as Deployment;
  const next = updated.progress?.next;
  if (next !== undefined) {
    await deps.scheduler.schedule(
      {
        routeKey: record.routeKey,
        deploymentId: updated.deploymentId,
        stepIndex: next.stepIndex,
        token: next.token,
      },
      new Date(next.dueAt),
    );
  }
  if (last) await recordApprovalApplied(deps, saved, deployment.progress?.approvalId, formatWeights(weights));
  await deps.publisher.publish([
    deploymentEvent(
      last ? MESHWARDEN_DETAIL_TYPES.deploymentPromoted : MESHWARDEN_DETAIL_TYPES.deploymentUpdated,
      saved,
      updated,
      { change: 'stepped', toWeight },
    ),
  ]);
  return last ? { kind: 'promoted', toWeight } : { kind: 'stepped', toWeight };
}

async function checkAndStep(
  deps: GuardDeps,
  record: RouteRecord,
  step: { stepIndex: number; token: string; approved: boolean },
  eventId: string,
): Promise<StepResult> {
  const deployment = record.deployment as Deployment;
  const policy = routePolicyOf(deps.policy, record.routeKey);
  const alarms = await boundAlarms(deps, record.routeKey, policy, deployment);
  const decision = decideStep(deployment, step, alarms, policy, deps.now());
  const at = deps.now().toISOString();
  switch (decision.kind) {
    case 'stale':
      return { kind: 'stale', why: decision.why };
    case 'rollback':
      return {
        kind: 'rolled-back',
        result: await rollBack(deps, record, {
          kind: 'step-check',
          alarmName: decision.alarm.name,
          stateReason: decision.alarm.stateReason,
          eventId,
        }),
      };
    case 'wait': {
      const deadlineMinutes = policy.progressive?.waitDeadlineMinutes ?? DEFAULT_WAIT_DEADLINE_MINUTES;
      const since = deployment.progress?.waitingSince ?? at;
      const deadline = new Date(Date.parse(since) + deadlineMinutes * 60_000).toISOString();
      const wayOut = `meshwarden deployments promote ${record.routeKey} (or rollback ${record.routeKey})`;
      if (Date.parse(at) >= Date.parse(deadline)) {
        // The deadline passed: stop waiting, keep the weights as they are, and tell people
        // what they can do; nothing waits on a schedule any more.
        const text = `Stopped waiting at ${at}: ${decision.alarms.join(', ')} had no data for ${deadlineMinutes} minutes (since ${since}); automatic steps stopped at ${formatWeights(record.lastWeights)}. Way out: ${wayOut}`;
        const saved = await saveDeployment(deps, record, deployment.deploymentId, (r, d) => {
          const {
            next: _n,
            waitingSince: _w,
            ...progress
          } = d.progress ?? {
            steps: [],
            bakeMinutes: [],
            stepIndex: -1,
          };
          return { ...r, deployment: { ...withNote(d, at, text), progress: { ...progress, paused: text } } };
        });
        await deps.notifier.notify(deploymentNotification(saved, saved.deployment as Deployment, text));
        return { kind: 'stale', why: text };
      }
      const saved = await saveDeployment(deps, record, deployment.deploymentId, (r, d) => {
        const progress = d.progress ?? { steps: [], bakeMinutes: [], stepIndex: -1 };
        const dueAt = new Date(Date.parse(at) + INSUFFICIENT_DATA_RECHECK_MINUTES * 60_000).toISOString();
        const next = {
          stepIndex: step.stepIndex,
          dueAt,
          token: shortHash(`${d.deploymentId}:${step.stepIndex}:${at}:wait`, 24),
        };
        return {
          ...r,
          deployment: {
            ...withNote(d, at, `Waiting: no data from ${decision.alarms.join(', ')} (until ${deadline})`),
            progress: { ...progress, next, waitingSince: since },
          },
        };
      });
      const next = saved.deployment?.progress?.next;
      if (next !== undefined) {
        await deps.scheduler.schedule(
          {
            routeKey: record.routeKey,
            deploymentId: deployment.deploymentId,
            stepIndex: next.stepIndex,
            token: next.token,
          },
          new Date(next.dueAt),
        );
      }
      if (deployment.progress?.waitingSince === undefined) {
        await deps.notifier.notify(
          deploymentNotification(
            saved,
            saved.deployment as Deployment,
            `Step ${step.stepIndex + 1} waits: ${decision.alarms.join(', ')} have no data (INSUFFICIENT_DATA). Checked every minute until ${deadline}; then automatic steps stop. Way out now: ${wayOut}`,
          ),
        );
      }
      return { kind: 'waiting', why: `INSUFFICIENT_DATA: ${decision.alarms.join(', ')} (until ${deadline})` };
    }
    case 'request-approval': {
      const approvalId = `deploy-${shortHash(`${deployment.deploymentId}:${step.stepIndex}`, 32)}`;
      const saved = await saveDeployment(deps, record, deployment.deploymentId, (r, d) => {
        const { next: _next, ...progress } = d.progress ?? { steps: [], bakeMinutes: [], stepIndex: -1 };
        return {
          ...r,
          deployment: {
            ...withNote(d, at, `Waiting for approval to go to ${decision.toWeight}%`),
            status: 'awaiting-approval',
            progress: { ...progress, approvalId },
          },
        };
      });
      const waiting = saved.deployment as Deployment;
      await deps.publisher.publish([
        {
          detailType: MESHWARDEN_DETAIL_TYPES.approvalRequested,
          detail: {
            approvalId,
            meshName: record.meshName,
            action: {
              type: 'promote-deployment',
              routeKey: record.routeKey,
              deploymentId: deployment.deploymentId,
              toWeight: decision.toWeight,
            },
            title: `Promote ${record.routeKey} to ${decision.toWeight}%`,
            reason: `Deployment ${deployment.deploymentId} reached its approval gate before the last step`,
            requestedBy: deployment.startedBy,
            diff: `${formatWeights(record.lastWeights)} -> ${deployment.canaryTargets[0] ?? 'canary'} ${decision.toWeight}`,
            expiresAt: new Date(Date.parse(at) + APPROVAL_TTL_HOURS * 3_600_000).toISOString(),
          },
        },
        deploymentEvent(MESHWARDEN_DETAIL_TYPES.deploymentUpdated, saved, waiting, {
          change: 'approval-requested',
          approvalId,
        }),
      ]);
      return { kind: 'approval-requested', why: approvalId };
    }
    case 'apply':
      return applyStep(deps, record, deployment, step.stepIndex, decision.toWeight, policy, eventId);
  }
}

/** A scheduled step fired: check the bound alarms, then step, wait, ask, or roll back. */
export async function onStep(deps: GuardDeps, step: StepInvocation, eventId: string): Promise<StepResult> {
  const record = await deps.store.get(step.routeKey);
  if (record?.deployment?.deploymentId !== step.deploymentId)
    return { kind: 'stale', why: 'not the route’s current deployment' };
  return checkAndStep(
    deps,
    record,
    { stepIndex: step.stepIndex, token: step.token, approved: false },
    eventId,
  );
}

/**
 * An approval decision on a deployment's last step: approved steps (alarms permitting);
 * rejected rolls back. The event only wakes the guard: it acts on the approval meshwarden
 * stored, decided by a person, and its stored action; anything else is refused, not thrown.
 */
export async function onApprovalDecided(deps: GuardDeps, event: ApprovalDecidedEvent): Promise<StepResult> {
  if (event.detail.action.type !== 'promote-deployment')
    return { kind: 'stale', why: `not a deployment action (${event.detail.action.type})` };
  const verified = await loadStoredDecision(deps.approvals.store, event.detail, 'promote-deployment');
  if (!verified.ok) return { kind: 'refused', why: verified.message, reason: verified.reason };
  const stored = verified.approval;
  const action = stored.action;
  if (action.type !== 'promote-deployment') return { kind: 'stale', why: 'not a deployment action' };
  const record = await deps.store.get(action.routeKey);
  const deployment = record?.deployment;
  if (
    record === undefined ||
    deployment?.deploymentId !== action.deploymentId ||
    deployment.status !== 'awaiting-approval'
  ) {
    return { kind: 'stale', why: 'the deployment is not waiting for this approval' };
  }
  if (deployment.progress?.approvalId !== stored.approvalId)
    return { kind: 'stale', why: 'another approval' };
  const by = stored.decidedBy?.identity ?? 'nobody';
  if (stored.status === 'rejected') {
    return {
      kind: 'rolled-back',
      result: await rollBack(deps, record, { kind: 'approval-rejected', by, eventId: event.id }),
    };
  }
  if (stored.status === 'expired') {
    const at = deps.now().toISOString();
    const text = `The approval of the last step expired; the deployment stays at ${formatWeights(record.lastWeights)}. Way out: meshwarden deployments promote ${record.routeKey} (or rollback ${record.routeKey})`;
    const saved = await saveDeployment(deps, record, deployment.deploymentId, (r, d) => ({
      ...r,
      deployment: withNote(d, at, text),
    }));
    await deps.notifier.notify(deploymentNotification(saved, saved.deployment as Deployment, text));
    return { kind: 'stale', why: 'approval expired' };
  }
  const stepIndex = deployment.progress?.steps.indexOf(action.toWeight) ?? -1;
  const at = deps.now().toISOString();
  // Record the approval first, so a wait after it (no data) does not ask again.
  const approvedRecord = await saveDeployment(deps, record, deployment.deploymentId, (r, d) => ({
    ...r,
    deployment: {
      ...withNote(d, at, `Last step approved by ${by}`),
      status: 'in-progress',
      ...(d.progress === undefined
        ? {}
        : { progress: { ...d.progress, approved: { approvalId: event.detail.approvalId, by } } }),
    },
  }));
  return checkAndStep(deps, approvedRecord, { stepIndex, token: '', approved: true }, event.id);
}
