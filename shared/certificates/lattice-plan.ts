/**
 * Rotation decisions for the certificates VPC Lattice services serve. Pure: a function of
 * (inventory entry, policy rule, now), like {@link planRotation}, whose due rule, CA choice and
 * names it applies unchanged. What differs is what meshwarden may do on Lattice: renew an ACM
 * private certificate in place (ACM RenewCertificate, same ARN), nothing else.
 *
 * The same ARN is why no Lattice write is needed: a service names its certificate by ARN
 * (GetService `certificateArn`), and its HTTPS listeners serve whatever ACM holds under that ARN,
 * so a renewal reaches them with the service untouched. A new certificate (another CA, other
 * names) would need UpdateService to move the service to its ARN, which meshwarden does not do
 * on Lattice: that is refused with the reason, for a person to do.
 */
import type { CertificatesSection } from '../policy/sections/certificates';
import type { InventoryEntry } from './inventory';
import { type PlanOptions, planRotation, type RotationPlan } from './plan';

/**
 * A Lattice certificate's plan: a rotation plan, or `unmanaged`, a certificate meshwarden
 * reports and leaves to whoever renews it (ACM itself, or its owner).
 */
export type LatticeRotationPlan =
  | RotationPlan
  | { readonly action: 'unmanaged'; readonly entry: InventoryEntry; readonly reason: string };

function expiry(entry: InventoryEntry): string {
  return entry.facts ? ` (expires ${entry.facts.notAfter})` : '';
}

/** Why a certificate that is due would need more than a renewal in place, as a refusal. */
function notRenewable(plan: Extract<RotationPlan, { action: 'rotate' }>): string {
  const entry = plan.entry;
  const issuer = entry.issuingCaArn;
  let why: string;
  if (issuer !== undefined && issuer !== plan.caArn)
    why = `it was issued by ${issuer}, and the policy's certificates rule names ${plan.caArn}`;
  else if (plan.sans.join(',') !== (entry.facts?.sans ?? []).join(','))
    why = `its names ${(entry.facts?.sans ?? []).join(', ')} differ from ${plan.sans.join(', ')}`;
  else
    why =
      'ACM would not renew it in place (RenewalEligibility INELIGIBLE: neither in use nor exported since it was issued or last renewed)';
  return `${why}: a new certificate on the service (UpdateService) is for a person to make, meshwarden only renews VPC Lattice certificates in place; due because ${plan.reason}`;
}

/** Decide what to do with one certificate a Lattice service serves. */
export function planLatticeRotation(
  entry: InventoryEntry,
  section: CertificatesSection | undefined,
  now: Date,
  options: PlanOptions = {},
): LatticeRotationPlan {
  if (entry.origin === 'acm-amazon-issued')
    return {
      action: 'unmanaged',
      entry,
      reason: `a public certificate ACM issued: ACM renews it itself while it is in use and its domain validation holds${expiry(entry)}`,
    };
  if (entry.origin === 'acm-imported')
    return {
      action: 'unmanaged',
      entry,
      reason: `an imported certificate: ACM cannot renew it, and its key and issuer are its owner's, who imports a renewed one into the same ARN${expiry(entry)}`,
    };
  const plan = planRotation(entry, section, now, options);
  if (plan.action !== 'rotate' || plan.delivery === 'acm-renew') return plan;
  return { action: 'refuse', entry, reason: notRenewable(plan) };
}
