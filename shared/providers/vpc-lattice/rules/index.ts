/** Every VPC Lattice rule, in the order findings are reported. */
import { latticeAccessGraph, latticeIamAuth } from './auth';
import { latticeForwardLimits, latticeTargetGroupExists, latticeWeightsNonZero } from './forward';
import type { LatticeRule } from './rule';
import { latticeAllowedCa, latticeHttpsOnly } from './tls';

/** All Lattice rules; a unit test checks that every Lattice id in RULE_IDS has exactly one. */
export const LATTICE_RULES: readonly LatticeRule[] = [
  latticeHttpsOnly,
  latticeAllowedCa,
  latticeIamAuth,
  latticeAccessGraph,
  latticeForwardLimits,
  latticeWeightsNonZero,
  latticeTargetGroupExists,
];

export type { LatticeRule, LatticeRuleContext } from './rule';
