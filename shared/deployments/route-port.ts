/**
 * Which WeightedRoutes port serves a route: App Mesh's wraps the guard's RouteReader and
 * MeshProvider; every other provider is one entry of `deps.providers`, wired by the handler.
 */
import { parseRouteId, type RouteId, type RouteRef } from '../domain/weighted-route';
import { ConfigError } from '../errors';
import type { WeightedRoutes } from '../ports';
import { appMeshWeightedRoutes } from '../providers/appmesh/weighted-routes';
import type { GuardDeps } from './deps';
import type { RouteRecord } from './model';

/** The port that reads and writes this route's weights. */
export function weightedRoutesFor(deps: GuardDeps, id: RouteId): WeightedRoutes {
  if (id.provider === 'appmesh') return appMeshWeightedRoutes(deps.routes, deps.meshes);
  const provider = deps.providers?.[id.provider];
  if (provider === undefined)
    throw new ConfigError(
      `the deployment guard governs no ${id.provider} service network: configure it in the policy (provider: ${id.provider}, serviceNetwork: NAME)`,
    );
  return provider;
}

/**
 * A record's name fields for a route id (see RouteRecord): App Mesh's own, or for a Lattice
 * rule its service network, service and `<listener>/<rule>`.
 */
export function recordNamesOf(
  id: RouteId,
): Pick<RouteRecord, 'meshName' | 'virtualRouterName' | 'routeName'> {
  return id.provider === 'appmesh'
    ? { meshName: id.meshName, virtualRouterName: id.virtualRouterName, routeName: id.routeName }
    : { meshName: id.serviceNetwork, virtualRouterName: id.service, routeName: `${id.listener}/${id.rule}` };
}

/** The route a record is about: its id from its key, and the ARN last seen (one-call reads). */
export function routeRefOf(record: Pick<RouteRecord, 'routeKey' | 'routeArn'>): RouteRef {
  return { id: parseRouteId(record.routeKey), arn: record.routeArn };
}
