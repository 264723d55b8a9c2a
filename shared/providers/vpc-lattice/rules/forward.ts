import type { RuleAction } from '@aws-sdk/client-vpc-lattice';
import { exceededTargetLimit, sendsNoTraffic } from '../../../policy/neutral/routes';
import { idOf } from '../arns';
import { MAX_LATTICE_WEIGHT } from '../mapping';
import { latticeTargetsOf } from '../service-graph';
import { describeLatticeSubject } from './resource';
import { defineLatticeRule } from './rule';

/** VPC Lattice forwards to at most this many target groups per action. */
export const MAX_LATTICE_TARGET_GROUPS = 10;

function targetsOf(action: RuleAction) {
  return action.forward?.targetGroups ?? [];
}

/**
 * `lattice.forward-limits`: a forward action names at most 10 target groups (fewer when the
 * policy's `routes.maxWeightedTargets` says so; the neutral limit check, shared with
 * `route.max-targets`), each with an integer weight in 0..999.
 */
export const latticeForwardLimits = defineLatticeRule({
  id: 'lattice.forward-limits',
  category: 'consistency',
  kinds: ['rule'],
  check(subject, ctx) {
    const route = { targets: latticeTargetsOf(subject.rule) };
    const name = describeLatticeSubject(subject);
    const failures: string[] = [];
    const exceeded = exceededTargetLimit(route, {
      policy: ctx.compliance.routes?.maxWeightedTargets,
      provider: MAX_LATTICE_TARGET_GROUPS,
    });
    if (exceeded !== undefined) {
      const who = exceeded.setBy === 'policy' ? 'the policy' : 'VPC Lattice';
      failures.push(
        `${name} forwards to ${exceeded.count} target groups; ${who} allows at most ${exceeded.max}: remove the target groups that no longer take traffic.`,
      );
    }
    // The weight range is a Lattice fact, so this half of the rule stays Lattice's own.
    for (const { target, weight } of route.targets) {
      if (Number.isInteger(weight) && weight >= 0 && weight <= MAX_LATTICE_WEIGHT) continue;
      failures.push(
        `${name} gives target group ${target === '' ? '?' : target} weight ${weight}; weights are whole numbers from 0 to ${MAX_LATTICE_WEIGHT}: set it within that range.`,
      );
    }
    return failures;
  },
});

/**
 * `lattice.weights-nonzero`: a forward action gives some target group a weight above 0 (the
 * neutral check, shared with `route.weights-nonzero`).
 */
export const latticeWeightsNonZero = defineLatticeRule({
  id: 'lattice.weights-nonzero',
  category: 'consistency',
  kinds: ['rule'],
  check(subject) {
    if (!sendsNoTraffic({ targets: latticeTargetsOf(subject.rule) })) return [];
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
