/**
 * CA rollover in three phases, each verified before the next:
 * 1. trust both: add the new CA to every validation trust that holds the old one;
 * 2. re-issue every leaf certificate from the new CA;
 * 3. after an approval, remove the old CA from every trust.
 * Progress is recorded (`ROTATION#ROLLOVER#<id>`), so the same command or event continues
 * where the last run stopped.
 */
import { createHash } from 'node:crypto';
import { type DecisionRefusalReason, loadStoredDecision } from '../approvals/verified-decision';
import type { MeshSnapshot } from '../domain/snapshot';
import { BadRequestError } from '../errors';
import type { ApprovalDecidedDetail, ApprovalRequestedDetail } from '../events/approvals';
import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import type { CompiledPolicy } from '../policy/compile';
import type { CertificatesSection } from '../policy/sections/certificates';
import type { ApprovalStore, VersionedRecord } from '../ports';
import { HandshakeRefusal, leavesStillOnOldCa, refuseTrustEdit } from './handshake-guard';
import { takeCertificateInventory } from './inventory';
import { rememberRollover } from './issuer-memory';
import { retryThrottled } from './retry';
import { type SweepDeps, type SweepItem, sweepCertificates } from './sweep';
import { acmTrusts, addCaEdit, editTrusts, notYetTrusting, removeCaEdit, type TrustHolder } from './trusts';

export type RolloverPhase =
  | 'trust-new'
  | 'reissue'
  | 'awaiting-approval'
  | 'remove-old'
  | 'completed'
  | 'halted';

export interface RolloverRecord extends VersionedRecord {
  readonly rolloverId: string;
  readonly meshName: string;
  readonly oldCaArn: string;
  readonly newCaArn: string;
  readonly phase: RolloverPhase;
  readonly approvalId: string;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly note?: string;
}

export interface RolloverReport {
  readonly rolloverId: string;
  readonly phase: RolloverPhase;
  readonly note: string;
  /** The leaves phase 2 handled. */
  readonly reissued: readonly SweepItem[];
  /** Set when an approval decision was refused: no person's decision is stored for it. */
  readonly refused?: DecisionRefusalReason;
}

/** What phase 3 needs besides a sweep's: the approvals meshwarden stored, to check a decision against. */
export interface RolloverDecisionDeps extends SweepDeps {
  readonly approvals: Pick<ApprovalStore, 'get'>;
}

/** How long an approval to finish a rollover stays open. */
const APPROVAL_TTL_MS = 7 * 86_400_000;

/** Stable per (mesh, old CA, new CA): the same rollover asked twice continues. */
export function rolloverIdOf(meshName: string, oldCaArn: string, newCaArn: string): string {
  return createHash('sha256').update(`${meshName}|${oldCaArn}|${newCaArn}`).digest('hex').slice(0, 20);
}

function key(rolloverId: string): string {
  return `ROTATION#ROLLOVER#${rolloverId}`;
}

async function save(
  deps: SweepDeps,
  record: RolloverRecord,
  change: Partial<RolloverRecord>,
): Promise<RolloverRecord> {
  const next = { ...record, ...change, version: record.version + 1, updatedAt: deps.now().toISOString() };
  await deps.rotations.put(key(record.rolloverId), next);
  await deps.publisher.publish([
    {
      detailType: MESHWARDEN_DETAIL_TYPES.caRolloverProgressed,
      detail: {
        rolloverId: next.rolloverId,
        meshName: next.meshName,
        oldCaArn: next.oldCaArn,
        newCaArn: next.newCaArn,
        phase: next.phase,
        ...(next.note ? { note: next.note } : {}),
      },
      resources: [next.oldCaArn, next.newCaArn],
    },
  ]);
  return next;
}

