/**
 * A VPC Lattice service network as a graph for the console page, from the neutral service graph
 * (shared/domain/service-graph.ts): each service with its listeners, each listener with its rules
 * (the default action as `default`), each rule with its weighted target groups and the route key
 * the deployment guard keys it by, so the page can tie a rule to its deployments.
 */
import type { GraphRoute, ServiceGraph } from '../domain/service-graph';
import { formatRouteId } from '../domain/weighted-route';

export interface NetworkGraph {
  readonly provider: 'vpc-lattice';
  readonly network: string;
  readonly services: readonly {
    name: string;
    listeners: readonly {
      name: string;
      rules: readonly {
        name: string;
        /** `<network>/<service>/<listener>/<rule>`: the guard's key of the rule's deployments. */
        routeKey: string;
        targets: readonly { targetGroup: string; weight: number }[];
      }[];
    }[];
  }[];
  /** Target group ids, as rules name them. */
  readonly targetGroups: readonly string[];
}

/**
 * The names in a Lattice resource key (`<network>/<kind>/<name>...`), when it is of that kind.
 * Lattice names hold no `/`, so the key splits unambiguously.
 */
function namesIn(key: string, network: string, kind: string): string[] | undefined {
  const [first, second, ...names] = key.split('/');
  return first === network && second === kind ? names : undefined;
}

function ruleOf(network: string, route: GraphRoute) {
  const names = namesIn(route.key, network, 'rule');
  if (names?.length !== 3) return undefined;
  const [service, listener, rule] = names as [string, string, string];
  return {
    service,
    listener,
    view: {
      name: rule,
      routeKey: formatRouteId({ provider: 'vpc-lattice', serviceNetwork: network, service, listener, rule }),
      targets: route.targets.map((t) => ({ targetGroup: t.target, weight: t.weight })),
    },
  };
}

/** The graph of one service network, read whole (its weights as Lattice holds them now). */
export function networkGraph(graph: ServiceGraph): NetworkGraph {
  const network = graph.scope;
  const rules = graph.routes.flatMap((r) => ruleOf(network, r) ?? []);
  return {
    provider: 'vpc-lattice',
    network,
    services: graph.services.map((service) => ({
      name: service.name,
      listeners: service.routedBy.flatMap((key) => {
        const names = namesIn(key, network, 'listener');
        if (names?.length !== 2) return [];
        const [, listener] = names as [string, string];
        return [
          {
            name: listener,
            // In the listener's order: the default action first, then the rules by priority.
            rules: rules
              .filter((r) => r.service === service.name && r.listener === listener)
              .map((r) => r.view),
          },
        ];
      }),
    })),
    targetGroups: graph.targets.map((t) => t.name),
  };
}

/**
 * The resources of a service network the HTTP API lists, by their resource keys (what decisions
 * and violations name): its services, listeners and rules (default actions included).
 */
export function networkResources(graph: ServiceGraph): { key: string; kind: string }[] {
  const network = graph.scope;
  const keys = [
    ...graph.services.map((s) => s.key),
    ...graph.services.flatMap((s) => s.routedBy),
    ...graph.routes.map((r) => r.key),
  ];
  return keys.flatMap((key) => {
    const [first, kind] = key.split('/');
    return first === network && kind !== undefined ? [{ key, kind }] : [];
  });
}
