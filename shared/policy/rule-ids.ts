/**
 * Every rule the judge knows, by id. Compliance rules run when the policy enables them;
 * consistency rules always run (they catch the usual causes of mesh incidents) unless an
 * exemption says otherwise. The policy schema refuses exemptions naming any other id.
 */
export const COMPLIANCE_RULE_IDS = [
  'tls.strict',
  'tls.allowed-ca',
  'backend.client-tls',
  'access.graph',
  'route.retry-policy',
  'route.timeout',
  'route.max-targets',
  'route.weights-nonzero',
  'health-check.required',
  'tags.required',
] as const;

/** Rules that hold whatever the policy says. */
export const CONSISTENCY_RULE_IDS = [
  'consistency.target-port',
  'consistency.route-protocol',
  'consistency.route-has-traffic',
  'consistency.provider-exists',
  'consistency.backend-exists',
  'consistency.no-routing-loop',
  'tls.handshake',
] as const;

/**
 * The rules of a VPC Lattice entry's service network. The compliance ones read the same
 * compliance settings as App Mesh's (tls, accessGraph, routes); the consistency ones always run.
 */
export const LATTICE_COMPLIANCE_RULE_IDS = [
  'lattice.https-only',
  'lattice.allowed-ca',
  'lattice.iam-auth',
  'lattice.access-graph',
] as const;

/** Lattice rules that hold whatever the policy says. */
export const LATTICE_CONSISTENCY_RULE_IDS = [
  'lattice.forward-limits',
  'lattice.weights-nonzero',
  'lattice.target-group-exists',
] as const;

/** The App Mesh rule ids (judged by `rules/`). */
export const APPMESH_RULE_IDS = [...COMPLIANCE_RULE_IDS, ...CONSISTENCY_RULE_IDS] as const;

/** The VPC Lattice rule ids (judged by `lattice/`). */
export const LATTICE_RULE_IDS = [...LATTICE_COMPLIANCE_RULE_IDS, ...LATTICE_CONSISTENCY_RULE_IDS] as const;

/** Every rule id. */
export const RULE_IDS = [...APPMESH_RULE_IDS, ...LATTICE_RULE_IDS] as const;

/** The id of a compliance or consistency rule. */
export type RuleId = (typeof RULE_IDS)[number];

/** True when `value` names a known rule. */
export function isRuleId(value: string): value is RuleId {
  return (RULE_IDS as readonly string[]).includes(value);
}