/** Apply a trust edit to every holder in the mesh, then read the mesh back. */
async function editAll(
  deps: SweepDeps,
  record: RolloverRecord,
  phase: string,
  edit: (holder: TrustHolder) => TrustHolder | undefined,
  section: CertificatesSection | undefined,
) {
  const snapshot = await deps.meshes.readMesh(record.meshName);
  const holders: TrustHolder[] = [...snapshot.virtualNodes, ...snapshot.virtualGateways];
  // Compute every edit first: one trust past the limit refuses the phase before any write.
  const edited = holders.flatMap((h) => {
    const next = edit(h);
    return next === undefined ? [] : [{ resource: next, basedOn: h.spec }];
  });
  // ... and one handshake that works today and would not after the edit refuses it too.
  const breaks = await refuseTrustEdit(
    deps,
    section,
    snapshot,
    withEdits(snapshot, edited),
    `phase ${phase}`,
  );
  if (breaks !== undefined) throw new HandshakeRefusal(`${breaks}; nothing was changed`);
  for (const { resource, basedOn } of edited) {
    const clientToken = `mw-${createHash('sha256').update(`${record.rolloverId}|${phase}|${resource.kind}|${resource.name}`).digest('hex').slice(0, 32)}`;
    const ownWrite = { purpose: 'rollover', cause: `${record.rolloverId}:${phase}` } as const;
    await retryThrottled(() => deps.meshes.update(resource, { clientToken, ownWrite, basedOn }), deps.sleep);
  }
  return deps.meshes.readMesh(record.meshName);
}

/** The snapshot with edited holders in place of their originals. */
function withEdits(snapshot: MeshSnapshot, edited: readonly { resource: TrustHolder }[]): MeshSnapshot {
  const byName = new Map(edited.map(({ resource }) => [`${resource.kind}/${resource.name}`, resource]));
  const pick = <R extends TrustHolder>(r: R): R => (byName.get(`${r.kind}/${r.name}`) as R | undefined) ?? r;
  return {
    ...snapshot,
    virtualNodes: snapshot.virtualNodes.map(pick),
    virtualGateways: snapshot.virtualGateways.map(pick),
  };
}

function sectionOf(policy: CompiledPolicy | undefined, meshName: string): CertificatesSection | undefined {
  return policy?.forMesh(meshName)?.document.certificates as CertificatesSection | undefined;
}

async function phaseTrustNew(
  deps: SweepDeps,
  record: RolloverRecord,
  section: CertificatesSection | undefined,
): Promise<RolloverRecord> {
  const ca = await deps.cas.get(record.newCaArn);
  if (ca?.status !== 'ACTIVE')
    throw new BadRequestError(
      `the new CA ${record.newCaArn} is ${ca?.status ?? 'missing'}, not ACTIVE: nothing was changed`,
    );
  const after = await editAll(
    deps,
    record,
    'trust-new',
    (h) => editTrusts(h, addCaEdit(record.oldCaArn, record.newCaArn, `${h.kind} ${h.name}`)),
    section,
  );
  const missing = notYetTrusting(after, record.oldCaArn, record.newCaArn);
  if (missing.length > 0)
    throw new BadRequestError(`phase 1 not verified: ${missing.join(', ')} still trust only the old CA`);
  return save(deps, record, {
    phase: 'reissue',
    note: 'every trust holding the old CA trusts the new one too',
  });
}

async function phaseReissue(
  deps: SweepDeps,
  policy: CompiledPolicy,
  record: RolloverRecord,
): Promise<{ record: RolloverRecord; items: SweepItem[]; note: string }> {
  const items = await sweepCertificates(deps, policy, [record.meshName], {
    force: true,
    caArn: record.newCaArn,
    issuedBy: record.oldCaArn,
    rolloverId: record.rolloverId,
  });
  const section = policy.forMesh(record.meshName)?.document.certificates as CertificatesSection | undefined;
  const inventory = await takeCertificateInventory(deps, record.meshName, section);
  const left = inventory.entries.filter((e) => e.type === 'leaf' && e.issuingCaArn === record.oldCaArn);
  if (left.length > 0) {
    const why = items.filter((i) => i.action !== 'rotated').map((i) => `${i.id}: ${i.action} (${i.reason})`);
    // Stays in phase 2: the next run re-issues what is left.
    return {
      record,
      items,
      note: `phase 2 not verified: ${left.map((e) => e.id).join(', ')} still from the old CA. ${why.join('; ')}`,
    };
  }
  const awaiting = await save(deps, record, {
    phase: 'awaiting-approval',
    note: 'every leaf certificate is issued by the new CA; waiting for approval to drop the old CA',
  });
  const detail: ApprovalRequestedDetail = {
    approvalId: record.approvalId,
    meshName: record.meshName,
    action: {
      type: 'finish-ca-rollover',
      rolloverId: record.rolloverId,
      oldCaArn: record.oldCaArn,
      newCaArn: record.newCaArn,
    },
    title: `Finish the CA rollover of mesh ${record.meshName}: stop trusting the old CA`,
    reason: `Every certificate of ${record.meshName} is now issued by ${record.newCaArn}; removing ${record.oldCaArn} from every trust makes its certificates unusable.`,
    requestedBy: { arn: 'meshwarden', label: 'meshwarden certificate rotation' },
    diff: `- trust ${record.oldCaArn}\n  trust ${record.newCaArn}`,
    expiresAt: new Date(deps.now().getTime() + APPROVAL_TTL_MS).toISOString(),
  };
  await deps.publisher.publish([
    { detailType: MESHWARDEN_DETAIL_TYPES.approvalRequested, detail: { ...detail } },
  ]);
  return { record: awaiting, items, note: awaiting.note ?? '' };
}

