import { ConflictError, ThrottledError } from '../errors';
import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import { clientTokenFor, planRollback } from './decide';
import type { GuardDeps, RetryOptions } from './deps';
import { deploymentEvent, deploymentNotification, rollbackNotification, rolledBackEvent } from './events';
import {
  type Deployment,
  isGuarded,
  type RollbackReason,
  type RouteRecord,
  type Weights,
  withNote,
} from './model';
import { formatWeights } from './weights';

/** How a rollback ended. */
export type RollbackResult =
  | { readonly kind: 'rolled-back'; readonly wrote: boolean; readonly record: RouteRecord }
  | { readonly kind: 'ended'; readonly reason: string; readonly record: RouteRecord }
  | { readonly kind: 'skipped'; readonly why: string };

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Retry a throttled call with exponential backoff and jitter, on top of the SDK's adaptive
 * retry: a rollback is worth waiting for. The last failure is rethrown.
 */
export async function retryThrottled<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? sleepFor;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof ThrottledError) || attempt >= options.attempts) throw error;
      const delay = options.baseDelayMs * 2 ** (attempt - 1);
      await sleep(delay / 2 + Math.random() * (delay / 2));
    }
  }
}

function reasonText(reason: RollbackReason): string {
  switch (reason.kind) {
    case 'alarm':
      return `alarm ${reason.alarmName} ALARM at ${reason.stateChangedAt}: ${reason.stateReason}`;
    case 'step-check':
      return `alarm ${reason.alarmName} in ALARM before the next step: ${reason.stateReason}`;
    case 'target-deleted':
      return `canary target ${reason.virtualNode} was deleted`;
    case 'abort':
      return `aborted by ${reason.by}${reason.note === undefined ? '' : `: ${reason.note}`}`;
    case 'approval-rejected':
      return `last step rejected by ${reason.by}`;
  }
}

/** Apply `change` to the stored record of the same deployment, re-reading on a conflict. */
export async function saveDeployment(
  deps: GuardDeps,
  record: RouteRecord,
  deploymentId: string,
  change: (r: RouteRecord, d: Deployment) => RouteRecord,
): Promise<RouteRecord> {
  let current = record;
  for (let attempt = 0; ; attempt++) {
    const d = current.deployment;
    if (d === undefined || d.deploymentId !== deploymentId) return current;
    try {
      return await deps.store.save(change(current, d));
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 4) throw error;
      const fresh = await deps.store.get(record.routeKey);
      if (fresh === undefined) throw error;
      current = fresh;
    }
  }
}

/**
 * Roll a deployment back: record the decision first (a conditional write, so two events never
 * both roll back, and the decision survives a failed write), read the route, give every weight
 * to the stable target keeping the rest of the spec, write it with a clientToken derived from
 * the event, then mark it done, publish `DeploymentRolledBack` and notify. A write that still
 * fails after the retries is rethrown with the record left `rolling-back`, so the retried
 * event (or the next alarm) finishes it.
 */
