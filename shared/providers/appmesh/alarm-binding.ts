/**
 * How a CloudWatch alarm is bound to an App Mesh route: the `meshwarden:route` tag valued
 * `<mesh>/<virtual-router>/<route>` (names), or a policy `deployments.routes[].route` glob over
 * that key, as ../vpc-lattice/alarm-binding.ts is for a Lattice rule.
 */
import { ROUTE_TAG } from '../../adapters/cloudwatch/alarm-source';
import { type AppMeshRouteId, parseRouteId } from '../../domain/weighted-route';
import { BadRequestError } from '../../errors';

/** The App Mesh route an alarm's route tag names; a clear error for anything else. */
export function appMeshRouteOfTag(value: string): AppMeshRouteId {
  const id = parseRouteId(value);
  if (id.provider !== 'appmesh')
    throw new BadRequestError(
      `${ROUTE_TAG}=${value} names a VPC Lattice rule; an App Mesh route is "<mesh>/<virtual-router>/<route>"`,
    );
  return id;
}