/** Phase 3 refused: both CAs stay trusted, and people are told which leaf or handshake stopped it. */
async function haltRemoval(deps: SweepDeps, record: RolloverRecord, why: string): Promise<RolloverRecord> {
  const halted = await save(deps, record, {
    phase: 'halted',
    note: `phase 3 refused, both CAs stay trusted: ${why}`,
  });
  await deps.notifier.notify({
    meshName: record.meshName,
    kind: 'rotation',
    title: `CA rollover ${record.rolloverId} halted before removing the old CA`,
    text: halted.note ?? why,
    fields: { oldCa: record.oldCaArn, newCa: record.newCaArn },
  });
  return halted;
}

async function phaseRemoveOld(
  deps: SweepDeps,
  record: RolloverRecord,
  section: CertificatesSection | undefined,
): Promise<RolloverRecord> {
  // Read every leaf in use again now, not as phase 2 saw it: a listener may have been pointed
  // back at a certificate from the old CA since.
  const { sentences } = await leavesStillOnOldCa(deps, record.meshName, section, record.oldCaArn);
  if (sentences.length > 0)
    return haltRemoval(
      deps,
      record,
      `${sentences.join('; ')}. Re-issue ${sentences.length === 1 ? 'it' : 'them'} from ${record.newCaArn} first`,
    );
  let after: MeshSnapshot;
  try {
    after = await editAll(
      deps,
      record,
      'remove-old',
      (h) => editTrusts(h, removeCaEdit(record.oldCaArn, record.newCaArn)),
      section,
    );
  } catch (error) {
    if (error instanceof HandshakeRefusal) return haltRemoval(deps, record, error.message);
    throw error;
  }
  const still = acmTrusts(after).filter((t) => t.arns.includes(record.oldCaArn));
  if (still.length > 0)
    throw new BadRequestError(
      `phase 3 not verified: ${still.map((t) => t.resourceKey).join(', ')} still trust the old CA`,
    );
  return save(deps, record, {
    phase: 'completed',
    note: `the old CA ${record.oldCaArn} is trusted nowhere in the mesh`,
  });
}

/**
 * Start a rollover, or continue it: phase 1 and 2 run at once; phase 3 waits for the approval
 * (see {@link decideCaRollover}).
 */
export async function runCaRollover(
  deps: SweepDeps,
  policy: CompiledPolicy,
  meshName: string,
  oldCaArn: string,
  newCaArn: string,
): Promise<RolloverReport> {
  if (oldCaArn === newCaArn) throw new BadRequestError('the old and the new CA are the same');
  const rolloverId = rolloverIdOf(meshName, oldCaArn, newCaArn);
  let record = await deps.rotations.get<RolloverRecord>(key(rolloverId));
  if (record === undefined) {
    const now = deps.now().toISOString();
    record = {
      version: 1,
      rolloverId,
      meshName,
      oldCaArn,
      newCaArn,
      phase: 'trust-new',
      approvalId: `ca-rollover-${rolloverId}`,
      startedAt: now,
      updatedAt: now,
    };
    await deps.rotations.put(key(rolloverId), record);
  }
  // Later rotations issue from the new CA once this rollover completes (see issuer-memory).
  await rememberRollover(deps.rotations, meshName, rolloverId);
  if (record.phase === 'trust-new') record = await phaseTrustNew(deps, record, sectionOf(policy, meshName));
  let reissued: SweepItem[] = [];
  let note = record.note ?? '';
  if (record.phase === 'reissue') {
    const result = await phaseReissue(deps, policy, record);
    reissued = result.items;
    note = result.note;
    record = result.record;
  }
  return { rolloverId, phase: record.phase, note, reissued };
}

