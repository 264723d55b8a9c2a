import type { RuleAction } from '@aws-sdk/client-vpc-lattice';
import { idOf } from '../../providers/vpc-lattice/arns';
import { LATTICE_DEFAULT_WEIGHT, MAX_LATTICE_WEIGHT } from '../../providers/vpc-lattice/mapping';
import { describeLatticeSubject } from './resource';
import { defineLatticeRule } from './rule';

/** VPC Lattice forwards to at most this many target groups per action. */
export const MAX_LATTICE_TARGET_GROUPS = 10;

function targetsOf(action: RuleAction) {
  return action.forward?.targetGroups ?? [];
}

/**
 * `lattice.forward-limits`: a forward action names at most 10 target groups (fewer when the
 * policy's `routes.maxWeightedTargets` says so), each with an integer weight in 0..999.
 */
export const latticeForwardLimits = defineLatticeRule({
  id: 'lattice.forward-limits',
  category: 'consistency',
  kinds: ['rule'],
  check(subject, ctx) {
    const targets = targetsOf(subject.rule.action);
    const name = describeLatticeSubject(subject);
    const failures: string[] = [];
    const policyMax = ctx.compliance.routes?.maxWeightedTargets;
    const max = Math.min(policyMax ?? MAX_LATTICE_TARGET_GROUPS, MAX_LATTICE_TARGET_GROUPS);
    if (targets.length > max) {
      const who =
        policyMax !== undefined && policyMax < MAX_LATTICE_TARGET_GROUPS ? 'the policy' : 'VPC Lattice';
      failures.push(
        `${name} forwards to ${targets.length} target groups; ${who} allows at most ${max}: remove the target groups that no longer take traffic.`,
      );
    }
    for (const target of targets) {
      const weight = target.weight;
      if (weight === undefined || (Number.isInteger(weight) && weight >= 0 && weight <= MAX_LATTICE_WEIGHT))
        continue;
      failures.push(
        `${name} gives target group ${idOf(target.targetGroupIdentifier ?? '?')} weight ${weight}; weights are whole numbers from 0 to ${MAX_LATTICE_WEIGHT}: set it within that range.`,
      );
    }
    return failures;
  },
});

/** `lattice.weights-nonzero`: a forward action gives some target group a weight above 0. */
export const latticeWeightsNonZero = defineLatticeRule({
  id: 'lattice.weights-nonzero',
  category: 'consistency',
  kinds: ['rule'],
  check(subject) {
    const targets = targetsOf(subject.rule.action);
    if (targets.length === 0) return [];
    // A lone target group written without a weight gets Lattice's default; with several, 0.
    const weightOf = (w: number | undefined) => w ?? (targets.length === 1 ? LATTICE_DEFAULT_WEIGHT : 0);
    if (targets.some((t) => weightOf(t.weight) > 0)) return [];
    return [
      `${describeLatticeSubject(subject)} gives every target group weight 0, so it answers no request: give at least one target group a weight above 0.`,
    ];
  },
});

/** `lattice.target-group-exists`: every target group a forward action names exists. */
export const latticeTargetGroupExists = defineLatticeRule({
  id: 'lattice.target-group-exists',
  category: 'consistency',
  kinds: ['rule'],
  check(subject, ctx) {
    return targetsOf(subject.rule.action)
      .map((t) => idOf(t.targetGroupIdentifier ?? ''))
      .filter((id) => !ctx.targetGroupIds.has(id))
      .map(
        (id) =>
          `${describeLatticeSubject(subject)} forwards to target group ${id === '' ? '(none named)' : id}, which does not exist: point it at an existing target group, or create it.`,
      );
  },
});