export async function rollBack(
  deps: GuardDeps,
  record: RouteRecord,
  reason: RollbackReason,
  startedAt: number = Date.now(),
): Promise<RollbackResult> {
  const deployment = record.deployment;
  if (deployment === undefined) return { kind: 'skipped', why: 'no deployment' };
  const now = deps.now();
  if (!isGuarded(deployment, now)) return { kind: 'skipped', why: `deployment is ${deployment.status}` };
  const at = now.toISOString();
  const name = {
    meshName: record.meshName,
    virtualRouterName: record.virtualRouterName,
    routeName: record.routeName,
  };
  const claim = async (): Promise<RouteRecord> => {
    if (deployment.status === 'rolling-back') return record;
    const { next: _next, ...progress } = deployment.progress ?? { steps: [], bakeMinutes: [], stepIndex: -1 };
    const claimed: Deployment = {
      ...withNote(deployment, at, `Rolling back: ${reasonText(reason)}`),
      status: 'rolling-back',
      rollback: { ...reason, decidedAt: at },
      ...(deployment.progress === undefined ? {} : { progress }),
    };
    return deps.store.save({ ...record, deployment: claimed });
  };
  let claimed: RouteRecord;
  let route: Awaited<ReturnType<GuardDeps['routes']['readRoute']>>;
  try {
    // Independent: record the decision and read the route at once, for speed.
    [claimed, route] = await Promise.all([
      claim(),
      retryThrottled(() => deps.routes.readRoute(name), deps.retry),
    ]);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    // Someone wrote the record first (another alarm, a route change): decide again on what is there now.
    const fresh = await deps.store.get(record.routeKey);
    if (fresh?.deployment?.deploymentId !== deployment.deploymentId)
      return { kind: 'skipped', why: 'a newer deployment replaced it' };
    if (fresh.deployment.status !== 'rolling-back' && !isGuarded(fresh.deployment, now)) {
      return { kind: 'skipped', why: `deployment is ${fresh.deployment.status}` };
    }
    return rollBack(deps, fresh, reason, startedAt);
  }
  const active = claimed.deployment as Deployment;
  const plan = planRollback(active, route);
  if (plan.kind === 'route-gone' || plan.kind === 'stable-missing' || plan.kind === 'unreadable') {
    const why =
      plan.kind === 'route-gone'
        ? 'the route no longer exists'
        : plan.kind === 'stable-missing'
          ? `the stable target ${active.stableTarget} is no longer a target of the route`
          : 'the route lists one virtual node twice';
    const saved = await saveDeployment(deps, claimed, active.deploymentId, (r, d) => ({
      ...r,
      ...(plan.kind === 'route-gone' ? { lastWeights: undefined } : {}),
      deployment: {
        ...withNote(d, at, `Cannot roll back: ${why}`),
        status: 'ended',
        ended: { at, reason: `cannot roll back: ${why}` },
      },
    }));
    const ended = saved.deployment as Deployment;
    await deps.publisher.publish([
      deploymentEvent(MESHWARDEN_DETAIL_TYPES.deploymentEnded, saved, ended, { reason: ended.ended?.reason }),
    ]);
    await deps.notifier.notify(
      deploymentNotification(
        saved,
        ended,
        `Could not roll back ${saved.routeKey}: ${why}. ${reasonText(reason)}.`,
      ),
    );
    return { kind: 'ended', reason: why, record: saved };
  }
  let before: Weights | undefined = plan.kind === 'write' ? plan.before : plan.weights;
  const after: Weights = plan.kind === 'write' ? plan.after : plan.weights;
  if (plan.kind === 'write' && route !== undefined) {
    const eventId = reason.eventId;
    try {
      await retryThrottled(
        () =>
          deps.meshes.update(
            { ...route, spec: plan.spec },
            {
              clientToken: clientTokenFor('rollback', eventId, active.deploymentId),
              ownWrite: { purpose: 'rollback', cause: eventId },
            },
          ),
        deps.retry,
      );
    } catch (error) {
      deps.telemetry.rollbackFailed(
        record.routeKey,
        error instanceof Error ? error : new Error(String(error)),
      );
      throw error;
    }
  } else {
    before = record.lastWeights;
  }
  const done = new Date().toISOString();
  const saved = await saveDeployment(deps, claimed, active.deploymentId, (r, d) => ({
    ...r,
    lastWeights: after,
    observedAt: done,
    deployment: {
      ...withNote(
        d,
        done,
        plan.kind === 'write'
          ? `Rolled back: ${formatWeights(before)} -> ${formatWeights(after)}`
          : 'All weight was already on the stable target',
      ),
      status: 'rolled-back',
      ...(d.rollback === undefined ? {} : { rollback: { ...d.rollback, completedAt: done } }),
    },
  }));
  deps.telemetry.rolledBack(record.routeKey, Date.now() - startedAt);
  const rolled = saved.deployment as Deployment;
  await deps.publisher.publish([rolledBackEvent(saved, rolled, before, after)]);
  await deps.notifier.notify(rollbackNotification(saved, rolled, after));
  return { kind: 'rolled-back', wrote: plan.kind === 'write', record: saved };
}
