import { BadRequestError, NotFoundError } from '../errors';
import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import { clientTokenFor, promote, shortHash } from './decide';
import type { GuardDeps } from './deps';
import { deploymentEvent } from './events';
import { type Deployment, isGuarded, type RouteRecord } from './model';
import { type RollbackResult, rollBack, saveDeployment } from './rollback';
import { routePolicyOf } from './route-policy';
import { boundAlarms } from './steps';
import { sameWeights, weightsOf, withWeights } from './weights';

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
 * `meshwarden deployments promote`: a person sends all weight to the canary now, skipping the
 * remaining steps and the approval gate. Refused while a bound alarm is in ALARM unless forced.
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
  const firing = (await boundAlarms(deps, routeKey, policy)).filter((a) => a.state === 'ALARM');
  if (firing.length > 0 && !force) {
    throw new BadRequestError(
      `refused: ${firing.map((a) => a.name).join(', ')} in ALARM (use --force to promote anyway)`,
    );
  }
  const route = await deps.routes.readRoute(record);
  const current = route === undefined ? undefined : weightsOf(route.spec);
  if (route === undefined || current === undefined)
    throw new NotFoundError(`${routeKey} is gone or unreadable`);
  if (!sameWeights(current, record.lastWeights))
    throw new BadRequestError(`${routeKey} changed since meshwarden last saw it; try again`);
  const canary = deployment.canaryTargets[0] as string;
  const weights = Object.fromEntries(Object.keys(current).map((n) => [n, n === canary ? 100 : 0]));
  const at = deps.now().toISOString();
  await deps.meshes.update(
    { ...route, spec: withWeights(route.spec, weights) },
    { clientToken: clientTokenFor('promote', at, deployment.deploymentId) },
  );
  const saved = await saveDeployment(deps, record, deployment.deploymentId, (r, d) => ({
    ...r,
    lastWeights: weights,
    observedAt: at,
    deployment: promote(
      { ...d, baseline: weights },
      at,
      policy.rollbackWindowMinutes,
      `Promoted to 100% by ${by}`,
    ),
  }));
  await deps.publisher.publish([
    deploymentEvent(MESHWARDEN_DETAIL_TYPES.deploymentPromoted, saved, saved.deployment as Deployment, {
      by,
    }),
  ]);
  return saved;
}
