/**
 * One rotation run over the governed meshes and VPC Lattice service networks: inventory, plan
 * each leaf certificate, resume any rotation a crashed run left unfinished, rotate what is due.
 * Used by the daily schedule, the ACM expiry event and `meshwarden certs rotate`. Two
 * inventories, one engine: a Lattice certificate is planned by the same due rule and rotated
 * through the same records, idempotency, crash resume, audit and notices as an App Mesh one.
 */
import { asError, MeshwardenError, NotFoundError } from '../errors';
import type { CompiledPolicy } from '../policy/compile';
import type { CertificatesSection } from '../policy/sections/certificates';
import {
  latticeCertificatesInUse,
  type ServiceNetworkCertificatesReader,
} from '../providers/vpc-lattice/certificates';
import { mapConcurrent } from './concurrency';
import { type HandshakeWorld, namesCallersValidate } from './handshake';
import { refusePlannedRenewal, worldOf } from './handshake-guard';
import {
  describeCertificatesInUse,
  type InventoryDeps,
  type InventoryEntry,
  takeCertificateInventory,
} from './inventory';
import { loadCaSuccession } from './issuer-memory';
import { planLatticeRotation } from './lattice-plan';
import { type PlanOptions, planRotation, type RotationPlan } from './plan';
import { isFinished, type RotationRecord, rotationKey } from './records';
import { type RotationDeps, type RotationResult, rotateCertificate } from './rotate-certificate';
import { notYetTrusting } from './trusts';

export type SweepAction =
  | 'rotated'
  | 'refused'
  | 'busy'
  | 'failed'
  | 'not-due'
  | 'would-rotate'
  | 'needs-rollover'
  /** Reported, not rotated: ACM renews it itself, or its owner does (VPC Lattice). */
  | 'unmanaged';

export interface SweepItem {
  readonly meshName: string;
  readonly id: string;
  readonly action: SweepAction;
  readonly reason: string;
  readonly resumedFrom?: string;
  /** For `needs-rollover`: the CA clients trust now and the one the policy wants. */
  readonly rollover?: { readonly oldCaArn: string; readonly newCaArn: string };
}

export interface SweepOptions extends PlanOptions {
  /** Plan and report only: no record, no issue, no delivery. */
  readonly dryRun?: boolean;
  /** Only this certificate: an inventory id, an ACM ARN, a secret name or a resource key using it. */
  readonly only?: string;
  /** Rotations in flight at once. Default 8. */
  readonly concurrency?: number;
  /** Tag rotations with the rollover that forced them. */
  readonly rolloverId?: string;
  /** Only leaves issued by this CA (rollover phase 2). */
  readonly issuedBy?: string;
}

export type SweepDeps = RotationDeps &
  InventoryDeps & {
    /** Reads the certificates of VPC Lattice service networks; needed only to sweep one. */
    readonly serviceNetworks?: ServiceNetworkCertificatesReader;
  };

function matchesOnly(plan: { readonly entry: InventoryEntry }, only: string | undefined): boolean {
  if (only === undefined) return true;
  const entry = plan.entry;
  const location = entry.location;
  return (
    entry.id === only ||
    (location?.kind === 'acm' && location.arn === only) ||
    (location?.kind === 'secret' && location.name === only) ||
    entry.usedBy.some((u) => u.resourceKey === only)
  );
}

function fromResult(result: RotationResult): SweepItem {
  return {
    meshName: result.meshName,
    id: result.id,
    action: result.outcome,
    reason: result.reason,
    ...(result.resumedFrom ? { resumedFrom: result.resumedFrom } : {}),
  };
}

/**
 * Settle one plan. `world`: the mesh's handshakes, which a renewal must not break and whose
 * trusts a new CA must be in first; none on VPC Lattice, which validates no peers.
 */
async function handlePlan(
  deps: SweepDeps,
  meshName: string,
  plan: RotationPlan,
  world: HandshakeWorld | undefined,
  options: SweepOptions,
): Promise<SweepItem> {
  const id = plan.entry.id;
  const handshake = world === undefined ? {} : { handshake: world };
  if (plan.entry.type !== 'leaf') return { meshName, id, action: 'not-due', reason: plan.reason };
  const pending = await deps.rotations.get<RotationRecord>(rotationKey(id));
  const unfinished = pending !== undefined && !isFinished(pending.status);
  if (options.dryRun) {
    if (unfinished) return { meshName, id, action: 'would-rotate', reason: `resume from ${pending.status}` };
    const breaks =
      plan.action === 'rotate' && world !== undefined
        ? await refusePlannedRenewal(world, deps.cas, plan)
        : undefined;
    if (breaks !== undefined) return { meshName, id, action: 'refused', reason: breaks };
    if (plan.action === 'rotate') return { meshName, id, action: 'would-rotate', reason: plan.reason };
    return { meshName, id, action: plan.action === 'skip' ? 'not-due' : 'refused', reason: plan.reason };
  }
  if (unfinished) {
    // Whatever the plan says now, a started rotation finishes as recorded (its key may already be signed).
    return fromResult(await rotateCertificate(deps, plan, meshName, { ...options, ...handshake }));
  }
  if (plan.action === 'skip') return { meshName, id, action: 'not-due', reason: plan.reason };
  if (plan.action === 'refuse') return { meshName, id, action: 'refused', reason: plan.reason };
  if (world === undefined)
    return fromResult(await rotateCertificate(deps, plan, meshName, { ...options, ...handshake }));
  const breaks = await refusePlannedRenewal(world, deps.cas, plan);
  if (breaks !== undefined) return { meshName, id, action: 'refused', reason: breaks };
  const oldCa = plan.entry.issuingCaArn;
  if (oldCa !== undefined && oldCa !== plan.caArn) {
    const untrusting = notYetTrusting(world.snapshot, oldCa, plan.caArn);
    if (untrusting.length > 0) {
      return {
        meshName,
        id,
        action: 'needs-rollover',
        reason: `${untrusting.join(', ')} do not trust ${plan.caArn} yet: a CA rollover adds it first`,
        rollover: { oldCaArn: oldCa, newCaArn: plan.caArn },
      };
    }
  }
  return fromResult(await rotateCertificate(deps, plan, meshName, { ...options, ...handshake }));
}

