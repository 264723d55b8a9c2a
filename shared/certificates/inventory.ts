/**
 * The certificate inventory of a mesh: every certificate and trust it relies on, with subject,
 * names, issuer, validity and the resources that use it, soonest expiry first.
 */
import type { MeshSnapshot } from '../domain/snapshot';
import { BadRequestError } from '../errors';
import type { CertificatesSection } from '../policy/sections/certificates';
import type {
  CertificateFacts,
  CertificateLocation,
  CertificateStore,
  MeshProvider,
  StoredCertificate,
} from '../ports';
import type { CaDirectory } from './ca-directory';
import { mapConcurrent } from './concurrency';
import { factsOf, parseCertificate } from './pem';
import {
  type CertificateUse,
  collectReferences,
  groupById,
  type LeafReference,
  type TrustReference,
} from './references';
import { retryThrottled } from './retry';

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One certificate or trust the mesh relies on. */
export interface InventoryEntry {
  /** `acm:<arn>`, `secret:<name>`, `ca:<arn>`, or `file:`/`sds:` for an unmapped reference. */
  readonly id: string;
  readonly type: 'leaf' | 'trust';
  readonly location?: CertificateLocation;
  readonly caArn?: string;
  /** Absent when the certificate could not be read (see `problem`). */
  readonly facts?: CertificateFacts;
  readonly origin?: StoredCertificate['origin'];
  /** The CA that issued a leaf, when known. */
  readonly issuingCaArn?: string;
  /** An ACM private certificate ACM would renew in place (see StoredCertificate.renewalEligible). */
  readonly renewable?: boolean;
  readonly usedBy: readonly CertificateUse[];
  /** Why the certificate could not be read, e.g. an SDS secret no policy mapping names. */
  readonly problem?: string;
  /** Whether Envoy can load a leaf, when its store says; absent: judged by `origin` (see handshake-guard). */
  readonly servable?: boolean;
}

export interface CertificateInventory {
  readonly meshName: string;
  readonly takenAt: string;
  readonly entries: readonly InventoryEntry[];
  /** The snapshot the inventory was taken from (rotation plans from the same read). */
  readonly snapshot: MeshSnapshot;
}

export interface InventoryDeps {
  readonly meshes: MeshProvider;
  readonly store: CertificateStore;
  readonly cas: CaDirectory;
  readonly now: () => Date;
  /** Describe calls in flight at once. */
  readonly concurrency?: number;
  /** How to wait between retries of a throttled read. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Soonest expiry first; unreadable ones last, then by id so the order is stable. */
export function byExpiry(a: InventoryEntry, b: InventoryEntry): number {
  const ta = a.facts ? Date.parse(a.facts.notAfter) : Number.POSITIVE_INFINITY;
  const tb = b.facts ? Date.parse(b.facts.notAfter) : Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

async function describeLeaf(
  deps: Pick<InventoryDeps, 'store' | 'cas' | 'sleep'>,
  id: string,
  location: CertificateLocation | undefined,
  uses: CertificateUse[],
  trustedCas: ReadonlySet<string>,
): Promise<InventoryEntry> {
  if (location === undefined) {
    return {
      id,
      type: 'leaf',
      usedBy: uses,
      problem: 'no certificates.secrets mapping names the secret that delivers it',
    };
  }
  let stored: StoredCertificate | undefined;
  try {
    stored = await retryThrottled(() => deps.store.describe(location), deps.sleep ?? wait);
  } catch (error) {
    if (!(error instanceof BadRequestError)) throw error;
    return { id, type: 'leaf', location, usedBy: uses, problem: error.message };
  }
  if (stored === undefined) return { id, type: 'leaf', location, usedBy: uses, problem: 'not found' };
  const issuingCaArn = stored.issuingCaArn ?? (await deps.cas.issuerOf(stored.issuer, trustedCas));
  const { subject, sans, issuer, notBefore, notAfter } = stored;
  return {
    id,
    type: 'leaf',
    location,
    facts: { subject, sans, issuer, notBefore, notAfter },
    origin: stored.origin,
    ...(issuingCaArn ? { issuingCaArn } : {}),
    ...(stored.renewalEligible === undefined ? {} : { renewable: stored.renewalEligible }),
    ...(stored.servable === undefined ? {} : { servable: stored.servable }),
    usedBy: uses,
  };
}

/**
 * The certificates and trusts something relies on, whatever the provider: who holds which
 * certificate. App Mesh's come from its specs (collectReferences); another provider lists its own.
 */
export interface CertificatesInUse {
  readonly leaves: readonly LeafReference[];
  readonly trusts: readonly TrustReference[];
}

/** Describe every certificate and trust in use (store reads, CA reads), soonest expiry first. */
export async function describeCertificatesInUse(
  deps: Pick<InventoryDeps, 'store' | 'cas' | 'concurrency' | 'sleep'>,
  { leaves, trusts }: CertificatesInUse,
): Promise<InventoryEntry[]> {
  const trustedCas = new Set(trusts.flatMap((t) => (t.caArn ? [t.caArn] : [])));
  const limit = deps.concurrency ?? 8;
  const leafEntries = await mapConcurrent(groupById(leaves), limit, ({ first, uses }) =>
    describeLeaf(deps, first.id, first.location, uses, trustedCas),
  );
  const trustEntries = await mapConcurrent(groupById(trusts), limit, async ({ first, uses }) => {
    if (first.caArn !== undefined) {
      const state = await deps.cas.get(first.caArn);
      if (state === undefined || state.certificatePem === '')
        return {
          id: first.id,
          type: 'trust',
          caArn: first.caArn,
          usedBy: uses,
          problem: 'CA not found',
        } as const;
      return {
        id: first.id,
        type: 'trust',
        caArn: first.caArn,
        facts: factsOf(await parseCertificate(state.certificatePem)),
        usedBy: uses,
      } as const;
    }
    const entry = await describeLeaf(deps, first.id, first.location, uses, new Set());
    return { ...entry, type: 'trust' } as const;
  });
  return [...leafEntries, ...trustEntries].sort(byExpiry);
}

/** Read the mesh and every certificate and trust it relies on. */
export async function takeCertificateInventory(
  deps: InventoryDeps,
  meshName: string,
  section: CertificatesSection | undefined,
  snapshot?: MeshSnapshot,
): Promise<CertificateInventory> {
  const mesh = snapshot ?? (await deps.meshes.readMesh(meshName));
  const entries = await describeCertificatesInUse(deps, collectReferences(mesh, section));
  return {
    meshName,
    takenAt: deps.now().toISOString(),
    entries,
    snapshot: mesh,
  };
}
