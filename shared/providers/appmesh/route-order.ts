/**
 * The order in which App Mesh (Envoy, as App Mesh configures it) tries the routes of a virtual
 * router: routes with a priority first, 0 (highest) to 1000; then routes without one, most
 * specific first as App Mesh sorts them (an exact path before any prefix, a longer prefix before
 * a shorter one, then more header, method and query conditions before fewer); ties by route name, so the order is deterministic. The translation and the
 * App Mesh evaluator both use it: it is the one statement of App Mesh's order.
 */
import type { MeshResourceOf } from './model';

type Route = MeshResourceOf<'route'>;

/** How specific a route's match is, for routes without a priority: longer is more specific. */
function specificity(route: Route): number {
  const http = route.spec.httpRoute ?? route.spec.http2Route;
  if (http !== undefined) {
    if (http.match.path?.exact !== undefined) return 1_000_000 + http.match.path.exact.length;
    if (http.match.path?.regex !== undefined) return 500_000 + http.match.path.regex.length;
    return http.match.prefix?.length ?? 0;
  }
  const grpc = route.spec.grpcRoute;
  if (grpc !== undefined) {
    if (grpc.match.methodName !== undefined) return 1_000_000;
    return grpc.match.serviceName?.length ?? 0;
  }
  return 0;
}

/** How many conditions besides the path a route has: at equal path specificity, more conditions go first. */
function conditions(route: Route): number {
  const http = route.spec.httpRoute ?? route.spec.http2Route;
  if (http !== undefined)
    return (
      (http.match.headers?.length ?? 0) +
      (http.match.queryParameters?.length ?? 0) +
      (http.match.method !== undefined ? 1 : 0) +
      (http.match.scheme !== undefined ? 1 : 0)
    );
  return route.spec.grpcRoute?.match.metadata?.length ?? 0;
}

/** The routes of one virtual router in the order App Mesh tries them. */
export function appMeshRouteOrder(routes: readonly Route[]): Route[] {
  return routes
    .map((route) => ({ route, specificity: specificity(route), conditions: conditions(route) }))
    .sort((a, b) => {
      const pa = a.route.spec.priority;
      const pb = b.route.spec.priority;
      if (pa !== undefined && pb !== undefined && pa !== pb) return pa - pb;
      if (pa !== undefined && pb === undefined) return -1;
      if (pa === undefined && pb !== undefined) return 1;
      if (pa === undefined && a.specificity !== b.specificity) return b.specificity - a.specificity;
      if (pa === undefined && a.conditions !== b.conditions) return b.conditions - a.conditions;
      return a.route.name < b.route.name ? -1 : a.route.name > b.route.name ? 1 : 0;
    })
    .map(({ route }) => route);
}
