/**
 * Consistency rules: the usual causes of mesh incidents ("a missing route weight or a
 * mismatched listener"). They hold whatever the policy says, unless an exemption says
 * otherwise, and read the resource's immediate neighbours through the index.
 */
import { gatewayRouteTargetOf, routeShapeOf } from '../../../policy/mesh-index';
import { routingLoopThrough } from '../../../policy/routing-loops';
import { defineRule, describeResource } from './rule';

/** `consistency.target-port`: each weighted target reaches a listener of its target node. */
export const targetPort = defineRule({
  id: 'consistency.target-port',
  category: 'consistency',
  kinds: ['route'],
  check(route, ctx) {
    const failures: string[] = [];
    for (const target of routeShapeOf(route.spec)?.weightedTargets ?? []) {
      const node = ctx.index.nodes.get(target.virtualNode);
      const listeners = node?.spec.listeners ?? [];
      if (
        target.port === undefined
          ? listeners.length === 1
          : listeners.some((l) => l.portMapping.port === target.port)
      ) {
        continue;
      }
      const sends = `${describeResource(route)} sends weight ${target.weight} to virtual node ${target.virtualNode}`;
      if (node === undefined) {
        failures.push(`${sends}, which does not exist: create the node or remove the target.`);
        continue;
      }
      const ports = listeners.map((l) => l.portMapping.port);
      if (ports.length === 0) {
        failures.push(`${sends}, which has no listener: add a listener to ${target.virtualNode}.`);
      } else if (target.port !== undefined && !ports.includes(target.port)) {
        failures.push(
          `${sends} on port ${target.port}, but ${target.virtualNode} listens on ${ports.join(', ')}: set the target's port to one of them.`,
        );
      } else if (target.port === undefined && ports.length > 1) {
        failures.push(
          `${sends} without a port, but ${target.virtualNode} has several listeners (${ports.join(', ')}): set the target's port.`,
        );
      }
    }
    return failures;
  },
});

/** `consistency.route-protocol`: a route's type matches the protocol of its router's listener. */
export const routeProtocol = defineRule({
  id: 'consistency.route-protocol',
  category: 'consistency',
  kinds: ['route'],
  check(route, ctx) {
    const shape = routeShapeOf(route.spec);
    const name = describeResource(route);
    if (shape === undefined) {
      return [`${name} has no route type: set exactly one of httpRoute, http2Route, grpcRoute or tcpRoute.`];
    }
    const routerName = route.parentName ?? '';
    const router = ctx.index.routers.get(routerName);
    if (router === undefined) {
      return [`${name} belongs to virtual router ${routerName}, which does not exist: recreate the router.`];
    }
    const listeners = router.spec.listeners ?? [];
    if (listeners.length === 0) {
      return [
        `${name} is a ${shape.protocol} route but virtual router ${routerName} has no listener: add one.`,
      ];
    }
    const candidates =
      shape.matchPort === undefined
        ? listeners
        : listeners.filter((l) => l.portMapping.port === shape.matchPort);
    if (candidates.length === 0) {
      return [
        `${name} matches port ${shape.matchPort} but virtual router ${routerName} has no listener on it: match a listener port.`,
      ];
    }
    if (candidates.some((l) => l.portMapping.protocol === shape.protocol)) return [];
    const heard = candidates.map((l) => `${l.portMapping.protocol} on ${l.portMapping.port}`).join(', ');
    return [
      `${name} is a ${shape.protocol} route but virtual router ${routerName} listens with ${heard}: make the route type match the listener's protocol.`,
    ];
  },
});

/** `consistency.route-has-traffic`: some weighted target of a route has a weight above zero. */
export const routeHasTraffic = defineRule({
  id: 'consistency.route-has-traffic',
  category: 'consistency',
  kinds: ['route'],
  check(route) {
    const targets = routeShapeOf(route.spec)?.weightedTargets;
    if (targets === undefined || targets.some((t) => t.weight > 0)) return [];
    const why = targets.length === 0 ? 'it has no weighted target' : 'every weighted target has weight 0';
    return [`${describeResource(route)} sends no traffic anywhere (${why}): give a target a weight above 0.`];
  },
});

/** `consistency.provider-exists`: a virtual service's provider is an existing node or router. */
export const providerExists = defineRule({
  id: 'consistency.provider-exists',
  category: 'consistency',
  kinds: ['virtual-service'],
  check(service, ctx) {
    const provider = service.spec.provider;
    if (provider === undefined) return [];
    const [kind, providerName, exists] =
      'virtualNode' in provider
        ? ([
            'virtual node',
            provider.virtualNode.virtualNodeName,
            ctx.index.nodes.has(provider.virtualNode.virtualNodeName),
          ] as const)
        : ([
            'virtual router',
            provider.virtualRouter.virtualRouterName,
            ctx.index.routers.has(provider.virtualRouter.virtualRouterName),
          ] as const);
    if (exists) return [];
    return [
      `${describeResource(service)} is provided by ${kind} ${providerName}, which does not exist: create it, or point the provider at an existing node or router.`,
    ];
  },
});

/**
 * `consistency.backend-exists`: every backend of a virtual node, and every gateway route's
 * target, is an existing virtual service.
 */
export const backendExists = defineRule({
  id: 'consistency.backend-exists',
  category: 'consistency',
  kinds: ['virtual-node', 'gateway-route'],
  check(resource, ctx) {
    const name = describeResource(resource);
    if (resource.kind === 'gateway-route') {
      const target = gatewayRouteTargetOf(resource);
      if (target === undefined || ctx.index.services.has(target)) return [];
      return [
        `${name} forwards to virtual service ${target}, which does not exist: create the service or change the target.`,
      ];
    }
    return (resource.spec.backends ?? [])
      .map((b) => b.virtualService.virtualServiceName)
      .filter((service) => !ctx.index.services.has(service))
      .map(
        (service) =>
          `${name} has backend ${service}, which is not a virtual service of mesh ${ctx.index.meshName}: create the service or remove the backend.`,
      );
  },
});

/** `consistency.no-routing-loop`: a node's backends never resolve back to the node. */
export const noRoutingLoop = defineRule({
  id: 'consistency.no-routing-loop',
  category: 'consistency',
  kinds: ['virtual-node'],
  check(node, ctx) {
    const loop = routingLoopThrough(ctx.index, node.name);
    if (loop === undefined) return [];
    return [
      `${describeResource(node)} is in a routing loop (${loop.join(' -> ')}): remove a backend or route target so its traffic cannot come back to ${node.name}.`,
    ];
  },
});
