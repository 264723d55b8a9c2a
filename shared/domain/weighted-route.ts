/**
 * The provider-neutral weighted route the deployment guard works on: a set of weighted
 * targets, identified by names (as people and alarm tags write them), read and written
 * whole through the WeightedRoutes port. App Mesh routes and VPC Lattice listener rules are
 * both this; each provider maps its own shapes in its folder. No I/O here.
 */
import { BadRequestError } from '../errors';
import type { Tags } from '../providers/appmesh/model';

/** Weight per target name (App Mesh virtual node, VPC Lattice target group). */
export type Weights = Readonly<Record<string, number>>;

/** The providers a route can live on. */
export type RouteProviderName = 'appmesh' | 'vpc-lattice';

/** An App Mesh route: `<mesh>/<virtual-router>/<route>`. */
export interface AppMeshRouteId {
  readonly provider: 'appmesh';
  readonly meshName: string;
  readonly virtualRouterName: string;
  readonly routeName: string;
}

/**
 * A VPC Lattice listener rule: `<service-network>/<service>/<listener>/<rule>`, by names. A
 * listener's default action is the rule named {@link LATTICE_DEFAULT_RULE}.
 */
export interface LatticeRouteId {
  readonly provider: 'vpc-lattice';
  readonly serviceNetwork: string;
  readonly service: string;
  readonly listener: string;
  readonly rule: string;
}

/** A route on any provider, by names. */
export type RouteId = AppMeshRouteId | LatticeRouteId;

/** The rule name a listener's default action goes by in route keys. */
export const LATTICE_DEFAULT_RULE = 'default';

const APPMESH_SEGMENT = /^[A-Za-z0-9_.-]{1,255}$/;
// VPC Lattice names: 3..63 lowercase letters, digits and hyphens (service networks up to 63 too).
const LATTICE_SEGMENT = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** The route key of a route id: the form of the `meshwarden:route` alarm tag and of policy globs. */
export function formatRouteId(id: RouteId): string {
  return id.provider === 'appmesh'
    ? `${id.meshName}/${id.virtualRouterName}/${id.routeName}`
    : `${id.serviceNetwork}/${id.service}/${id.listener}/${id.rule}`;
}

/**
 * Parse a route key: three segments are an App Mesh route, four a VPC Lattice listener rule.
 * Throws a BadRequestError saying what is expected.
 */
export function parseRouteId(key: string): RouteId {
  const parts = key.split('/');
  if (parts.length === 3 && parts.every((p) => APPMESH_SEGMENT.test(p))) {
    const [meshName, virtualRouterName, routeName] = parts as [string, string, string];
    return { provider: 'appmesh', meshName, virtualRouterName, routeName };
  }
  if (parts.length === 4 && parts.every((p) => LATTICE_SEGMENT.test(p))) {
    const [serviceNetwork, service, listener, rule] = parts as [string, string, string, string];
    return { provider: 'vpc-lattice', serviceNetwork, service, listener, rule };
  }
  throw new BadRequestError(
    `Invalid route key ${JSON.stringify(key)}: expected "<mesh>/<virtual-router>/<route>" (App Mesh names) or "<service-network>/<service>/<listener>/<rule>" (VPC Lattice names; "${LATTICE_DEFAULT_RULE}" for a listener's default action)`,
  );
}

/**
 * The name of what governs a route: its mesh, or its service network. The policy entry that
 * applies to the route, its chat channel and its approvers are found by this name.
 */
export function governingNameOf(id: RouteId): string {
  return id.provider === 'appmesh' ? id.meshName : id.serviceNetwork;
}

/** A route to read: its id, and the provider's ARN of it when known (one call instead of a name lookup). */
export interface RouteRef {
  readonly id: RouteId;
  readonly arn: string | undefined;
}

/** A weighted route as read from its provider. */
export interface WeightedRoute {
  readonly id: RouteId;
  readonly arn: string | undefined;
  /** Weight per target; undefined when one target is listed twice (the guard leaves such a route alone). */
  readonly weights: Weights | undefined;
  /**
   * The provider's version of what was read, for read-then-write: App Mesh's route version,
   * VPC Lattice's `lastUpdatedAt`. Undefined when the provider did not say.
   */
  readonly version: string | undefined;
  /** The route's tags, when the read included them (the stable-target tag). */
  readonly tags?: Tags;
  /**
   * The provider's whole resource as read. A weight write keeps all of it but the weights,
   * because every provider's update replaces the whole rule or spec.
   */
  readonly raw: unknown;
}

/** What a weight write did. */
export interface WeightedRouteWrite {
  readonly route: WeightedRoute;
  /**
   * Whether the write directly followed the read (nothing written in between): false when the
   * provider's version shows another write came between, undefined when it cannot tell.
   */
  readonly followsRead: boolean | undefined;
}
