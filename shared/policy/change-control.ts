/**
 * Change control: may this principal make this App Mesh or VPC Lattice call on this resource?
 * A pure function of (policy, principal, action, resource), explained: the decision names the allow
 * rule that matched, or says the default applied, and for a denial what the violation gets.
 */

import { formatResourceKey, type ResourceRef } from '../domain/resource-key';
import type { Principal } from '../events/principal';
import {
  formatLatticeResourceKey,
  isLatticeRef,
  type LatticeResourceRef,
} from '../providers/vpc-lattice/resource-key';
import type { CompiledPolicy } from './compile';
import type { ViolationAction } from './schema';

/** One App Mesh or VPC Lattice call to judge. */
export interface ChangeRequest {
  readonly principal: Principal;
  /** The CloudTrail `eventName`, e.g. `UpdateRoute` or `UpdateRule`. */
  readonly action: string;
  /** An App Mesh resource, or a VPC Lattice one (its `meshName` is the service network). */
  readonly resource: ResourceRef | LatticeResourceRef;
}

/** The resource key of either provider's ref. */
export function keyOfChangedResource(resource: ResourceRef | LatticeResourceRef): string {
  return isLatticeRef(resource) ? formatLatticeResourceKey(resource) : formatResourceKey(resource);
}

/** Why the decision came out as it did. */
export type DecisionBasis =
  | { readonly type: 'rule'; readonly ruleId: string; readonly meshEntry: number }
  | { readonly type: 'default'; readonly meshEntry: number }
  /** No policy entry matches the mesh: meshwarden does not govern it. */
  | { readonly type: 'ungoverned-mesh' };

/** Which setting chose the violation action. */
export type ViolationBasis =
  | { readonly type: 'override'; readonly overrideId: string }
  | { readonly type: 'default' };

/** An allowed change. */
export interface AllowDecision {
  readonly decision: 'allow';
  readonly basis: DecisionBasis;
  readonly explanation: string;
}

/** A change the policy does not allow, and what to do about it. */
export interface DenyDecision {
  readonly decision: 'deny';
  readonly basis: DecisionBasis;
  readonly onViolation: ViolationAction;
  readonly violationBasis: ViolationBasis;
  readonly explanation: string;
}

/** The outcome of {@link decideChange}. */
export type ChangeDecision = AllowDecision | DenyDecision;

/** A short, human name for a caller: `role PlatformAdmin (session admin)`, `IAM user bob`. */
export function describePrincipal(p: Principal): string {
  if (p.type === 'AssumedRole') {
    const oidc = p.oidc === undefined ? '' : ` via ${p.oidc.providerArn ?? p.oidc.provider}`;
    return `role ${p.roleName ?? p.roleArn ?? '?'} (session ${p.sessionName ?? '?'})${oidc}`;
  }
  if (p.type === 'IAMUser') return `IAM user ${p.userName ?? '?'}`;
  if (p.type === 'Role') return `role ${p.roleName ?? p.roleArn ?? '?'}`;
  if (p.type === 'AWSService') return `AWS service ${p.invokedBy ?? '?'}`;
  if (p.type === 'Unidentified') return `unidentified caller ${p.arn ?? '?'}`;
  return `${p.type} ${p.arn ?? p.userName ?? '?'}`;
}

/**
 * What a violation by this principal gets in this mesh's policy: the first violation override
 * whose principals match, else `changeControl.onViolation`. Change control uses it for denied
 * changes; the change-control use case also for allowed changes that break a compliance rule.
 */
export function violationActionOf(
  mesh: NonNullable<ReturnType<CompiledPolicy['forMesh']>>,
  principal: Principal,
): { readonly onViolation: ViolationAction; readonly basis: ViolationBasis } {
  const cc = mesh.changeControl;
  const override = cc.violationOverrides.find((o) => o.principal(principal));
  return override === undefined
    ? { onViolation: cc.onViolation, basis: { type: 'default' } }
    : { onViolation: override.onViolation, basis: { type: 'override', overrideId: override.id } };
}

/** Decide whether a change is allowed under the policy of its mesh. */
export function decideChange(policy: CompiledPolicy, request: ChangeRequest): ChangeDecision {
  const { principal, action, resource } = request;
  const who = describePrincipal(principal);
  const what = `${action} on ${keyOfChangedResource(resource)}`;
  const lattice = isLatticeRef(resource);
  const found = policy.forMesh(resource.meshName);
  // An entry governs its own provider's resources only: an App Mesh glob that happens to match a
  // service network's name says nothing about it.
  const mesh =
    found === undefined || (found.document.provider === 'vpc-lattice') !== lattice ? undefined : found;
  if (mesh === undefined) {
    return {
      decision: 'allow',
      basis: { type: 'ungoverned-mesh' },
      explanation: lattice
        ? `${who} may make ${what}: no vpc-lattice policy entry governs service network ${resource.meshName}.`
        : `${who} may make ${what}: no policy entry governs mesh ${resource.meshName}.`,
    };
  }
  const cc = mesh.changeControl;
  for (const rule of cc.allow) {
    if (!rule.actions.test(action)) continue;
    if (!rule.resources.some((r) => r.test(resource.kind, resource.name, resource.parentName))) continue;
    if (!rule.principal(principal)) continue;
    return {
      decision: 'allow',
      basis: { type: 'rule', ruleId: rule.id, meshEntry: mesh.index },
      explanation: `${who} may make ${what}: allowed by rule ${rule.id}.`,
    };
  }
  if (cc.default === 'allow' && principal.unidentified === undefined) {
    return {
      decision: 'allow',
      basis: { type: 'default', meshEntry: mesh.index },
      explanation: `${who} may make ${what}: no allow rule matches and the default is allow.`,
    };
  }
  const { onViolation, basis: violationBasis } = violationActionOf(mesh, principal);
  const because =
    violationBasis.type === 'default' ? 'the policy default' : `override ${violationBasis.overrideId}`;
  // Fail closed: a caller meshwarden cannot identify is allowed by nothing, not even `default: allow`.
  const why =
    principal.unidentified === undefined
      ? 'no allow rule matches and the default is deny'
      : `the caller cannot be identified (${principal.unidentified}), so no rule and no default allows it`;
  return {
    decision: 'deny',
    basis: { type: 'default', meshEntry: mesh.index },
    onViolation,
    violationBasis,
    explanation: `${who} may not make ${what}: ${why}; ${because} says ${onViolation}.`,
  };
}
