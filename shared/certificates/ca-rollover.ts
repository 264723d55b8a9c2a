/**
 * CA rollover in three phases, each verified before the next:
 * 1. trust both: add the new CA to every validation trust that holds the old one;
 * 2. re-issue every leaf certificate from the new CA; a certificate delivered through a
 *    secret reaches Envoy only when it restarts, so the rollover then waits until an operator
 *    confirms each proxy restarted (see rollover-restarts.ts);
 * 3. after an approval, remove the old CA from every trust.
 * Progress is recorded (`ROTATION#ROLLOVER#<id>`), so the same command or event continues
 * where the last run stopped. A halted rollover resumes with a fresh approval or is aborted
 * back to trusting the old CA only (see rollover-lifecycle.ts).
 */
import { createHash } from 'node:crypto';
import { type DecisionRefusalReason, loadStoredDecision } from '../approvals/verified-decision';
import type { MeshSnapshot } from '../domain/snapshot';
import { BadRequestError } from '../errors';
import type { ApprovalDecidedDetail } from '../events/approvals';
import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import type { CompiledPolicy } from '../policy/compile';
import type { CertificatesSection } from '../policy/sections/certificates';
import type { ApprovalStore, VersionedRecord } from '../ports';
import { HandshakeRefusal, leavesStillOnOldCa, refuseTrustEdit } from './handshake-guard';
import { takeCertificateInventory } from './inventory';
import { rememberRollover } from './issuer-memory';
import { retryThrottled } from './retry';
import { askRolloverApproval, isEarlierApprovalOf } from './rollover-approval';
import { closeRollover, openRollover } from './rollover-index';
import { rolloverApprovalId, rolloverKey } from './rollover-keys';
import { type RestartWait, restartWaitsAfter, unconfirmed, withRestartWaits } from './rollover-restarts';
import { type SweepDeps, type SweepItem, sweepCertificates } from './sweep';
import { acmTrusts, addCaEdit, editTrusts, notYetTrusting, removeCaEdit, type TrustHolder } from './trusts';

export type RolloverPhase =
  | 'trust-new'
  | 'reissue'
  | 'awaiting-restart'
  | 'awaiting-approval'
  | 'remove-old'
  | 'completed'
  | 'halted'
  /** Undoing phases 1 and 2: leaves back to the old CA, then the new CA out of every trust. */
  | 'aborting'
  | 'aborted';

/** One step a rollover took, for `certs rollover status`. */
export interface RolloverStep {
  readonly phase: RolloverPhase;
  readonly at: string;
  readonly note?: string;
}

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
  /** Which approval this is: 1 for the first, one more for each resume (fresh approval id). */
  readonly attempt?: number;
  /** Proxies that must restart to serve a certificate delivered through a secret. */
  readonly restarts?: readonly RestartWait[];
  /** When unconfirmed restarts are overdue (ISO-8601). */
  readonly restartDeadline?: string;
  /** Set once people were told the restarts are overdue, so they are told once. */
  readonly restartDeadlineNotifiedAt?: string;
  /** The phase an abort started from. */
  readonly abortedFrom?: RolloverPhase;
  /** Every phase the rollover entered, with what it did. */
  readonly history?: readonly RolloverStep[];
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

/**
 * What phase 3 needs besides a sweep's: the approvals meshwarden stored, to check a decision
 * against (and, on an abort, to close the request nobody should decide any more).
 */
export interface RolloverDecisionDeps extends SweepDeps {
  readonly approvals: Pick<ApprovalStore, 'get' | 'recordDecision' | 'recordExecution'>;
}

/** Stable per (mesh, old CA, new CA): the same rollover asked twice continues. */
export function rolloverIdOf(meshName: string, oldCaArn: string, newCaArn: string): string {
  return createHash('sha256').update(`${meshName}|${oldCaArn}|${newCaArn}`).digest('hex').slice(0, 20);
}

const key = rolloverKey;

