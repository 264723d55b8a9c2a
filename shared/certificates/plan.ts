/**
 * Pure rotation decisions: is a certificate due, from which CA, for which names, delivered
 * how. A function of (inventory entry, policy rule, now); no I/O.
 */
import {
  type CertificateRule,
  type CertificatesSection,
  certificateRuleFor,
} from '../policy/sections/certificates';
import type { CertificateLocation } from '../ports';
import { nameCovers } from './handshake';
import type { InventoryEntry } from './inventory';
import { type CaSuccession, successorOf } from './issuer-memory';

/**
 * How a renewed certificate reaches its users.
 * - `acm-renew`: an ACM private certificate, same CA and names: ACM RenewCertificate, same ARN.
 * - `acm-request`: an ACM private certificate whose CA or names change: ACM RequestCertificate
 *   for a new private certificate, then the listeners move to its ARN. Both stay exportable,
 *   which is how Envoy loads an App Mesh listener's ACM certificate.
 * - `reimport`: an imported ACM certificate, re-imported under the same ARN.
 * - `secret`: a new version of the Secrets Manager secret behind a file or SDS certificate.
 * - `import-new`: no longer planned (it made private certificates imported, which Envoy cannot
 *   export); kept so a rotation recorded with it before still resumes.
 */
export type Delivery = 'reimport' | 'secret' | 'import-new' | 'acm-renew' | 'acm-request';

export type RotationPlan =
  | {
      readonly action: 'rotate';
      readonly entry: InventoryEntry;
      readonly location: CertificateLocation;
      readonly rule: CertificateRule;
      readonly caArn: string;
      readonly sans: readonly string[];
      readonly delivery: Delivery;
      readonly reason: string;
    }
  | { readonly action: 'skip'; readonly entry: InventoryEntry; readonly reason: string }
  | { readonly action: 'refuse'; readonly entry: InventoryEntry; readonly reason: string };

const DAY_MS = 86_400_000;

/** The instant a certificate becomes due under a rule. */
export function dueAt(notBefore: string, notAfter: string, rule: CertificateRule): number {
  const start = Date.parse(notBefore);
  const end = Date.parse(notAfter);
  if ('daysBeforeExpiry' in rule.renew) return end - rule.renew.daysBeforeExpiry * DAY_MS;
  return start + (end - start) * rule.renew.shareOfLifetime;
}

function satisfiesAll(names: readonly string[], lists: readonly (readonly string[])[]): boolean {
  return lists.every((list) => names.some((c) => list.some((n) => nameCovers(c, n))));
}

/**
 * The names a renewed certificate must carry, or why there is no single answer. `validated`:
 * the name lists the callers that accept the certificate today check it against. A certificate
 * keeps its current names rather than be "corrected" to names one of them would refuse.
 */
export function expectedSans(
  entry: InventoryEntry,
  rule: CertificateRule,
  validated: readonly (readonly string[])[] = [],
): readonly string[] | string {
  const current = entry.facts?.sans ?? [];
  const nodeUses = entry.usedBy.filter((u) => u.kind === 'virtual-node');
  const keep = () => (current.length > 0 ? current : 'the current certificate names no DNS name to keep');
  if (rule.san === 'keep' || nodeUses.length === 0) return keep();
  const names = [...new Set(nodeUses.map((u) => u.serviceName))];
  if (names.some((n) => n === undefined)) return 'a virtual node using it has no service discovery DNS name';
  if (names.length > 1)
    return `it is shared by virtual nodes with different service names (${names.join(', ')}); give each its own certificate`;
  const discovered = names as string[];
  if (!satisfiesAll(discovered, validated) && satisfiesAll(current, validated)) return keep();
  return discovered;
}

/** Options of a plan. */
export interface PlanOptions {
  /** Rotate whether due or not (CA rollover phase 2, `certs rotate --force`). */
  readonly force?: boolean;
  /** Issue from this CA whatever the policy says (CA rollover). */
  readonly caArn?: string;
  /** The mesh's completed CA rollovers: a leaf from a retired CA is issued by its successor. */
  readonly succession?: CaSuccession;
  /** Per certificate id: the name lists its callers validate it against (see {@link expectedSans}). */
  readonly namesValidated?: ReadonlyMap<string, readonly (readonly string[])[]>;
}

/** Decide what to do with one leaf certificate. */
export function planRotation(
  entry: InventoryEntry,
  section: CertificatesSection | undefined,
  now: Date,
  options: PlanOptions = {},
): RotationPlan {
  if (entry.type !== 'leaf') return { action: 'skip', entry, reason: 'a trust, not a leaf certificate' };
  if (entry.location === undefined || entry.facts === undefined)
    return { action: 'refuse', entry, reason: entry.problem ?? 'the certificate cannot be read' };
  const firstUse = entry.usedBy[0];
  const rule = certificateRuleFor(section, firstUse?.resourceKey ?? '');
  // The policy, else the last completed rollover away from the current issuer; the current
  // issuer only when no rollover retired it.
  const caArn =
    options.caArn ??
    rule.issuingCaArn ??
    successorOf(options.succession ?? [], entry.issuingCaArn) ??
    entry.issuingCaArn;
  if (caArn === undefined)
    return {
      action: 'refuse',
      entry,
      reason: `the CA that issued it (${entry.facts.issuer}) is not known: set certificates.rules[].issuingCaArn`,
    };
  const sans = expectedSans(entry, rule, options.namesValidated?.get(entry.id));
  if (typeof sans === 'string') return { action: 'refuse', entry, reason: sans };
  const due = dueAt(entry.facts.notBefore, entry.facts.notAfter, rule);
  const expired = Date.parse(entry.facts.notAfter) <= now.getTime();
  const caChanges = entry.issuingCaArn !== undefined && entry.issuingCaArn !== caArn;
  const namesChange = sans.join(',') !== [...entry.facts.sans].join(',');
  let reason: string | undefined;
  if (options.force) reason = 'forced';
  else if (expired) reason = `expired at ${entry.facts.notAfter}`;
  else if (now.getTime() >= due)
    reason = `due since ${new Date(due).toISOString()} (expires ${entry.facts.notAfter})`;
  else if (caChanges)
    reason =
      rule.issuingCaArn === undefined && options.caArn === undefined
        ? `its CA ${entry.issuingCaArn} was rolled over to ${caArn}`
        : `the issuing CA changes to ${caArn}`;
  else if (namesChange) reason = `its names ${entry.facts.sans.join(', ')} differ from ${sans.join(', ')}`;
  if (reason === undefined)
    return { action: 'skip', entry, reason: `not due until ${new Date(due).toISOString()}` };
  const location = entry.location;
  let delivery: Delivery = location.kind === 'secret' ? 'secret' : 'reimport';
  if (entry.origin === 'acm-private')
    // ACM renews in place only from the CA that issued it, for the names it has, once eligible.
    delivery = !caChanges && !namesChange && entry.renewable === true ? 'acm-renew' : 'acm-request';
  return { action: 'rotate', entry, location, rule, caArn, sans, delivery, reason };
}
