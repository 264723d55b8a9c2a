/**
 * One rotation run over the governed meshes: inventory, plan each leaf certificate, resume any
 * rotation a crashed run left unfinished, rotate what is due. Used by the daily schedule, the
 * ACM expiry event and `meshwarden certs rotate`.
 */
import { asError } from '../errors';
import type { CompiledPolicy } from '../policy/compile';
import type { CertificatesSection } from '../policy/sections/certificates';
import { mapConcurrent } from './concurrency';
import { type HandshakeWorld, namesCallersValidate } from './handshake';
import { refusePlannedRenewal, worldOf } from './handshake-guard';
import { type InventoryDeps, takeCertificateInventory } from './inventory';
import { loadCaSuccession } from './issuer-memory';
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
  | 'needs-rollover';

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

export type SweepDeps = RotationDeps & InventoryDeps;

function matchesOnly(plan: RotationPlan, only: string | undefined): boolean {
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

async function handlePlan(
  deps: SweepDeps,
  meshName: string,
  plan: RotationPlan,
  world: HandshakeWorld,
  options: SweepOptions,
): Promise<SweepItem> {
  const snapshot = world.snapshot;
  const id = plan.entry.id;
  if (plan.entry.type !== 'leaf') return { meshName, id, action: 'not-due', reason: plan.reason };
  const pending = await deps.rotations.get<RotationRecord>(rotationKey(id));
  const unfinished = pending !== undefined && !isFinished(pending.status);
  if (options.dryRun) {
    if (unfinished) return { meshName, id, action: 'would-rotate', reason: `resume from ${pending.status}` };
    const breaks = plan.action === 'rotate' ? await refusePlannedRenewal(world, deps.cas, plan) : undefined;
    if (breaks !== undefined) return { meshName, id, action: 'refused', reason: breaks };
    if (plan.action === 'rotate') return { meshName, id, action: 'would-rotate', reason: plan.reason };
    return { meshName, id, action: plan.action === 'skip' ? 'not-due' : 'refused', reason: plan.reason };
  }
  if (unfinished) {
    // Whatever the plan says now, a started rotation finishes as recorded (its key may already be signed).
    return fromResult(await rotateCertificate(deps, plan, meshName, { ...options, handshake: world }));
  }
  if (plan.action === 'skip') return { meshName, id, action: 'not-due', reason: plan.reason };
  if (plan.action === 'refuse') return { meshName, id, action: 'refused', reason: plan.reason };
  const breaks = await refusePlannedRenewal(world, deps.cas, plan);
  if (breaks !== undefined) return { meshName, id, action: 'refused', reason: breaks };
  const oldCa = plan.entry.issuingCaArn;
  if (oldCa !== undefined && oldCa !== plan.caArn) {
    const untrusting = notYetTrusting(snapshot, oldCa, plan.caArn);
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
  return fromResult(await rotateCertificate(deps, plan, meshName, { ...options, handshake: world }));
}

/** Rotate what is due in each mesh. A failure of one certificate does not stop the others. */
export async function sweepCertificates(
  deps: SweepDeps,
  policy: CompiledPolicy,
  meshNames: readonly string[],
  options: SweepOptions = {},
): Promise<SweepItem[]> {
  const items: SweepItem[] = [];
  for (const meshName of meshNames) {
    const section = policy.forMesh(meshName)?.document.certificates as CertificatesSection | undefined;
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
    const results = await mapConcurrent(plans, options.concurrency ?? 8, async (plan) => {
      try {
        return await handlePlan(deps, meshName, plan, world, options);
      } catch (error) {
        return { meshName, id: plan.entry.id, action: 'failed', reason: asError(error).message } as const;
      }
    });
    items.push(...results);
  }
  return items;
}
