/**
 * Pure edits of the ACM PCA validation trusts in virtual node and virtual gateway specs (client
 * policies: backend defaults and per-backend overrides), for CA rollovers. No I/O.
 */

import { formatResourceKey } from '../domain/resource-key';
import type { MeshSnapshot } from '../domain/snapshot';
import { BadRequestError } from '../errors';
import type { ClientPolicy, MeshResourceOf, TlsValidationContextTrust } from '../providers/appmesh/model';

/** App Mesh accepts at most three ACM PCA ARNs in one trust. */
export const MAX_ACM_TRUST_CAS = 3;

export type TrustHolder = MeshResourceOf<'virtual-node'> | MeshResourceOf<'virtual-gateway'>;

type TrustEdit = (arns: readonly string[]) => readonly string[];

function editTrust(trust: TlsValidationContextTrust, edit: TrustEdit): TlsValidationContextTrust {
  if (!('acm' in trust)) return trust;
  const arns = edit(trust.acm.certificateAuthorityArns);
  return arns === trust.acm.certificateAuthorityArns ? trust : { acm: { certificateAuthorityArns: arns } };
}

function editPolicy(policy: ClientPolicy | undefined, edit: TrustEdit): ClientPolicy | undefined {
  const tls = policy?.tls;
  if (tls === undefined) return policy;
  const trust = editTrust(tls.validation.trust, edit);
  return trust === tls.validation.trust
    ? policy
    : { ...policy, tls: { ...tls, validation: { ...tls.validation, trust } } };
}

/** The resource with `edit` applied to each ACM trust, or undefined when nothing changes. */
export function editTrusts<R extends TrustHolder>(resource: R, edit: TrustEdit): R | undefined {
  let changed = false;
  const track = <T>(before: T, after: T): T => {
    if (before !== after) changed = true;
    return after;
  };
  const defaults = resource.spec.backendDefaults;
  const spec: Record<string, unknown> = { ...resource.spec };
  if (defaults?.clientPolicy) {
    spec.backendDefaults = {
      ...defaults,
      clientPolicy: track(defaults.clientPolicy, editPolicy(defaults.clientPolicy, edit)),
    };
  }
  if (resource.kind === 'virtual-node' && resource.spec.backends) {
    spec.backends = resource.spec.backends.map((b) => {
      const policy = b.virtualService.clientPolicy;
      const edited = track(policy, editPolicy(policy, edit));
      return edited === policy ? b : { virtualService: { ...b.virtualService, clientPolicy: edited } };
    });
  }
  return changed ? ({ ...resource, spec } as R) : undefined;
}

/** Add `newCa` next to `oldCa` in every trust that holds `oldCa`. BadRequestError past three CAs. */
export function addCaEdit(oldCa: string, newCa: string, where: string): TrustEdit {
  return (arns) => {
    if (!arns.includes(oldCa) || arns.includes(newCa)) return arns;
    if (arns.length >= MAX_ACM_TRUST_CAS)
      throw new BadRequestError(
        `${where} already trusts ${arns.length} CAs (App Mesh allows ${MAX_ACM_TRUST_CAS}): remove one before adding ${newCa}`,
      );
    return [...arns, newCa];
  };
}

/** Remove `oldCa` from every trust that also holds `newCa` (a trust is never left empty). */
export function removeCaEdit(oldCa: string, newCa: string): TrustEdit {
  return (arns) => (arns.includes(oldCa) && arns.includes(newCa) ? arns.filter((a) => a !== oldCa) : arns);
}

/** Every ACM trust of the mesh as (resource key, CA ARNs). */
export function acmTrusts(snapshot: MeshSnapshot): { resourceKey: string; arns: readonly string[] }[] {
  const found: { resourceKey: string; arns: readonly string[] }[] = [];
  for (const resource of [...snapshot.virtualNodes, ...snapshot.virtualGateways]) {
    const resourceKey = formatResourceKey(resource);
    editTrusts(resource, (arns) => {
      found.push({ resourceKey, arns });
      return arns;
    });
  }
  return found;
}

/** Resources with a trust that holds `oldCa` but not `newCa`: clients that would refuse a certificate from `newCa`. */
export function notYetTrusting(snapshot: MeshSnapshot, oldCa: string, newCa: string): string[] {
  return [
    ...new Set(
      acmTrusts(snapshot)
        .filter((t) => t.arns.includes(oldCa) && !t.arns.includes(newCa))
        .map((t) => t.resourceKey),
    ),
  ];
}
