/**
 * App Mesh into the neutral service graph (shared/domain/service-graph.ts). Routes are App Mesh
 * routes with their weighted virtual nodes; services are virtual services; listeners are those
 * of virtual nodes and gateways; callers are a node's backends. Each element is also mapped on
 * its own, so a rule judging one changed resource maps only that resource. Labels are the words
 * the App Mesh rules' sentences have always used. Pure: no I/O.
 */

import { formatResourceKey } from '../../domain/resource-key';
import type {
  CallerEdge,
  CertificateInUse,
  GraphListener,
  GraphRoute,
  GraphService,
  ServedCertificate,
  ServiceGraph,
  WeightedTargetShare,
} from '../../domain/service-graph';
import type { MeshSnapshot } from '../../domain/snapshot';
import { routeShapeOf } from '../../policy/mesh-index';
import type { Listener, ListenerTlsCertificate, MeshResourceOf } from './model';
import { describeListener, describeResource } from './rules/rule';

type ListenerHolder = MeshResourceOf<'virtual-node'> | MeshResourceOf<'virtual-gateway'>;

const NONE: readonly never[] = [];

/**
 * A route's weighted targets; a spec with no protocol member routes nowhere. Apart from
 * {@link appMeshRouteOf} because the rules judging a route on every event need only these (and
 * the label): formatting its keys per call was a measured cost.
 */
export function appMeshTargetsOf(route: MeshResourceOf<'route'>): WeightedTargetShare[] {
  return (routeShapeOf(route.spec)?.weightedTargets ?? NONE).map((t) => ({
    target: t.virtualNode,
    weight: t.weight,
  }));
}

/** A route with its weighted targets. */
export function appMeshRouteOf(route: MeshResourceOf<'route'>): GraphRoute {
  const router = { kind: 'virtual-router', meshName: route.meshName, name: route.parentName ?? '' } as const;
  return {
    key: formatResourceKey(route),
    label: describeResource(route),
    parent: formatResourceKey(router),
    targets: appMeshTargetsOf(route),
  };
}

function servedCertificateOf(certificate: ListenerTlsCertificate): ServedCertificate {
  if ('acm' in certificate) return { source: 'acm', arn: certificate.acm.certificateArn };
  return 'file' in certificate ? { source: 'file' } : { source: 'sds' };
}

function servedOf(name: string, listener: Listener): Pick<GraphListener, 'label' | 'tls'> {
  return {
    label: `${name} ${describeListener(listener.portMapping)}`,
    // Judged input need not be well-formed: a TLS block without a certificate serves nothing to judge.
    ...(listener.tls?.certificate === undefined
      ? {}
      : { tls: { mode: listener.tls.mode, certificate: servedCertificateOf(listener.tls.certificate) } }),
  };
}

/**
 * What the listeners of a virtual node or gateway serve, in spec order: label and TLS only, with
 * no key, for the rules judging one resource per event (formatting keys there was a measured
 * cost, and a key is only needed once there is a finding).
 */
export function appMeshServedBy(resource: ListenerHolder): Pick<GraphListener, 'label' | 'tls'>[] {
  const name = describeResource(resource);
  return (resource.spec.listeners ?? NONE).map((listener) => servedOf(name, listener));
}

/** The listeners of a virtual node or gateway, in spec order. */
export function appMeshListenersOf(resource: ListenerHolder): GraphListener[] {
  const owner = formatResourceKey(resource);
  const name = describeResource(resource);
  return (resource.spec.listeners ?? NONE).map((listener) => ({
    owner,
    port: listener.portMapping.port,
    protocol: listener.portMapping.protocol,
    ...servedOf(name, listener),
  }));
}

/**
 * The calls a virtual node declares, one per backend in spec order (a repeated backend stays
 * repeated); without the declaring key, for the rule judging the node on every event.
 */
export function appMeshCallsOf(
  node: MeshResourceOf<'virtual-node'>,
): Pick<CallerEdge, 'caller' | 'service'>[] {
  return (node.spec.backends ?? NONE).map((b) => ({
    caller: node.name,
    service: b.virtualService.virtualServiceName,
  }));
}

/** The calls a virtual node declares, as edges of the graph. */
export function appMeshCallersOf(node: MeshResourceOf<'virtual-node'>): CallerEdge[] {
  const declaredBy = formatResourceKey(node);
  return appMeshCallsOf(node).map((call) => ({ ...call, declaredBy }));
}

function serviceOf(service: MeshResourceOf<'virtual-service'>): GraphService {
  const provider = service.spec.provider;
  const router =
    provider !== undefined && 'virtualRouter' in provider
      ? formatResourceKey({
          kind: 'virtual-router',
          meshName: service.meshName,
          name: provider.virtualRouter.virtualRouterName,
        })
      : undefined;
  return {
    key: formatResourceKey(service),
    name: service.name,
    routedBy: router === undefined ? [] : [router],
    servedBy:
      provider !== undefined && 'virtualNode' in provider ? [provider.virtualNode.virtualNodeName] : [],
  };
}

function certificatesOf(resource: ListenerHolder): CertificateInUse[] {
  const usedBy = formatResourceKey(resource);
  return (resource.spec.listeners ?? NONE).flatMap((listener) => {
    const certificate = listener.tls?.certificate;
    if (certificate === undefined || !('acm' in certificate)) return [];
    return [{ arn: certificate.acm.certificateArn, usedBy, port: listener.portMapping.port }];
  });
}

/** The whole mesh as a service graph. */
export function appMeshServiceGraph(snapshot: MeshSnapshot): ServiceGraph {
  const holders: ListenerHolder[] = [...snapshot.virtualNodes, ...snapshot.virtualGateways];
  return {
    provider: 'appmesh',
    scope: snapshot.meshName,
    services: snapshot.virtualServices.map(serviceOf),
    routes: snapshot.routes.map(appMeshRouteOf),
    targets: snapshot.virtualNodes.map((n) => ({ key: formatResourceKey(n), name: n.name })),
    listeners: holders.flatMap(appMeshListenersOf),
    callers: snapshot.virtualNodes.flatMap(appMeshCallersOf),
    unreadableCallers: [],
    certificates: holders.flatMap(certificatesOf),
  };
}
