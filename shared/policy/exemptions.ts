/**
 * Exemptions: a resource (by key glob) may break named rules until a date, for a stated
 * reason. An expired exemption no longer applies, and findings it would have covered say so,
 * so an expiry is noticed rather than turning silently into a revert.
 */
import type { CompiledExemption, CompiledMeshPolicy } from './compile';
import type { RuleId } from './rule-ids';

/** How an exemption bears on one finding. */
export interface ExemptionMatch {
  readonly exemption: CompiledExemption;
  readonly expired: boolean;
}

/**
 * The exemption for a finding: an active one if any matches, else an expired one (to report),
 * else undefined.
 */
export function exemptionFor(
  policy: CompiledMeshPolicy | undefined,
  resourceKey: string,
  ruleId: RuleId,
  nowMs: number,
): ExemptionMatch | undefined {
  let expired: CompiledExemption | undefined;
  for (const exemption of policy?.exemptions ?? []) {
    if (!exemption.rules.has(ruleId) || !exemption.resource.test(resourceKey)) continue;
    if (nowMs < exemption.expiresAtMs) return { exemption, expired: false };
    expired ??= exemption;
  }
  return expired === undefined ? undefined : { exemption: expired, expired: true };
}

/** The mesh entry's exemptions that have expired at `nowMs`. */
export function expiredExemptions(
  policy: CompiledMeshPolicy | undefined,
  nowMs: number,
): CompiledExemption[] {
  return (policy?.exemptions ?? []).filter((e) => nowMs >= e.expiresAtMs);
}
