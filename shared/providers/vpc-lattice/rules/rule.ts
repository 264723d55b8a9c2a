/**
 * The shape of a VPC Lattice rule, as App Mesh's (`../../appmesh/rules/rule.ts`): an id, the resource
 * kinds it judges, whether the entry's compliance turns it on, and a pure check returning one
 * sentence per failure that names the resource and says what to do.
 */

import type { CompiledCompliance } from '../../../policy/compile';
import type { RuleId } from '../../../policy/rule-ids';
import type { LatticeServiceNetworkSnapshot } from '../model';
import type { LatticeResourceKind, LatticeSubject } from './resource';

/** What a Lattice rule may read besides the resource it judges. */
export interface LatticeRuleContext {
  readonly network: LatticeServiceNetworkSnapshot;
  readonly compliance: CompiledCompliance;
  /** Ids of the target groups that exist (the snapshot holds those the rules forward to). */
  readonly targetGroupIds: ReadonlySet<string>;
  /** The CA ARN that issued an ACM certificate (ACM DescribeCertificate, read by the caller). */
  readonly certificateAuthorityOf: (certificateArn: string) => string | undefined;
}

export interface LatticeRule {
  readonly id: RuleId;
  readonly category: 'compliance' | 'consistency';
  readonly kinds: readonly LatticeResourceKind[];
  enabled(compliance: CompiledCompliance): boolean;
  check(subject: LatticeSubject, ctx: LatticeRuleContext): string[];
}

type SubjectOf<K extends LatticeResourceKind> = Extract<LatticeSubject, { kind: K }>;

/** Define a Lattice rule over some kinds, with the subject already narrowed. */
export function defineLatticeRule<K extends LatticeResourceKind>(definition: {
  readonly id: RuleId;
  readonly category: 'compliance' | 'consistency';
  readonly kinds: readonly K[];
  readonly enabled?: (compliance: CompiledCompliance) => boolean;
  readonly check: (subject: SubjectOf<K>, ctx: LatticeRuleContext) => string[];
}): LatticeRule {
  const kinds: readonly LatticeResourceKind[] = definition.kinds;
  return {
    id: definition.id,
    category: definition.category,
    kinds,
    enabled: definition.enabled ?? (() => true),
    check: (subject, ctx) =>
      kinds.includes(subject.kind) ? definition.check(subject as SubjectOf<K>, ctx) : [],
  };
}