/**
 * Phase 3 on an approval decision: approved removes the old CA; rejected or expired halts (both
 * stay trusted). The event only wakes this up: what counts is the approval meshwarden stored
 * for this rollover, decided by a person, and its stored action. A decision event without one
 * is refused (returned with `refused`, not thrown, so a forgery is not retried).
 */
export async function decideCaRollover(
  deps: RolloverDecisionDeps,
  event: ApprovalDecidedDetail,
  policy?: CompiledPolicy,
): Promise<RolloverReport> {
  const verified = await loadStoredDecision(deps.approvals, event, 'finish-ca-rollover');
  const claimed = event.action.type === 'finish-ca-rollover' ? event.action.rolloverId : '(none)';
  if (!verified.ok)
    return {
      rolloverId: claimed,
      phase: 'awaiting-approval',
      note: verified.message,
      reissued: [],
      refused: verified.reason,
    };
  const { action } = verified.approval;
  if (action.type !== 'finish-ca-rollover') throw new BadRequestError(`not a CA rollover: ${action.type}`);
  const decision = { decision: verified.approval.status, decidedBy: verified.approval.decidedBy };
  const { rolloverId } = action;
  let record = await deps.rotations.get<RolloverRecord>(key(rolloverId));
  if (record === undefined) throw new BadRequestError(`no CA rollover ${rolloverId} is on record`);
  if (record.oldCaArn !== action.oldCaArn || record.newCaArn !== action.newCaArn)
    throw new BadRequestError(`the decision names other CAs than rollover ${rolloverId}`);
  if (record.approvalId !== verified.approval.approvalId)
    return {
      rolloverId,
      phase: record.phase,
      note: `approval ${verified.approval.approvalId} is not the one rollover ${rolloverId} asked for (${record.approvalId}); nothing was done`,
      reissued: [],
      refused: 'action-mismatch',
    };
  if (record.phase === 'completed' || record.phase === 'halted')
    return { rolloverId, phase: record.phase, note: 'already decided', reissued: [] };
  if (record.phase !== 'awaiting-approval' && record.phase !== 'remove-old')
    throw new BadRequestError(`rollover ${rolloverId} is in phase ${record.phase}, not awaiting approval`);
  if (decision.decision !== 'approved') {
    record = await save(deps, record, {
      phase: 'halted',
      note: `${decision.decision}: both CAs stay trusted until a new rollover is approved`,
    });
    await deps.notifier.notify({
      meshName: record.meshName,
      kind: 'rotation',
      title: `CA rollover ${rolloverId} halted (${decision.decision})`,
      text: `The mesh keeps trusting both ${record.oldCaArn} and ${record.newCaArn}.`,
    });
    return { rolloverId, phase: record.phase, note: record.note ?? '', reissued: [] };
  }
  if (record.phase === 'awaiting-approval') record = await save(deps, record, { phase: 'remove-old' });
  record = await phaseRemoveOld(deps, record, sectionOf(policy, record.meshName));
  if (record.phase === 'halted')
    return { rolloverId, phase: record.phase, note: record.note ?? '', reissued: [] };
  await deps.notifier.notify({
    meshName: record.meshName,
    kind: 'rotation',
    title: `CA rollover ${rolloverId} completed`,
    text: record.note ?? '',
    fields: {
      oldCa: record.oldCaArn,
      newCa: record.newCaArn,
      approvedBy: decision.decidedBy?.identity ?? 'unknown',
    },
  });
  return { rolloverId, phase: record.phase, note: record.note ?? '', reissued: [] };
}
