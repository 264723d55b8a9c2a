/**
 * `migrate shift --route`: the pure planning of a shift meshwarden routes itself. Inside App
 * Mesh a route's weighted targets may include a bridge virtual node whose DNS service discovery
 * is the VPC Lattice service's domain name; moving weight from the route's App Mesh targets to
 * the bridge moves that share of the route's traffic to Lattice. This decides the bridge node,
 * the stable split the weight moves from, the first step's weights and the route spec that
 * carries them, or refuses with what is wrong. No I/O.
 */
import { createHash } from 'node:crypto';
import { shareOf } from '../deployments/decide';
import { heaviest } from '../deployments/weights';
import { formatRouteId, parseRouteId } from '../domain/weighted-route';
import { BadRequestError } from '../errors';
import type {
  MeshResourceOf,
  PortMapping,
  RouteSpec,
  Tags,
  WeightedTarget,
} from '../providers/appmesh/model';
import type { KnownIds } from './apply-changes';
import type { ExistingLattice } from './lattice-target';
import type { MigrationPlan } from './plan-model';
import { routeMappings } from './policy-entry';

type Route = MeshResourceOf<'route'>;
type VirtualNode = MeshResourceOf<'virtual-node'>;

/** The steps of a shift when none are given: the share on VPC Lattice after each. */
export const DEFAULT_BRIDGE_STEPS = [10, 25, 50, 100] as const;

/** The tag on a bridge node naming the VPC Lattice rule it carries traffic to. */
export const BRIDGE_TAG = 'meshwarden:lattice-bridge';

/** `--steps 10,50,100`: whole percents, increasing, each 1..100, the last 100. */
export function parseSteps(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const steps = parts.map(Number);
  const valid =
    parts.every((p) => /^\d{1,3}$/.test(p)) &&
    steps.every((s) => s >= 1 && s <= 100) &&
    steps.every((s, i) => i === 0 || s > (steps[i - 1] as number)) &&
    steps.at(-1) === 100;
  if (!valid)
    throw new BadRequestError(
      `--steps ${text}: increasing whole percents 1..100 separated by commas, the last 100 (the share on VPC Lattice after each step), e.g. 10,50,100`,
    );
  return steps;
}

/** `--route ROUTER/ROUTE`: the App Mesh route to shift. */
export function parseRouteName(text: string): { virtualRouterName: string; routeName: string } {
  const [router, route, ...rest] = text.split('/');
  const name = /^[A-Za-z0-9_.-]{1,255}$/;
  if (
    router === undefined ||
    route === undefined ||
    rest.length > 0 ||
    !name.test(router) ||
    !name.test(route)
  )
    throw new BadRequestError(`--route ${text}: expected <virtual-router>/<route>`);
  return { virtualRouterName: router, routeName: route };
}

/** What the shift reads before it plans. */
export interface BridgeShiftInput {
  readonly plan: MigrationPlan;
  /** Ids of what `migrate apply` created (from reading Lattice). */
  readonly known: KnownIds;
  /** VPC Lattice as it is now. */
  readonly existing: ExistingLattice;
  readonly route: Route;
  /** The virtual nodes the route names, as read (a missing one is absent). */
  readonly nodes: ReadonlyMap<string, VirtualNode>;
  /** The bridge node when it exists already (read by the name `bridgeNameOf` gives). */
  readonly existingBridge: (name: string) => VirtualNode | undefined;
  readonly steps: readonly number[];
}

/** A shift meshwarden can route itself, planned. */
export interface BridgeShiftPlan {
  readonly appMeshKey: string;
  /** The VPC Lattice rule that serves the bridge's traffic: its alarms guard the shift too. */
  readonly latticeKey: string;
  readonly latticeService: string;
  readonly domainName: string;
  /** The bridge node to create (absent: it exists already as planned). */
  readonly createBridge: VirtualNode | undefined;
  readonly bridgeName: string;
  /** The App Mesh targets' split before the shift, restored by a rollback. */
  readonly stableWeights: Readonly<Record<string, number>>;
  /** The stable target the guard names (the heaviest App Mesh target). */
  readonly stableTarget: string;
  readonly steps: readonly number[];
  /** The route's weights at the first step. */
  readonly firstWeights: Readonly<Record<string, number>>;
  /** The route's spec at the first step (the bridge added as a target where it is not one yet). */
  readonly routeSpec: RouteSpec;
}

