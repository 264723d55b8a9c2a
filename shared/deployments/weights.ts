import type { RouteSpec, WeightedTarget } from '../providers/appmesh/model';
import type { Weights } from './model';

/** The protocol members of a route spec, exactly one of which is set. */
const PROTOCOLS = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const;

/** The weighted targets of a route, whatever its protocol. */
export function targetsOf(spec: RouteSpec): readonly WeightedTarget[] {
  for (const protocol of PROTOCOLS) {
    const route = spec[protocol];
    if (route !== undefined) return route.action.weightedTargets;
  }
  return [];
}

/**
 * Weight per virtual node, or undefined when a node appears twice (two ports of one node):
 * such a route cannot be told apart by node names, so the guard leaves it alone.
 */
export function weightsOf(spec: RouteSpec): Weights | undefined {
  const weights: Record<string, number> = {};
  for (const target of targetsOf(spec)) {
    if (Object.hasOwn(weights, target.virtualNode)) return undefined;
    weights[target.virtualNode] = target.weight;
  }
  return weights;
}

/**
 * The same spec with new weights: only `weight` of each target changes, every other member
 * (match, retry policy, timeouts, ports, priority) is kept, because UpdateRoute replaces the
 * whole spec. Targets not named in `weights` get 0.
 */
export function withWeights(spec: RouteSpec, weights: Weights): RouteSpec {
  const reweigh = (targets: readonly WeightedTarget[]) =>
    targets.map((t) => ({ ...t, weight: weights[t.virtualNode] ?? 0 }));
  const out: Record<string, unknown> = { ...spec };
  for (const protocol of PROTOCOLS) {
    const route = spec[protocol];
    if (route !== undefined) {
      out[protocol] = {
        ...route,
        action: { ...route.action, weightedTargets: reweigh(route.action.weightedTargets) },
      };
    }
  }
  return out as RouteSpec;
}

/** True when both name the same nodes with the same weights. */
export function sameWeights(a: Weights | undefined, b: Weights | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/** Share of the total weight (0..100) a node gets; weights need not sum to 100 in App Mesh. */
export function percentOf(weights: Weights, node: string): number {
  const total = Object.values(weights).reduce((s, w) => s + w, 0);
  return total === 0 ? 0 : Math.round(((weights[node] ?? 0) * 100) / total);
}

/** Every node gets 0 but `node`, which gets 100. */
export function allTo(weights: Weights, node: string): Weights {
  return Object.fromEntries(Object.keys(weights).map((k) => [k, k === node ? 100 : 0]));
}

/** The node with the most weight; ties go to the first listed, as a person reads the route. */
export function heaviest(weights: Weights): string | undefined {
  let best: string | undefined;
  for (const [node, weight] of Object.entries(weights)) {
    if (best === undefined || weight > (weights[best] ?? 0)) best = node;
  }
  return best;
}

/** Nodes with weight above zero. */
export function withTraffic(weights: Weights): string[] {
  return Object.entries(weights)
    .filter(([, w]) => w > 0)
    .map(([node]) => node);
}

/** `web-v1 90 / web-v2 10`, for people. */
export function formatWeights(weights: Weights | undefined): string {
  if (weights === undefined) return '(unknown)';
  return Object.entries(weights)
    .map(([node, w]) => `${node} ${w}`)
    .join(' / ');
}
