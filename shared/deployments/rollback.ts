import type { WeightedRoute } from '../domain/weighted-route';
import { ConflictError, ThrottledError } from '../errors';
import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import type { WeightedRoutes } from '../ports';
import { closeApprovalsOf } from './approvals';
import { clientTokenFor, planRollback, type RollbackPlan } from './decide';
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
import { routeRefOf, weightedRoutesFor } from './route-port';
import { formatWeights } from './weights';

/** How a rollback ended. */
export type RollbackResult =
  | { readonly kind: 'rolled-back'; readonly wrote: boolean; readonly record: RouteRecord }
  | { readonly kind: 'ended'; readonly reason: string; readonly record: RouteRecord }
  | { readonly kind: 'skipped'; readonly why: string };

/** Options of a rollback. */
export interface RollbackOptions {
  /** Finish a deployment left `rolling-back` (the recovery schedule, `deployments rollback`). */
  readonly resume?: boolean;
}

/** How long a claimed rollback is left to the event that claimed it before another may finish it. */
const IN_FLIGHT_LEASE_MS = 120_000;
/** How often a raced rollback write is checked and written again before it gives up (rethrown). */
const RACE_ATTEMPTS = 3;

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

/** The reason of a rollback in one line, for notes and notices. */
export function reasonText(reason: RollbackReason): string {
  switch (reason.kind) {
    case 'alarm':
      return `alarm ${reason.alarmName} ALARM at ${reason.stateChangedAt}: ${reason.stateReason}`;
    case 'alarm-at-open':
      return `alarm ${reason.alarmName} was already in ALARM when the deployment opened: ${reason.stateReason}`;
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
  options: RollbackOptions = {},
): Promise<RollbackResult> {
  const guarded = record.deployment !== undefined && isGuarded(record.deployment, deps.now());
  // The recovery schedule is made as the rollback starts, not only when its write fails: an
  // invocation that dies (timeout, crash) before it could say so still leaves a route that is
  // retried every minute. Started beside the claim and awaited after the write, so the write
  // does not wait for it; a recovery run that finds every route safe deletes the schedule.
  const recovery =
    guarded && options.resume !== true
      ? deps.scheduler.ensureRecovery().catch(() => undefined)
      : Promise.resolve(undefined);
  try {
    return await rollBackNow(deps, record, reason, startedAt, options);
  } finally {
    await recovery;
  }
}

async function rollBackNow(
  deps: GuardDeps,
  record: RouteRecord,
  reason: RollbackReason,
  startedAt: number,
  options: RollbackOptions,
): Promise<RollbackResult> {
  const deployment = record.deployment;
  if (deployment === undefined) return { kind: 'skipped', why: 'no deployment' };
  const now = deps.now();
  if (!isGuarded(deployment, now)) return { kind: 'skipped', why: `deployment is ${deployment.status}` };
  const inFlight = deployment.status === 'rolling-back' ? deployment.rollback : undefined;
  if (
    inFlight !== undefined &&
    options.resume !== true &&
    inFlight.eventId !== reason.eventId &&
    inFlight.failedAt === undefined &&
    now.getTime() - Date.parse(inFlight.decidedAt) < IN_FLIGHT_LEASE_MS
  ) {
    // One rollback per deployment however many alarms fire: the one that claimed it writes,
    // publishes and notifies; if it fails, it says so and the recovery schedule finishes it.
    return { kind: 'skipped', why: `already rolling back (${reasonText(inFlight)})` };
  }
  const at = now.toISOString();
  const ref = routeRefOf(record);
  const routes = weightedRoutesFor(deps, ref.id);
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
  let route: WeightedRoute | undefined;
  try {
    // Independent: record the decision and read the route at once, for speed.
    [claimed, route] = await Promise.all([claim(), retryThrottled(() => routes.read(ref), deps.retry)]);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    // Someone wrote the record first (another alarm, a route change): decide again on what is there now.
    const fresh = await deps.store.get(record.routeKey);
    if (fresh?.deployment?.deploymentId !== deployment.deploymentId)
      return { kind: 'skipped', why: 'a newer deployment replaced it' };
    if (fresh.deployment.status !== 'rolling-back' && !isGuarded(fresh.deployment, now)) {
      return { kind: 'skipped', why: `deployment is ${fresh.deployment.status}` };
    }
    return rollBack(deps, fresh, reason, startedAt, options);
  }
  const active = claimed.deployment as Deployment;
  const plan = planRollback(active, route);
  if (plan.kind === 'route-gone' || plan.kind === 'stable-missing' || plan.kind === 'unreadable') {
    const why =
      plan.kind === 'route-gone'
        ? 'the route no longer exists'
        : plan.kind === 'stable-missing'
          ? `the stable target ${active.stableTarget} is no longer a target of the route`
          : 'its weighted targets cannot be read (one target listed twice, or no weighted forward any more)';
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
    await closeApprovalsOf(deps, saved, ended, `ended: ${why}`);
    return { kind: 'ended', reason: why, record: saved };
  }
  let before: Weights | undefined = plan.kind === 'write' ? plan.before : plan.weights;
  let after: Weights = plan.kind === 'write' ? plan.after : plan.weights;
  let wrote = false;
  let raced: string | undefined;
  if (plan.kind === 'write' && route !== undefined) {
    try {
      const written = await writeRollback(deps, routes, active, reason.eventId, route, plan, record.routeKey);
      after = written.after;
      raced = written.raced;
      wrote = true;
    } catch (error) {
      await rollbackFailed(
        deps,
        claimed,
        active,
        reason,
        error instanceof Error ? error : new Error(String(error)),
      );
      throw error;
    }
  } else {
    before = record.lastWeights;
  }
  const done = new Date().toISOString();
  let finishedByOther = false;
  const saved = await saveDeployment(deps, claimed, active.deploymentId, (r, d) => {
    // Another invocation finished this rollback meanwhile: it told people; tell them once.
    finishedByOther = d.status === 'rolled-back';
    if (finishedByOther) return r;
    return {
      ...r,
      lastWeights: after,
      observedAt: done,
      deployment: {
        ...withNote(
          raced === undefined ? d : withNote(d, done, raced),
          done,
          wrote
            ? `Rolled back: ${formatWeights(before)} -> ${formatWeights(after)}`
            : 'All weight was already on the stable target',
        ),
        status: 'rolled-back',
        ...(d.rollback === undefined ? {} : { rollback: { ...d.rollback, completedAt: done } }),
      },
    };
  });
  if (finishedByOther) return { kind: 'skipped', why: 'another invocation finished the rollback' };
  deps.telemetry.rolledBack(record.routeKey, Date.now() - startedAt);
  const rolled = saved.deployment as Deployment;
  await deps.publisher.publish([rolledBackEvent(saved, rolled, before, after)]);
  await deps.notifier.notify(rollbackNotification(saved, rolled, after));
  await closeApprovalsOf(deps, saved, rolled, `was rolled back (${reasonText(reason)})`);
  return { kind: 'rolled-back', wrote, record: saved };
}

/**
 * Write the rollback and check it was not raced: App Mesh has no conditional write, so the
 * version it returns must be the one read + 1. Otherwise a person wrote in between (and the
 * whole-spec write replaced theirs): read again and judge again, writing once more while the
 * route still sends traffic away from the stable target. A provider that cannot tell (VPC
 * Lattice answers UpdateRule without a version) is taken at its word; a person's write that
 * came between arrives as its own CloudTrail event and is judged then. Returns the weights
 * the route has.
 */
async function writeRollback(
  deps: GuardDeps,
  routes: WeightedRoutes,
  deployment: Deployment,
  eventId: string,
  route: WeightedRoute,
  plan: Extract<RollbackPlan, { kind: 'write' }>,
  routeKey: string,
): Promise<{ after: Weights; raced?: string }> {
  let read: WeightedRoute = route;
  let raced: string | undefined;
  let after = plan.after;
  for (let attempt = 1; ; attempt++) {
    const current = read;
    const weights = after;
    const written = await retryThrottled(
      () =>
        routes.writeWeights(current, weights, {
          clientToken: clientTokenFor(`rollback-${attempt}`, eventId, deployment.deploymentId),
          ownWrite: { purpose: 'rollback', cause: eventId },
        }),
      deps.retry,
    );
    if (written.followsRead !== false) return { after, ...(raced === undefined ? {} : { raced }) };
    raced = `Another write raced the rollback (read version ${current.version}, wrote version ${written.route.version}): its change was replaced; the route was read again and judged again`;
    const again = await retryThrottled(() => routes.read({ id: current.id, arn: current.arn }), deps.retry);
    const replan = planRollback(deployment, again);
    if (replan.kind !== 'write' || again === undefined)
      return { after: replan.kind === 'already-stable' ? replan.weights : after, raced };
    if (attempt >= RACE_ATTEMPTS)
      throw new ConflictError(`${routeKey} kept changing while it was rolled back`);
    read = again;
    after = replan.after;
  }
}

/**
 * A rollback write failed after its retries: the route still sends traffic to the canary.
 * Tell people at once (the first failure of this rollback: chat, metric, bus event), record
 * it, and make sure the one-minute recovery schedule runs until every route is safe. Each of
 * these is best effort: the write's own error is what the caller rethrows.
 */
async function rollbackFailed(
  deps: GuardDeps,
  claimed: RouteRecord,
  deployment: Deployment,
  reason: RollbackReason,
  error: Error,
): Promise<void> {
  deps.telemetry.rollbackFailed(claimed.routeKey, error);
  const at = deps.now().toISOString();
  const first = deployment.rollback?.failedAt === undefined;
  const effects: Promise<unknown>[] = [
    deps.scheduler.ensureRecovery(),
    saveDeployment(deps, claimed, deployment.deploymentId, (r, d) => ({
      ...r,
      deployment: {
        ...withNote(d, at, `Rollback write failed (${error.name}: ${error.message}); retried every minute`),
        ...(d.rollback === undefined
          ? {}
          : {
              rollback: {
                ...d.rollback,
                failedAt: d.rollback.failedAt ?? at,
                lastError: `${error.name}: ${error.message}`,
              },
            }),
      },
    })),
  ];
  if (first) {
    const text = `Could not roll back ${claimed.routeKey}: ${error.name}: ${error.message}. Traffic still goes to ${deployment.canaryTargets.join(', ')}. meshwarden retries every minute; to act now: meshwarden deployments rollback ${claimed.routeKey}. Why it rolls back: ${reasonText(reason)}.`;
    effects.push(
      deps.publisher.publish([
        deploymentEvent(MESHWARDEN_DETAIL_TYPES.deploymentRollbackFailed, claimed, deployment, {
          reason,
          error: `${error.name}: ${error.message}`,
        }),
      ]),
      deps.notifier.notify({
        ...deploymentNotification(claimed, deployment, text),
        kind: 'rollback',
        title: `Rollback FAILED for ${claimed.routeKey}`,
      }),
    );
  }
  await Promise.allSettled(effects);
}
