/**
 * The handshake model put to work: the facts of a mesh's certificates and trusts from an
 * inventory, and the checks every certificate write passes first: a renewed leaf (at plan
 * time, and again with the issued certificate just before delivery), a trust edit of a CA
 * rollover, and the removal of a CA, which re-reads every leaf in use first. Each refuses with
 * the pairs it would break and why; pairs broken already are never a reason to refuse.
 */
import type { MeshSnapshot } from '../domain/snapshot';
import { BadRequestError } from '../errors';
import type { CertificatesSection } from '../policy/sections/certificates';
import { type CaDirectory, normaliseDn } from './ca-directory';
import {
  compareHandshakes,
  compareRenewal,
  type HandshakeFacts,
  type HandshakeWorld,
  judgeHandshakes,
  type PairVerdict,
  type PeerCertificate,
  pairIndexOf,
  refusalOf,
  type TrustAnchor,
} from './handshake';
import {
  type CertificateInventory,
  type InventoryDeps,
  type InventoryEntry,
  takeCertificateInventory,
} from './inventory';
import { factsOf, parseCertificate, parseCertificates } from './pem';
import type { Delivery, RotationPlan } from './plan';
import type { RotationRecord } from './records';

/** A trust edit refused because it would break handshakes that work today. */
export class HandshakeRefusal extends BadRequestError {}

const IMPORTED =
  'an imported ACM certificate: Envoy fetches ACM certificates with acm:ExportCertificate, which ACM allows only for private certificates';

/**
 * Whether Envoy can load a leaf. The store's word when it gave one; otherwise an ACM
 * certificate is servable only when ACM issued it privately (type PRIVATE).
 */
export function servableOf(entry: InventoryEntry): Pick<PeerCertificate, 'servable' | 'unservable'> {
  if (entry.servable !== undefined)
    return entry.servable
      ? { servable: true }
      : { servable: false, unservable: 'the certificate store says Envoy cannot load it' };
  if (entry.location?.kind === 'acm' && entry.origin !== 'acm-private')
    return { servable: false, unservable: IMPORTED };
  return { servable: true };
}

/** Whether the certificate a delivery leaves at its location can be loaded by Envoy. */
export function servableAfterDelivery(delivery: Delivery): Pick<PeerCertificate, 'servable' | 'unservable'> {
  switch (delivery) {
    case 'secret':
    // ACM private certificates stay private: Envoy exports them.
    case 'acm-renew':
    case 'acm-request':
      return { servable: true };
    case 'reimport':
    case 'import-new':
      return { servable: false, unservable: IMPORTED };
    default: {
      const unknown: never = delivery;
      throw new BadRequestError(`unknown delivery ${String(unknown)}`);
    }
  }
}

/** Distinguished names of the CAs above a private CA (its chain), for trusts that hold a root. */
async function chainAbove(cas: CaDirectory, caArn: string | undefined): Promise<string[]> {
  if (caArn === undefined) return [];
  const state = await cas.get(caArn);
  if (state?.chainPem === undefined || state.chainPem.trim() === '') return [];
  return (await parseCertificates(state.chainPem)).map((c) => c.subject);
}

/** The facts of every certificate and trust in an inventory. */
export async function factsFromInventory(
  inventory: Pick<CertificateInventory, 'entries'>,
  cas: CaDirectory,
): Promise<HandshakeFacts> {
  const certificates = new Map<string, PeerCertificate>();
  const trusts = new Map<string, TrustAnchor[]>();
  for (const entry of inventory.entries) {
    if (entry.facts === undefined) continue;
    if (entry.type === 'trust') {
      // A bundle in a secret is known by its first certificate's subject (the store describes that one).
      trusts.set(entry.id, [
        { ...(entry.caArn ? { caArn: entry.caArn } : {}), subject: entry.facts.subject },
      ]);
      continue;
    }
    const { sans, issuer, notBefore, notAfter } = entry.facts;
    certificates.set(entry.id, {
      sans,
      issuer,
      notBefore,
      notAfter,
      ...(entry.issuingCaArn ? { issuingCaArn: entry.issuingCaArn } : {}),
      chainAbove: await chainAbove(cas, entry.issuingCaArn),
      ...servableOf(entry),
    });
  }
  return { certificates, trusts };
}

/** The handshake world of an inventory. */
export async function worldOf(
  inventory: CertificateInventory,
  section: CertificatesSection | undefined,
  cas: CaDirectory,
  now: Date,
): Promise<HandshakeWorld> {
  return { snapshot: inventory.snapshot, facts: await factsFromInventory(inventory, cas), section, now };
}

/** The certificate a rotation plan would deliver, as far as the plan knows it. */
async function plannedCertificate(
  cas: CaDirectory,
  plan: Extract<RotationPlan, { action: 'rotate' }>,
  now: Date,
): Promise<PeerCertificate> {
  const ca = await cas.get(plan.caArn);
  const issuer =
    ca && ca.certificatePem !== '' ? (await parseCertificate(ca.certificatePem)).subject : plan.caArn;
  return {
    sans: plan.sans,
    issuer,
    issuingCaArn: plan.caArn,
    chainAbove: await chainAbove(cas, plan.caArn),
    notBefore: now.toISOString(),
    notAfter: new Date(now.getTime() + plan.rule.validityDays * 86_400_000).toISOString(),
    ...servableAfterDelivery(plan.delivery),
  };
}

