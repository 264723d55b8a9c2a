/**
 * The WeightedRoutes port on App Mesh, wrapping what the guard had before the port: one
 * DescribeRoute through the RouteReader, one whole-spec UpdateRoute through the MeshProvider
 * (whose own-write recording makes the write last known good). App Mesh behaviour is
 * unchanged: the same calls, the same client tokens, the same version check. Also here: whether
 * a CloudTrail record's write is still the one the route holds (by App Mesh's versions).
 */

import { weightsOf, withWeights } from '../../deployments/weights';
import {
  type AppMeshRouteId,
  formatRouteId,
  type RouteRef,
  type WeightedRoute,
  type Weights,
} from '../../domain/weighted-route';
import { BadRequestError, MeshwardenError } from '../../errors';
import type { MeshProvider, RouteReader, WeightedRoutes } from '../../ports';
import type { WrittenRoute } from './cloudtrail';
import type { MeshResourceOf } from './model';

type Route = MeshResourceOf<'route'>;

/** The neutral view of an App Mesh route; `raw` is the route resource itself. */
export function appMeshWeightedRoute(route: Route): WeightedRoute {
  const version = route.metadata?.version;
  return {
    id: {
      provider: 'appmesh',
      meshName: route.meshName,
      virtualRouterName: route.parentName ?? '',
      routeName: route.name,
    },
    arn: route.metadata?.arn,
    weights: weightsOf(route.spec),
    version: version === undefined ? undefined : String(version),
    ...(route.tags === undefined ? {} : { tags: route.tags }),
    raw: route,
  };
}

/** The route as read does not show the write its record tells of yet: read it again later. */
export class WriteNotReadYetError extends MeshwardenError {
  constructor(routeKey: string, written: number, read: number) {
    super(
      `${routeKey} reads at version ${read}, before the version ${written} its call wrote; the event is retried`,
    );
    this.name = 'WriteNotReadYetError';
  }
}

/**
 * Whether a later write replaced the one a record tells of, on the route as read. App Mesh
 * counts each resource's writes (version), so the route holds the call's write exactly when it
 * is the same resource (uid) at the version the call's answer reported. A route read behind
 * that version has not caught up with the call; judging it would take an earlier write for this
 * one, so that throws (the event is retried) rather than deciding.
 */
export function replacedSince(written: WrittenRoute, route: WeightedRoute): boolean {
  const read = (route.raw as Route).metadata;
  if (read === undefined) return false;
  if (written.uid !== undefined && read.uid !== written.uid) return true;
  if (read.version < written.version)
    throw new WriteNotReadYetError(formatRouteId(route.id), written.version, read.version);
  return read.version > written.version;
}

function appMeshIdOf(ref: RouteRef): AppMeshRouteId {
  if (ref.id.provider !== 'appmesh')
    throw new BadRequestError(`not an App Mesh route: ${ref.id.provider} route given to the App Mesh routes`);
  return ref.id;
}

/** The App Mesh routes of the guard, over its RouteReader (reads) and MeshProvider (writes). */
export function appMeshWeightedRoutes(
  routes: RouteReader,
  meshes: Pick<MeshProvider, 'update'>,
): WeightedRoutes {
  return {
    async read(ref) {
      const id = appMeshIdOf(ref);
      const route = await routes.readRoute({
        meshName: id.meshName,
        virtualRouterName: id.virtualRouterName,
        routeName: id.routeName,
      });
      return route === undefined ? undefined : appMeshWeightedRoute(route);
    },
    async writeWeights(read, weights: Weights, options) {
      const route = read.raw as Route;
      const written = await meshes.update(
        { ...route, spec: withWeights(route.spec, weights) },
        { ...options, basedOn: route.spec },
      );
      // App Mesh has no conditional write: the version a write returns must be the one read + 1.
      const readVersion = route.metadata?.version;
      const writtenVersion = written.metadata?.version;
      return {
        route: appMeshWeightedRoute(written),
        followsRead:
          readVersion === undefined || writtenVersion === undefined
            ? undefined
            : writtenVersion === readVersion + 1,
      };
    },
  };
}
