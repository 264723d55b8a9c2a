/**
 * Routing parity by simulation: for every Lattice listener of the plan, the requests derived from
 * the App Mesh routes behind it go through both evaluators, and the targets compare as shares
 * (App Mesh virtual nodes against the plan's target groups, mapped back to their virtual nodes).
 * A request App Mesh sends through a route the plan could not carry over (marked lost) differs
 * by design: it is reported apart from the differences on what the plan carries over.
 */
import type { MeshSnapshot } from '../domain/snapshot';
import { AppMeshRouterEvaluator, type Shares } from './appmesh-evaluator';
import { LatticeListenerEvaluator } from './lattice-evaluator';
import type {
  MigrationPlan,
  PlannedListener,
  RoutingDifference,
  RoutingParity,
  SimulatedRequest,
} from './plan-model';
import { requestsForNode, requestsForRoutes } from './simulated-requests';

const EPSILON = 1e-9;

function sameShares(a: Shares | null, b: Shares | null): boolean {
  if (a === null || b === null) return a === b;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (Math.abs((a[k] ?? 0) - (b[k] ?? 0)) > EPSILON) return false;
  return true;
}

/** Target group shares as virtual node shares, through the plan's mapping. */
function toNodes(shares: Shares | null, nodeOfGroup: ReadonlyMap<string, string>): Shares | null {
  if (shares === null) return null;
  const out: Record<string, number> = {};
  for (const [group, share] of Object.entries(shares)) {
    const node = nodeOfGroup.get(group) ?? `target group ${group}`;
    out[node] = (out[node] ?? 0) + share;
  }
  return out;
}

export function simulateRouting(snapshot: MeshSnapshot, plan: MigrationPlan): RoutingParity {
  const nodeOfGroup = new Map(plan.targetGroups.map((tg) => [tg.name, tg.virtualNode]));
  const differences: RoutingDifference[] = [];
  const lostDifferences: RoutingDifference[] = [];
  let tried = 0;
  for (const service of plan.services) {
    const vsName = service.source.find((s) => s.kind === 'virtual-service')?.name;
    const vs = snapshot.virtualServices.find((v) => v.name === vsName);
    const provider = vs?.spec.provider;
    if (provider === undefined) continue;
    for (const listener of service.listeners) {
      const lattice = new LatticeListenerEvaluator(listener);
      const record = (
        request: SimulatedRequest,
        appMesh: Shares | null,
        lost: boolean,
        explanation?: string,
      ) => {
        const latticeResult = lattice.evaluate(request);
        const latticeShares = toNodes(latticeResult.shares, nodeOfGroup);
        if (sameShares(appMesh, latticeShares)) return;
        const difference: RoutingDifference = {
          service: service.name,
          request,
          appMesh,
          lattice: latticeShares,
          fromLostFeature: lost,
          ...(explanation !== undefined ? { explanation } : {}),
        };
        (lost ? lostDifferences : differences).push(difference);
      };
      if ('virtualNode' in provider) {
        for (const request of requestsForNode(listener.port)) {
          tried++;
          record(request, { [provider.virtualNode.virtualNodeName]: 1 }, false);
        }
        continue;
      }
      const routerName = provider.virtualRouter.virtualRouterName;
      const router = snapshot.virtualRouters.find((r) => r.name === routerName);
      const routes = snapshot.routes.filter((r) => r.parentName === routerName);
      const appMesh = new AppMeshRouterEvaluator(
        routes,
        listener.port,
        (router?.spec.listeners ?? []).length === 1,
      );
      const carried = carriedRoutes(listener);
      for (const request of requestsForRoutes(routes, listener.port)) {
        tried++;
        const result = appMesh.evaluate(request);
        const lost = result !== null && !carried.has(result.route.name);
        record(
          request,
          result?.shares ?? null,
          lost,
          lost
            ? `App Mesh route ${result?.route.name} has no Lattice rule (see the parity report)`
            : undefined,
        );
      }
    }
  }
  return { requestsTried: tried, differences, lostDifferences };
}

/** The routes a listener carries over whole: a rule, forwarding to every target the route names. */
function carriedRoutes(listener: PlannedListener): Set<string> {
  const names = new Set<string>();
  for (const rule of listener.rules) for (const s of rule.source) if (s.kind === 'route') names.add(s.name);
  return names;
}
