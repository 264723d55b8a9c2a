/**
 * VPC Lattice into the neutral weighted-route model, and back. A listener rule's (or a
 * listener default action's) forward action with its weighted target groups is a route; each
 * target group is a target, named by the id the rule holds (`tg-…`). Weights are Lattice's
 * own, 0..999 (they need not sum to 100); a lone target group without a weight gets Lattice's
 * default of 100. Pure: no I/O.
 */
import type { RuleAction, WeightedTargetGroup } from '@aws-sdk/client-vpc-lattice';
import {
  LATTICE_DEFAULT_RULE,
  type LatticeRouteId,
  type WeightedRoute,
  type Weights,
} from '../../domain/weighted-route';
import { BadRequestError } from '../../errors';
import { idOf } from './arns';
import type { LatticeRuleState, LatticeServiceNetworkSnapshot } from './model';

/** Lattice's weight range. */
export const MAX_LATTICE_WEIGHT = 999;
/** The weight Lattice gives a lone target group written without one. */
export const LATTICE_DEFAULT_WEIGHT = 100;

/** The target group of a forward target, by id whether the rule holds its id or its ARN. */
export function targetNameOf(target: WeightedTargetGroup): string {
  return idOf(target.targetGroupIdentifier ?? '');
}

/**
 * Weight per target group of a forward action; undefined when the action is not a forward
 * (a fixed response routes nowhere) or names one target group twice.
 */
export function forwardWeights(action: RuleAction | undefined): Weights | undefined {
  const targets = action?.forward?.targetGroups;
  if (targets === undefined) return undefined;
  const weights: Record<string, number> = {};
  for (const target of targets) {
    const name = targetNameOf(target);
    if (name === '' || Object.hasOwn(weights, name)) return undefined;
    weights[name] = target.weight ?? (targets.length === 1 ? LATTICE_DEFAULT_WEIGHT : 0);
  }
  return weights;
}

/**
 * The weights of an action as a CloudTrail record carries it (`responseElements.action`, or
 * `defaultAction` of a listener): untrusted JSON, so anything not shaped like a forward action
 * with weighted target groups gives undefined (the record then says nothing of what was written).
 */
export function recordedForwardWeights(action: unknown): Weights | undefined {
  const targets = (action as { forward?: { targetGroups?: unknown } } | null | undefined)?.forward
    ?.targetGroups;
  if (!Array.isArray(targets)) return undefined;
  const valid = targets.every((t: unknown) => {
    const target = t as { targetGroupIdentifier?: unknown; weight?: unknown } | null;
    return (
      typeof target === 'object' &&
      target !== null &&
      typeof target.targetGroupIdentifier === 'string' &&
      (target.weight === undefined || (typeof target.weight === 'number' && Number.isInteger(target.weight)))
    );
  });
  return valid ? forwardWeights({ forward: { targetGroups: targets as WeightedTargetGroup[] } }) : undefined;
}

/**
 * The same forward action with new weights: each target group keeps its identifier as the rule
 * holds it, only `weight` changes; target groups not named in `weights` get 0. Refused (nothing
 * written) when a weight is outside Lattice's 0..999 or the action is not a forward.
 */
export function withForwardWeights(action: RuleAction, weights: Weights): RuleAction {
  const targets = action.forward?.targetGroups;
  if (targets === undefined)
    throw new BadRequestError('a VPC Lattice rule without a forward action has no weights');
  for (const [target, weight] of Object.entries(weights)) {
    if (!Number.isInteger(weight) || weight < 0 || weight > MAX_LATTICE_WEIGHT)
      throw new BadRequestError(
        `weight ${weight} of target group ${target} is outside VPC Lattice's 0..${MAX_LATTICE_WEIGHT}`,
      );
  }
  return {
    forward: {
      ...action.forward,
      targetGroups: targets.map((t) => ({ ...t, weight: weights[targetNameOf(t)] ?? 0 })),
    },
  };
}

/** The route key's rule name of a rule: `default` for a listener's default action. */
export function ruleNameOf(rule: Pick<LatticeRuleState, 'isDefault' | 'name'>): string {
  return rule.isDefault ? LATTICE_DEFAULT_RULE : rule.name;
}

/** The neutral view of a rule read from Lattice; `raw` is the rule state, written back whole. */
export function weightedRouteOfRule(id: LatticeRouteId, rule: LatticeRuleState): WeightedRoute {
  return {
    id,
    arn: rule.arn,
    weights: forwardWeights(rule.action),
    version: rule.lastUpdatedAt,
    raw: rule,
  };
}

/**
 * Every weighted route of a service network read whole: each listener rule and default action
 * that forwards to target groups. A custom rule literally named `default` would collide with
 * the default action's key; it is left out (reported by the caller through `collisions`).
 */
export function weightedRoutesOf(snapshot: LatticeServiceNetworkSnapshot): {
  readonly routes: readonly WeightedRoute[];
  readonly collisions: readonly string[];
} {
  const routes: WeightedRoute[] = [];
  const collisions: string[] = [];
  for (const service of snapshot.services) {
    for (const listener of service.listeners) {
      for (const rule of listener.rules) {
        if (rule.action.forward === undefined) continue;
        if (!rule.isDefault && rule.name === LATTICE_DEFAULT_RULE) {
          collisions.push(rule.arn);
          continue;
        }
        const id: LatticeRouteId = {
          provider: 'vpc-lattice',
          serviceNetwork: snapshot.name,
          service: service.name,
          listener: listener.name,
          rule: ruleNameOf(rule),
        };
        routes.push(weightedRouteOfRule(id, rule));
      }
    }
  }
  return { routes, collisions };
}
