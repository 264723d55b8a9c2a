import { BadRequestError, ConflictError, NotFoundError } from '../errors';
import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import { clientTokenFor, promote, shortHash } from './decide';
import type { GuardDeps } from './deps';
import { deploymentEvent } from './events';
import { type Deployment, isGuarded, type RouteRecord } from './model';
import { type RollbackResult, rollBack, saveDeployment } from './rollback';
import { routePolicyOf } from './route-policy';
import { routeRefOf, weightedRoutesFor } from './route-port';
import { boundAlarms, racedWrite } from './steps';
import { sameWeights } from './weights';

async function guardedRecord(
  deps: GuardDeps,
  routeKey: string,
): Promise<RouteRecord & { deployment: Deployment }> {
  const record = await deps.store.get(routeKey);
  const deployment = record?.deployment;
  if (record === undefined || deployment === undefined)
    throw new NotFoundError(`${routeKey} has no deployment`);
  if (!isGuarded(deployment, deps.now()))
    throw new BadRequestError(`the deployment of ${routeKey} is ${deployment.status}`);
  return { ...record, deployment };
}

/** `meshwarden deployments abort`: a person rolls the deployment back now. */
export async function abortDeployment(
  deps: GuardDeps,
  routeKey: string,
  by: string,
  note?: string,
): Promise<RollbackResult> {
  const record = await guardedRecord(deps, routeKey);
  const eventId = `cli-abort-${shortHash(`${record.deployment.deploymentId}:${deps.now().toISOString()}`)}`;
  return rollBack(deps, record, { kind: 'abort', by, note, eventId });
}

/**
 * `meshwarden deployments rollback`: a person rolls the route back to its stable target now,
 * audited like abort. It also finishes a rollback left `rolling-back` (a failed write).
 */
export async function rollbackDeployment(
  deps: GuardDeps,
  routeKey: string,
  by: string,
  note?: string,
): Promise<RollbackResult> {
  const record = await guardedRecord(deps, routeKey);
  const eventId = `cli-rollback-${shortHash(`${record.deployment.deploymentId}:${deps.now().toISOString()}`)}`;
  const resume = record.deployment.status === 'rolling-back';
  return rollBack(deps, record, { kind: 'abort', by, note, eventId }, Date.now(), { resume });
}

/**
 * `meshwarden deployments promote`: a person sends all weight to the canary now, skipping the
 * remaining steps. Never while a bound alarm is in ALARM (no write gives weight to a canary
 * whose alarm fires). Where the policy gates the last step with an approval, only `--force`
 * skips it, only when the policy allows it (`allowForcePromote`), and the event says who.
 */
export async function promoteDeployment(
  deps: GuardDeps,
  routeKey: string,
  by: string,
  force = false,
): Promise<RouteRecord> {
  const record = await guardedRecord(deps, routeKey);
  const deployment = record.deployment;
  if (deployment.status === 'promoted' || deployment.status === 'rolling-back') {
    throw new BadRequestError(`the deployment of ${routeKey} is ${deployment.status}`);
  }
  if (deployment.canaryTargets.length !== 1)
    throw new BadRequestError(
      `${routeKey} has ${deployment.canaryTargets.length} canaries; promote it by hand`,
    );
  const policy = routePolicyOf(deps.policy, routeKey);
  const gated =
    policy.progressive?.approvalBeforeLastStep === true && deployment.progress?.approved === undefined;
  if (gated && !force) {
    throw new BadRequestError(
      `refused: the policy requires a Slack approval before the last step of ${routeKey}; ${deployment.status === 'awaiting-approval' ? 'it waits for that approval in Slack' : 'it is asked for when the deployment reaches its last step'}${policy.allowForcePromote ? ' (or use --force, audited)' : ''}`,
    );
  }
  if (gated && !policy.allowForcePromote) {
    throw new BadRequestError(
      `refused: --force may not skip the approval gate of ${routeKey}: the policy does not allow it (deployments.routes[].allowForcePromote)`,
    );
  }
  const firing = (await boundAlarms(deps, routeKey, policy, deployment)).filter((a) => a.state === 'ALARM');
  if (firing.length > 0) {
    throw new BadRequestError(
      `refused: ${firing.map((a) => a.name).join(', ')} in ALARM; a promotion would send all traffic to a canary whose alarm fires`,
    );
  }
  const ref = routeRefOf(record);
  const routes = weightedRoutesFor(deps, ref.id);
  const route = await routes.read(ref);
  const current = route?.weights;
  if (route === undefined || current === undefined)
    throw new NotFoundError(`${routeKey} is gone or unreadable`);
  if (!sameWeights(current, record.lastWeights))
    throw new BadRequestError(`${routeKey} changed since meshwarden last saw it; try again`);
  const canary = deployment.canaryTargets[0] as string;
  const weights = Object.fromEntries(Object.keys(current).map((n) => [n, n === canary ? 100 : 0]));
  const at = deps.now().toISOString();
  const written = await routes.writeWeights(route, weights, {
    clientToken: clientTokenFor('promote', at, deployment.deploymentId),
    // Recorded as last known good where meshwarden itself writes (the HTTP API's function), as
    // for a rollback; a person's CLI writes with their own credentials and is judged as theirs.
    ownWrite: { purpose: 'promote', cause: `promote-${shortHash(`${deployment.deploymentId}:${at}`)}` },
  });
  const raced = await racedWrite(routes, route, written, weights);
  if (raced !== undefined) throw new ConflictError(`${routeKey}: ${raced}; look at it and try again`);
  const saved = await saveDeployment(deps, record, deployment.deploymentId, (r, d) => ({
    ...r,
    lastWeights: weights,
    observedAt: at,
    deployment: promote(
      { ...d, baseline: weights },
      at,
      policy.rollbackWindowMinutes,
      gated
        ? `Promoted to 100% by ${by} with --force, skipping the approval gate`
        : `Promoted to 100% by ${by}`,
    ),
  }));
  await deps.publisher.publish([
    deploymentEvent(MESHWARDEN_DETAIL_TYPES.deploymentPromoted, saved, saved.deployment as Deployment, {
      by,
      ...(gated ? { forced: true, skippedGate: 'approvalBeforeLastStep' } : {}),
    }),
  ]);
  return saved;
}
