/**
 * Checks on a route's weighted targets, the same on every provider: how many targets it splits
 * over against the tightest limit, and whether any target takes traffic at all. They return
 * verdicts, not sentences: each provider's rule words them in its own terms ("weighted
 * targets", "target groups"), as its users have always read them.
 */
import type { GraphRoute } from '../../domain/service-graph';

/** What the checks read of a route: its targets only, so a rule need not map the rest. */
type Targets = Pick<GraphRoute, 'targets'>;

/** The limits on a route's target count; either may be absent. */
export interface TargetLimits {
  /** The policy's `routes.maxWeightedTargets`. */
  readonly policy: number | undefined;
  /** The provider's own hard limit (VPC Lattice: 10 target groups per forward action). */
  readonly provider: number | undefined;
}

/** A route over its limit: how many targets, the limit, and who sets it. */
export interface TargetLimitExceeded {
  readonly count: number;
  readonly max: number;
  /** `policy` only when the policy's limit is stricter than the provider's; a tie is the provider's. */
  readonly setBy: 'policy' | 'provider';
}

/** The limit a route exceeds, or undefined when it is within every limit (or none applies). */
export function exceededTargetLimit(route: Targets, limits: TargetLimits): TargetLimitExceeded | undefined {
  const { policy, provider } = limits;
  const setBy = policy !== undefined && (provider === undefined || policy < provider) ? 'policy' : 'provider';
  const max = setBy === 'policy' ? policy : provider;
  const count = route.targets.length;
  if (max === undefined || count <= max) return undefined;
  return { count, max, setBy };
}

/** True when a route names targets but gives none of them any weight: it serves no request. */
export function sendsNoTraffic(route: Targets): boolean {
  return route.targets.length > 0 && !route.targets.some((t) => t.weight > 0);
}