/** Write the next version of a rollover and publish its progress; a new phase goes into its history. */
export async function save(
  deps: SweepDeps,
  record: RolloverRecord,
  change: Partial<RolloverRecord>,
): Promise<RolloverRecord> {
  const at = deps.now().toISOString();
  const entered = change.phase !== undefined && (change.phase !== record.phase || change.note !== undefined);
  const history = entered
    ? [
        ...(record.history ?? []),
        { phase: change.phase as RolloverPhase, at, ...(change.note ? { note: change.note } : {}) },
      ]
    : record.history;
  const next = {
    ...record,
    ...change,
    ...(history ? { history } : {}),
    version: record.version + 1,
    updatedAt: at,
  };
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
export async function editAll(
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
    // A resumed attempt writes anew (the same token with another body would be refused).
    const attempt = (record.attempt ?? 1) > 1 ? `|${record.attempt}` : '';
    const clientToken = `mw-${createHash('sha256').update(`${record.rolloverId}${attempt}|${phase}|${resource.kind}|${resource.name}`).digest('hex').slice(0, 32)}`;
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

export function sectionOf(
  policy: CompiledPolicy | undefined,
  meshName: string,
): CertificatesSection | undefined {
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
  const waits = await restartWaitsAfter(deps, inventory.entries, record, record.newCaArn);
  const next = await afterReissue(deps, withRestartWaits(record, waits, deps.now()));
  return { record: next, items, note: next.note ?? '' };
}

/**
 * Every leaf is from the new CA: wait for the proxies that must restart, or ask for the
 * approval that finishes the rollover.
 */
export async function afterReissue(deps: SweepDeps, record: RolloverRecord): Promise<RolloverRecord> {
  const pending = unconfirmed(record);
  if (pending.length > 0)
    return save(deps, record, {
      phase: 'awaiting-restart',
      note: `every leaf certificate is issued by the new CA; waiting until ${pending.map((w) => w.proxy).join(', ')} restarted with it (certs rollover confirm-restart), by ${record.restartDeadline}`,
    });
  const awaiting = await save(deps, record, {
    phase: 'awaiting-approval',
    note: 'every leaf certificate is issued by the new CA; waiting for approval to drop the old CA',
  });
  await askRolloverApproval(deps, awaiting);
  return awaiting;
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
  const pending = unconfirmed(record);
  // Never drop the CA a running Envoy may still serve a certificate from.
  if (pending.length > 0)
    throw new BadRequestError(
      `phase 3 waits: ${pending.map((w) => w.proxy).join(', ')} not confirmed restarted with the new certificate`,
    );
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
  const completed = await save(deps, record, {
    phase: 'completed',
    note: `the old CA ${record.oldCaArn} is trusted nowhere in the mesh`,
  });
  await closeRollover(deps.rotations, completed.meshName, completed.rolloverId);
  return completed;
}

/** What a run says about a rollover it does not advance. */
function standing(record: RolloverRecord): string {
  switch (record.phase) {
    case 'halted':
      return `halted (${record.note ?? 'no approval'}): certs rollover resume asks for a fresh approval, certs rollover abort goes back to the old CA`;
    case 'aborting':
      return `being aborted (${record.note ?? ''}): certs rollover abort continues it`;
    case 'aborted':
      return 'aborted: the mesh trusts the old CA only; certs rollover --from --to starts it again';
    case 'awaiting-restart':
      return `waiting for ${unconfirmed(record)
        .map((w) => w.proxy)
        .join(
          ', ',
        )} to restart with the new certificate (certs rollover confirm-restart), by ${record.restartDeadline}`;
    default:
      return record.note ?? '';
  }
}

/**
 * Start a rollover, or continue it: phase 1 and 2 run at once; phase 3 waits for the restarts
 * of proxies served through secrets, then for the approval (see {@link decideCaRollover}).
 * A halted or aborted rollover stays as it is, unless `restart` (a person running `certs
 * rollover` again) starts an aborted one anew.
 */
export async function runCaRollover(
  deps: SweepDeps,
  policy: CompiledPolicy,
  meshName: string,
  oldCaArn: string,
  newCaArn: string,
  options: { readonly restart?: boolean } = {},
): Promise<RolloverReport> {
  if (oldCaArn === newCaArn) throw new BadRequestError('the old and the new CA are the same');
  const rolloverId = rolloverIdOf(meshName, oldCaArn, newCaArn);
  let record = await deps.rotations.get<RolloverRecord>(key(rolloverId));
  if (record?.phase === 'aborted' && options.restart === true) {
    const attempt = (record.attempt ?? 1) + 1;
    record = await save(deps, record, {
      phase: 'trust-new',
      attempt,
      approvalId: rolloverApprovalId(rolloverId, attempt),
      restarts: [],
      note: 'started again after an abort',
    });
    await openRollover(deps.rotations, meshName, rolloverId);
  }
  if (record === undefined) {
    const now = deps.now().toISOString();
    record = {
      version: 1,
      rolloverId,
      meshName,
      oldCaArn,
      newCaArn,
      phase: 'trust-new',
      approvalId: rolloverApprovalId(rolloverId, 1),
      startedAt: now,
      updatedAt: now,
    };
    await deps.rotations.put(key(rolloverId), record);
    await openRollover(deps.rotations, meshName, rolloverId);
  }
  // Later rotations issue from the new CA once this rollover completes (see issuer-memory).
  await rememberRollover(deps.rotations, meshName, rolloverId);
  return continueCaRollover(deps, policy, record);
}

/** Run phases 1 and 2 from where `record` stands. */
export async function continueCaRollover(
  deps: SweepDeps,
  policy: CompiledPolicy,
  start: RolloverRecord,
): Promise<RolloverReport> {
  let record = start;
  const { rolloverId } = record;
  // Running it again asks again: a claim lost on its way (a crash before the publish) is not a
  // dead end, and a request that exists already is not asked twice (the function checks).
  if (record.phase === 'awaiting-approval') await askRolloverApproval(deps, record);
  if (record.phase === 'trust-new')
    record = await phaseTrustNew(deps, record, sectionOf(policy, record.meshName));
  let reissued: SweepItem[] = [];
  let note = standing(record);
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
  if (
    record.approvalId !== verified.approval.approvalId &&
    isEarlierApprovalOf(record, verified.approval.approvalId)
  )
    return {
      rolloverId,
      phase: record.phase,
      note: `approval ${verified.approval.approvalId} was superseded by ${record.approvalId} when the rollover resumed; nothing was done`,
      reissued: [],
    };
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
  if (record.phase === 'aborting' || record.phase === 'aborted')
    return {
      rolloverId,
      phase: record.phase,
      note: `the rollover was aborted; the ${decision.decision} decision changes nothing`,
      reissued: [],
    };
  if (record.phase !== 'awaiting-approval' && record.phase !== 'remove-old')
    throw new BadRequestError(`rollover ${rolloverId} is in phase ${record.phase}, not awaiting approval`);
  if (decision.decision !== 'approved') {
    record = await save(deps, record, {
      phase: 'halted',
      note: `${decision.decision}: both CAs stay trusted until the rollover is resumed or aborted`,
    });
    await deps.notifier.notify({
      meshName: record.meshName,
      kind: 'rotation',
      title: `CA rollover ${rolloverId} halted (${decision.decision})`,
      text: `The mesh keeps trusting both ${record.oldCaArn} and ${record.newCaArn}. \`meshwarden certs rollover resume --id ${rolloverId}\` asks for a fresh approval; \`meshwarden certs rollover abort --id ${rolloverId}\` goes back to trusting the old CA only.`,
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