/** Why a planned rotation must not go ahead, before anything is issued; undefined when it may. */
export async function refusePlannedRenewal(
  world: HandshakeWorld,
  cas: CaDirectory,
  plan: Extract<RotationPlan, { action: 'rotate' }>,
): Promise<string | undefined> {
  const proposed = await plannedCertificate(cas, plan, world.now);
  return refusalOf(`renewing ${plan.entry.id}`, compareRenewal(world, plan.entry.id, proposed));
}

/** Why an issued, verified certificate must not be delivered; undefined when it may. */
export async function refuseIssuedRenewal(
  world: HandshakeWorld,
  record: RotationRecord,
  now: Date,
): Promise<string | undefined> {
  if (record.certificatePem === undefined) return undefined;
  const facts = factsOf(await parseCertificate(record.certificatePem));
  const issued: PeerCertificate = {
    sans: facts.sans,
    issuer: facts.issuer,
    issuingCaArn: record.caArn,
    chainAbove:
      (record.chainPem ?? '').trim() === ''
        ? []
        : (await parseCertificates(record.chainPem ?? '')).map((c) => c.subject),
    notBefore: facts.notBefore,
    notAfter: facts.notAfter,
    ...servableAfterDelivery(record.delivery),
  };
  return refusalOf(
    `delivering the new certificate of ${record.locationId}`,
    compareRenewal({ ...world, now }, record.locationId, issued),
  );
}

/**
 * Why a trust edit must not be written: the handshakes of `before` that `after` (the same mesh
 * with the edited trusts) breaks. Every fact is read afresh from `before`'s mesh.
 */
export async function refuseTrustEdit(
  deps: InventoryDeps,
  section: CertificatesSection | undefined,
  before: MeshSnapshot,
  after: MeshSnapshot,
  what: string,
): Promise<string | undefined> {
  const inventory = await takeCertificateInventory(deps, before.meshName, section, before);
  const world = await worldOf(inventory, section, deps.cas, deps.now());
  return refusalOf(what, compareHandshakes(world, { ...world, snapshot: after }));
}

function whereUsed(entry: InventoryEntry): string {
  return [
    ...new Set(
      entry.usedBy.map((u) =>
        u.role === 'listener' ? `${u.resourceKey}:${u.port ?? ''}` : `${u.resourceKey} (${u.role})`,
      ),
    ),
  ].join(', ');
}

/**
 * Before a CA is removed: every leaf in use, read afresh (ACM, secrets, file and SDS through
 * their secrets), that chains only to the old CA, with a sentence each. A leaf that cannot be
 * read counts when a caller that trusts the old CA validates it: nothing shows it chains elsewhere.
 */
export async function leavesStillOnOldCa(
  deps: InventoryDeps,
  meshName: string,
  section: CertificatesSection | undefined,
  oldCaArn: string,
): Promise<{ sentences: string[]; snapshot: MeshSnapshot }> {
  const inventory = await takeCertificateInventory(deps, meshName, section);
  const old = await deps.cas.get(oldCaArn);
  const oldSubject =
    old && old.certificatePem !== ''
      ? normaliseDn((await parseCertificate(old.certificatePem)).subject)
      : undefined;
  const world = await worldOf(inventory, section, deps.cas, deps.now());
  const sentences: string[] = [];
  for (const entry of inventory.entries) {
    if (entry.type !== 'leaf') continue;
    if (entry.facts !== undefined) {
      const byArn = entry.issuingCaArn === oldCaArn;
      const byName =
        entry.issuingCaArn === undefined &&
        oldSubject !== undefined &&
        normaliseDn(entry.facts.issuer) === oldSubject;
      if (byArn || byName)
        sentences.push(`${entry.id} (served by ${whereUsed(entry)}) is issued by the old CA ${oldCaArn}`);
      continue;
    }
    const validatedWithOld = (pairIndexOf(world).byCertificate.get(entry.id) ?? []).some((pair) => {
      const trust = pair.clientPolicy?.tls?.validation.trust;
      return trust !== undefined && 'acm' in trust && trust.acm.certificateAuthorityArns.includes(oldCaArn);
    });
    if (validatedWithOld)
      sentences.push(
        `${entry.id} (served by ${whereUsed(entry)}) cannot be read (${entry.problem ?? 'unknown'}), so nothing shows it chains to another CA`,
      );
  }
  return { sentences, snapshot: inventory.snapshot };
}

/** Every handshake of a mesh as it is now, read afresh (the mesh, then each certificate and trust). */
export async function readHandshakes(
  deps: InventoryDeps,
  meshName: string,
  section: CertificatesSection | undefined,
  snapshot?: MeshSnapshot,
): Promise<PairVerdict[]> {
  const inventory = await takeCertificateInventory(deps, meshName, section, snapshot);
  return judgeHandshakes(await worldOf(inventory, section, deps.cas, deps.now()));
}
