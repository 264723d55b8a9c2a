/**
 * How a CloudWatch alarm is bound to a VPC Lattice route: the same `meshwarden:route` tag as
 * on App Mesh, valued `<service-network>/<service>/<listener>/<rule>` (names; `default` for a
 * listener's default action), or a policy `deployments.routes[].route` glob over that key
 * (`*` crosses `/`, so `shop/web/*` covers every rule of service `web` in network `shop`).
 */
import { ROUTE_TAG } from '../../adapters/cloudwatch/alarm-source';
import { formatRouteId, type LatticeRouteId, parseRouteId } from '../../domain/weighted-route';
import { BadRequestError } from '../../errors';

/** The alarm tag that binds an alarm to this Lattice rule. */
export function latticeAlarmTag(id: Omit<LatticeRouteId, 'provider'>): { Key: string; Value: string } {
  return { Key: ROUTE_TAG, Value: formatRouteId({ provider: 'vpc-lattice', ...id }) };
}

/** The Lattice rule an alarm's route tag names; a clear error for anything else. */
export function latticeRouteOfTag(value: string): LatticeRouteId {
  const id = parseRouteId(value);
  if (id.provider !== 'vpc-lattice')
    throw new BadRequestError(
      `${ROUTE_TAG}=${value} names an App Mesh route; a VPC Lattice rule is "<service-network>/<service>/<listener>/<rule>"`,
    );
  return id;
}
