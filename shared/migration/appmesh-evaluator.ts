/**
 * Which virtual nodes App Mesh sends a request to, as Envoy does with the configuration App Mesh
 * gives it: the routes of the router in App Mesh's match order, the first whose match takes the
 * request wins, and its weighted targets share the traffic. Written from App Mesh's semantics
 * only (it never looks at the plan), so comparing it with the Lattice evaluator tests the
 * translation rather than restating it.
 */
import type { HeaderMatch, MeshResourceOf } from '../providers/appmesh/model';
import { appMeshRouteOrder } from '../providers/appmesh/route-order';
import type { SimulatedRequest } from './plan-model';

type Route = MeshResourceOf<'route'>;

/** Shares of the traffic per target (virtual node or target group), summing to 1; empty when all weights are 0. */
export type Shares = Readonly<Record<string, number>>;

export function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** Envoy's header matcher: a missing header matches only when inverted; otherwise the match, then the inversion. */
function headerMatches(h: HeaderMatch, headers: Readonly<Record<string, string>>): boolean {
  const value = headerValue(headers, h.name);
  if (value === undefined) return h.invert === true;
  const m = h.match;
  let matched: boolean;
  if (m === undefined) matched = true;
  else if ('exact' in m) matched = value === m.exact;
  else if ('prefix' in m) matched = value.startsWith(m.prefix);
  else if ('suffix' in m) matched = value.endsWith(m.suffix);
  else if ('regex' in m) matched = fullMatch(m.regex, value);
  else {
    const n = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
    matched = n >= m.range.start && n < m.range.end;
  }
  return h.invert === true ? !matched : matched;
}

const regexCache = new Map<string, RegExp | null>();
function fullMatch(pattern: string, value: string): boolean {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch {
      re = null;
    }
    regexCache.set(pattern, re);
  }
  return re?.test(value) ?? false;
}

/** True when the route takes the request (port already chosen by the caller). */
export function appMeshRouteMatches(route: Route, request: SimulatedRequest): boolean {
  const spec = route.spec;
  const http = spec.httpRoute ?? spec.http2Route;
  if (http !== undefined) {
    const m = http.match;
    if (m.port !== undefined && m.port !== request.port) return false;
    if (m.path?.exact !== undefined && request.path !== m.path.exact) return false;
    if (m.path?.regex !== undefined && !fullMatch(m.path.regex, request.path)) return false;
    if (m.path === undefined && m.prefix !== undefined && !request.path.startsWith(m.prefix)) return false;
    if (m.method !== undefined && request.method !== m.method) return false;
    // The simulated requests carry no query string and arrive over plain HTTP at the proxy.
    if (m.queryParameters !== undefined && m.queryParameters.length > 0) return false;
    if (m.scheme !== undefined && m.scheme !== 'http') return false;
    return (m.headers ?? []).every((h) => headerMatches(h, request.headers));
  }
  const grpc = spec.grpcRoute;
  if (grpc !== undefined) {
    const m = grpc.match;
    if (m.port !== undefined && m.port !== request.port) return false;
    if (m.serviceName !== undefined) {
      if (m.methodName !== undefined) {
        if (request.path !== `/${m.serviceName}/${m.methodName}`) return false;
      } else if (!request.path.startsWith(`/${m.serviceName}/`)) return false;
    }
    return (m.metadata ?? []).every((h) => headerMatches(h, request.headers));
  }
  return false;
}

/** Weighted targets as shares per key, aggregating repeated keys. */
export function sharesOf(targets: readonly { readonly key: string; readonly weight: number }[]): Shares {
  const total = targets.reduce((sum, t) => sum + t.weight, 0);
  const shares: Record<string, number> = {};
  if (total <= 0) return shares;
  for (const t of targets) if (t.weight > 0) shares[t.key] = (shares[t.key] ?? 0) + t.weight / total;
  return shares;
}

/** A router's routes on one listener port, ordered once, to evaluate many requests. */
export class AppMeshRouterEvaluator {
  private readonly ordered: readonly Route[];

  constructor(routes: readonly Route[], port: number, singleListener: boolean) {
    this.ordered = appMeshRouteOrder(routes).filter((r) => {
      if (r.spec.tcpRoute !== undefined) return false;
      const matchPort = (r.spec.httpRoute ?? r.spec.http2Route)?.match.port ?? r.spec.grpcRoute?.match.port;
      return matchPort === undefined || matchPort === port || singleListener;
    });
  }

  /** The route that takes the request, or undefined (App Mesh answers 404). */
  route(request: SimulatedRequest): Route | undefined {
    return this.ordered.find((r) =>
      appMeshRouteMatches(r, { ...request, port: routePortOf(r) ?? request.port }),
    );
  }

  /** Shares per virtual node, or null when no route takes the request. */
  evaluate(request: SimulatedRequest): { readonly route: Route; readonly shares: Shares } | null {
    const route = this.route(request);
    if (route === undefined) return null;
    const action = (route.spec.httpRoute ?? route.spec.http2Route ?? route.spec.grpcRoute)?.action;
    return {
      route,
      shares: sharesOf(
        (action?.weightedTargets ?? []).map((t) => ({ key: t.virtualNode, weight: t.weight })),
      ),
    };
  }
}

// A route's port match was applied when the router's routes were filtered per listener: with one
// listener App Mesh needs no port match, so a route naming the port matches on that listener.
function routePortOf(route: Route): number | undefined {
  return (route.spec.httpRoute ?? route.spec.http2Route)?.match.port ?? route.spec.grpcRoute?.match.port;
}
