import { routeShapeOf } from '../../../policy/mesh-index';
import { exceededTargetLimit, sendsNoTraffic } from '../../../policy/neutral/routes';
import type { RouteSpec } from '../model';
import { appMeshTargetsOf } from '../service-graph';
import { defineRule, describeResource } from './rule';

const MEMBER = { http: 'httpRoute', http2: 'http2Route', grpc: 'grpcRoute', tcp: 'tcpRoute' } as const;

function protocolRoute(spec: RouteSpec) {
  return spec.httpRoute ?? spec.http2Route ?? spec.grpcRoute;
}

/** `route.retry-policy`: HTTP, HTTP/2 and gRPC routes retry (TCP routes cannot). */
export const routeRetryPolicy = defineRule({
  id: 'route.retry-policy',
  category: 'compliance',
  kinds: ['route'],
  enabled: (c) => c.routes?.requireRetryPolicy === true,
  check(route, ctx) {
    if (ctx.compliance.routes?.requireRetryPolicy !== true) return [];
    const shape = routeShapeOf(route.spec);
    const request = protocolRoute(route.spec);
    if (shape === undefined || request === undefined || request.retryPolicy !== undefined) return [];
    return [
      `${describeResource(route)} has no retry policy: add ${MEMBER[shape.protocol]}.retryPolicy with maxRetries, perRetryTimeout and the events to retry on.`,
    ];
  },
});

/** `route.timeout`: a per-request timeout (idle, for TCP routes) is set. */
export const routeTimeout = defineRule({
  id: 'route.timeout',
  category: 'compliance',
  kinds: ['route'],
  enabled: (c) => c.routes?.requireTimeout === true,
  check(route, ctx) {
    if (ctx.compliance.routes?.requireTimeout !== true) return [];
    const shape = routeShapeOf(route.spec);
    if (shape === undefined) return [];
    if (shape.protocol === 'tcp') {
      if (route.spec.tcpRoute?.timeout?.idle?.value !== undefined) return [];
      return [`${describeResource(route)} has no idle timeout: set tcpRoute.timeout.idle.`];
    }
    if (protocolRoute(route.spec)?.timeout?.perRequest?.value !== undefined) return [];
    return [
      `${describeResource(route)} has no per-request timeout: set ${MEMBER[shape.protocol]}.timeout.perRequest.`,
    ];
  },
});

/** `route.max-targets`: a route splits traffic over at most N weighted targets. */
export const routeMaxTargets = defineRule({
  id: 'route.max-targets',
  category: 'compliance',
  kinds: ['route'],
  enabled: (c) => c.routes?.maxWeightedTargets !== undefined,
  check(route, ctx) {
    // App Mesh's own target limit is enforced by App Mesh at write time: only the policy's is judged.
    const exceeded = exceededTargetLimit(
      { targets: appMeshTargetsOf(route) },
      {
        policy: ctx.compliance.routes?.maxWeightedTargets,
        provider: undefined,
      },
    );
    if (exceeded === undefined) return [];
    return [
      `${describeResource(route)} splits traffic over ${exceeded.count} weighted targets; the policy allows at most ${exceeded.max}: remove the targets that no longer take traffic.`,
    ];
  },
});

/** `route.weights-nonzero`: not every weight of a route is zero. */
export const routeWeightsNonZero = defineRule({
  id: 'route.weights-nonzero',
  category: 'compliance',
  kinds: ['route'],
  enabled: (c) => c.routes?.requireNonZeroWeights === true,
  check(route, ctx) {
    if (ctx.compliance.routes?.requireNonZeroWeights !== true) return [];
    if (!sendsNoTraffic({ targets: appMeshTargetsOf(route) })) return [];
    return [
      `${describeResource(route)} gives every weighted target weight 0: give at least one target a weight above 0.`,
    ];
  },
});