export type BridgeShiftDecision =
  | { readonly kind: 'planned'; readonly shift: BridgeShiftPlan }
  | { readonly kind: 'refused'; readonly problems: readonly string[] };

const PROTOCOLS = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const;

function targetsOf(spec: RouteSpec): readonly WeightedTarget[] {
  for (const protocol of PROTOCOLS) {
    const route = spec[protocol];
    if (route !== undefined) return route.action.weightedTargets;
  }
  return [];
}

/** The bridge of a shift: `<stable node>-lattice`. */
export function bridgeNameOf(stableNode: string): string {
  return `${stableNode}-lattice`;
}

/** The port and protocol a target listens on: the target's port, else the node's only listener. */
function portOf(target: WeightedTarget, node: VirtualNode | undefined): PortMapping | string {
  const listeners = node?.spec.listeners ?? [];
  if (node === undefined) return `virtual node ${target.virtualNode} does not exist`;
  const found =
    target.port === undefined
      ? listeners.length === 1
        ? listeners[0]
        : undefined
      : listeners.find((l) => l.portMapping.port === target.port);
  if (found === undefined)
    return target.port === undefined
      ? `virtual node ${target.virtualNode} has ${listeners.length} listeners and the route names no port`
      : `virtual node ${target.virtualNode} has no listener on port ${target.port}`;
  return found.portMapping;
}

/** The bridge node's spec: DNS discovery at the Lattice service's name, the targets' listener. */
export function bridgeNodeOf(
  meshName: string,
  name: string,
  domainName: string,
  port: PortMapping,
  latticeKey: string,
): VirtualNode {
  const tags: Tags = { [BRIDGE_TAG]: latticeKey };
  return {
    kind: 'virtual-node',
    meshName,
    name,
    spec: {
      serviceDiscovery: { dns: { hostname: domainName } },
      listeners: [{ portMapping: { port: port.port, protocol: port.protocol } }],
    },
    tags,
  };
}

/** Whether an existing bridge node is the one planned (its discovery and listener). */
function sameBridge(existing: VirtualNode, planned: VirtualNode): boolean {
  const dns = (n: VirtualNode) => {
    const sd = n.spec.serviceDiscovery;
    return sd !== undefined && 'dns' in sd ? sd.dns.hostname : undefined;
  };
  const ports = (n: VirtualNode) =>
    JSON.stringify((n.spec.listeners ?? []).map((l) => [l.portMapping.port, l.portMapping.protocol]));
  return dns(existing) === dns(planned) && ports(existing) === ports(planned);
}

/** The route spec with new weights, the bridge added as a target (at `port` when the targets name one). */
function withBridge(spec: RouteSpec, weights: Readonly<Record<string, number>>, bridge: string): RouteSpec {
  const out: Record<string, unknown> = { ...spec };
  for (const protocol of PROTOCOLS) {
    const route = spec[protocol];
    if (route === undefined) continue;
    const targets = route.action.weightedTargets;
    const reweighed = targets.map((t) => ({ ...t, weight: weights[t.virtualNode] ?? 0 }));
    const port = targets.find((t) => t.port !== undefined)?.port;
    const added: WeightedTarget[] = targets.some((t) => t.virtualNode === bridge)
      ? []
      : [{ virtualNode: bridge, weight: weights[bridge] ?? 0, ...(port === undefined ? {} : { port }) }];
    out[protocol] = { ...route, action: { ...route.action, weightedTargets: [...reweighed, ...added] } };
  }
  return out as RouteSpec;
}

/** A client token for the bridge's create: the same bridge, the same token, whoever retries. */
export function bridgeClientToken(bridge: VirtualNode): string {
  const digest = createHash('sha256')
    .update(`${bridge.meshName}\n${bridge.name}\n${JSON.stringify(bridge.spec)}`)
    .digest('base64url');
  return `mw-bridge-${digest.slice(0, 26)}`;
}

/**
 * Plan the shift of one App Mesh route to VPC Lattice through a bridge node, or refuse: the route
 * is not in the plan, a target is not, the Lattice service does not exist (or has no domain
 * name), the targets do not listen alike, a same-named node differs from the bridge, or the
 * bridge already carries traffic.
 */