/** Settle each plan, a few at once; a failure of one certificate does not stop the others. */
function settleAll(
  deps: SweepDeps,
  meshName: string,
  plans: readonly RotationPlan[],
  world: HandshakeWorld | undefined,
  options: SweepOptions,
): Promise<SweepItem[]> {
  return mapConcurrent(plans, options.concurrency ?? 8, async (plan) => {
    try {
      return await handlePlan(deps, meshName, plan, world, options);
    } catch (error) {
      return { meshName, id: plan.entry.id, action: 'failed', reason: asError(error).message } as const;
    }
  });
}

/**
 * The certificates of one governed VPC Lattice service network: ACM private certificates from
 * the CA the policy allows are renewed in place when due; imported and public ones reported.
 * A network that does not exist has nothing to rotate (the daily audit reports it missing).
 */
async function sweepServiceNetwork(
  deps: SweepDeps,
  name: string,
  section: CertificatesSection | undefined,
  options: SweepOptions,
): Promise<SweepItem[]> {
  if (deps.serviceNetworks === undefined)
    throw new MeshwardenError(
      `${name} is a VPC Lattice service network, and this run has no VPC Lattice reader`,
    );
  let network: Awaited<ReturnType<ServiceNetworkCertificatesReader['readNetworkCertificates']>>;
  try {
    network = await deps.serviceNetworks.readNetworkCertificates(name);
  } catch (error) {
    if (error instanceof NotFoundError) return [];
    throw error;
  }
  const entries = await describeCertificatesInUse(deps, latticeCertificatesInUse(network));
  const now = deps.now();
  const items: SweepItem[] = [];
  const plans: RotationPlan[] = [];
  for (const entry of entries) {
    const plan = planLatticeRotation(entry, section, now, options);
    if (!matchesOnly(plan, options.only)) continue;
    if (options.issuedBy !== undefined && entry.issuingCaArn !== options.issuedBy) continue;
    if (plan.action !== 'unmanaged') {
      plans.push(plan);
      continue;
    }
    // A rotation a crashed run left unfinished still finishes as recorded.
    const pending = await deps.rotations.get<RotationRecord>(rotationKey(entry.id));
    if (pending !== undefined && !isFinished(pending.status)) plans.push({ ...plan, action: 'skip' });
    else items.push({ meshName: name, id: entry.id, action: 'unmanaged', reason: plan.reason });
  }
  return [...items, ...(await settleAll(deps, name, plans, undefined, options))];
}

/**
 * Rotate what is due in each mesh or VPC Lattice service network (a name whose policy entry has
 * `provider: vpc-lattice`). A failure of one certificate does not stop the others.
 */
export async function sweepCertificates(
  deps: SweepDeps,
  policy: CompiledPolicy,
  meshNames: readonly string[],
  options: SweepOptions = {},
): Promise<SweepItem[]> {
  const items: SweepItem[] = [];
  for (const meshName of meshNames) {
    const document = policy.forMesh(meshName)?.document;
    const section = document?.certificates as CertificatesSection | undefined;
    if (document?.provider === 'vpc-lattice') {
      items.push(...(await sweepServiceNetwork(deps, meshName, section, options)));
      continue;
    }
    const inventory = await takeCertificateInventory(deps, meshName, section);
    const now = deps.now();
    // Which CA issues: the policy's, else where the mesh's completed rollovers moved the issuer.
    const succession = await loadCaSuccession(deps.rotations, meshName);
    const world = await worldOf(inventory, section, deps.cas, now);
    const leaves = inventory.entries.filter((e) => e.type === 'leaf');
    const namesValidated = new Map(leaves.map((e) => [e.id, namesCallersValidate(world, e.id)]));
    const plans = leaves
      .map((entry) => planRotation(entry, section, now, { ...options, succession, namesValidated }))
      .filter((plan) => matchesOnly(plan, options.only))
      .filter((plan) => options.issuedBy === undefined || plan.entry.issuingCaArn === options.issuedBy);
    items.push(...(await settleAll(deps, meshName, plans, world, options)));
  }
  return items;
}
