/**
 * The WeightedRoutes port on App Mesh, wrapping what the guard had before the port: one
 * DescribeRoute through the RouteReader, one whole-spec UpdateRoute through the MeshProvider
 * (whose own-write recording makes the write last known good). App Mesh behaviour is
 * unchanged: the same calls, the same client tokens, the same version check.
 */

import { weightsOf, withWeights } from '../../deployments/weights';
import type { AppMeshRouteId, RouteRef, WeightedRoute, Weights } from '../../domain/weighted-route';
import { BadRequestError } from '../../errors';
import type { MeshProvider, RouteReader, WeightedRoutes } from '../../ports';
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