export function planBridgeShift(input: BridgeShiftInput): BridgeShiftDecision {
  const { plan, route } = input;
  const appMeshKey = formatRouteId({
    provider: 'appmesh',
    meshName: route.meshName,
    virtualRouterName: route.parentName ?? '',
    routeName: route.name,
  });
  const mapping = routeMappings(plan, input.known).find((m) => m.appMeshKey === appMeshKey);
  if (mapping === undefined)
    return {
      kind: 'refused',
      problems: [
        `route ${appMeshKey} is not in the migration plan of mesh ${plan.meshName}: nothing in VPC Lattice replaces it`,
      ],
    };
  const lattice = parseRouteId(mapping.latticeKey);
  const latticeService = lattice.provider === 'vpc-lattice' ? lattice.service : '';
  const problems: string[] = [];
  const targets = targetsOf(route.spec);
  // A bridge of an earlier shift (rolled back, at 0) is a target already: it is not an App Mesh one.
  const names = targets.map((t) => t.virtualNode);
  const isBridge = (n: string) => names.some((m) => bridgeNameOf(m) === n);
  const stableWeights: Record<string, number> = {};
  for (const t of targets.filter((x) => !isBridge(x.virtualNode))) {
    if (Object.hasOwn(stableWeights, t.virtualNode))
      problems.push(
        `route ${appMeshKey} names virtual node ${t.virtualNode} twice (two ports): the guard cannot tell its targets apart`,
      );
    stableWeights[t.virtualNode] = t.weight;
  }
  const stableTarget = heaviest(stableWeights);
  if (stableTarget === undefined || Object.values(stableWeights).every((w) => w === 0))
    return { kind: 'refused', problems: [`route ${appMeshKey} sends no traffic to any App Mesh target`] };
  const bridgeName = bridgeNameOf(stableTarget);
  const bridgeTarget = targets.find((t) => t.virtualNode === bridgeName);
  if (bridgeTarget !== undefined && bridgeTarget.weight > 0)
    problems.push(
      `route ${appMeshKey} already sends ${bridgeTarget.weight} to the bridge ${bridgeName}: a shift is under way (meshwarden deployments status ${appMeshKey})`,
    );
  const missing = Object.keys(stableWeights).filter((n) => !mapping.targetGroupOfNode.has(n));
  if (missing.length > 0)
    problems.push(
      `route ${appMeshKey} sends traffic to ${missing.join(', ')}, which the plan's rule ${mapping.latticeKey} does not: re-run migrate plan and apply for the route as it is`,
    );
  const ports = Object.keys(stableWeights).map((n) => {
    const target = targets.find((t) => t.virtualNode === n) as WeightedTarget;
    return portOf(target, input.nodes.get(n));
  });
  for (const p of ports) if (typeof p === 'string') problems.push(p);
  const mappings = ports.filter((p): p is PortMapping => typeof p !== 'string');
  const distinct = [...new Set(mappings.map((p) => `${p.protocol}:${p.port}`))];
  if (distinct.length > 1)
    problems.push(
      `the targets of ${appMeshKey} listen differently (${distinct.join(', ')}): one bridge cannot stand for them`,
    );
  const service = input.existing.services.find((s) => s.name === latticeService);
  if (service === undefined)
    problems.push(
      `VPC Lattice service ${latticeService} does not exist in service network ${plan.serviceNetwork.name}: run migrate apply first`,
    );
  else if (service.domainName === undefined)
    problems.push(`VPC Lattice service ${latticeService} has no DNS name yet: try again once it has one`);
  const port = mappings[0];
  if (problems.length > 0 || port === undefined || service?.domainName === undefined)
    return { kind: 'refused', problems };
  const planned = bridgeNodeOf(route.meshName, bridgeName, service.domainName, port, mapping.latticeKey);
  const existingBridge = input.existingBridge(bridgeName);
  if (existingBridge !== undefined && !sameBridge(existingBridge, planned))
    return {
      kind: 'refused',
      problems: [
        `virtual node ${bridgeName} exists and is not the bridge to ${service.domainName} on ${port.protocol}:${port.port}: rename or delete it`,
      ],
    };
  const first = input.steps[0] as number;
  const firstWeights = { ...shareOf(stableWeights, 100 - first), [bridgeName]: first };
  return {
    kind: 'planned',
    shift: {
      appMeshKey,
      latticeKey: mapping.latticeKey,
      latticeService,
      domainName: service.domainName,
      createBridge: existingBridge === undefined ? planned : undefined,
      bridgeName,
      stableWeights,
      stableTarget,
      steps: input.steps,
      firstWeights,
      routeSpec: withBridge(route.spec, firstWeights, bridgeName),
    },
  };
}
